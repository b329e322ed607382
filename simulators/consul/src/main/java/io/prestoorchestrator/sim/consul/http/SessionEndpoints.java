package io.prestoorchestrator.sim.consul.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Access;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Resource;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.GoDuration;
import io.prestoorchestrator.sim.consul.state.Session;
import io.prestoorchestrator.sim.consul.state.Session.Behavior;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.prestoorchestrator.sim.consul.state.StateStore.SessionRequest;
import io.prestoorchestrator.sim.consul.state.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * /v1/session: create (TTL, Behavior, LockDelay, checks), renew, destroy, info, list, node.
 */
final class SessionEndpoints
{
    static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);

    private static final Set<String> SESSION_FIELDS = Set.of("ID", "Name", "Node", "LockDelay", "Behavior", "TTL", "Checks", "NodeChecks",
            "ServiceChecks", "Namespace", "Partition", "CreateIndex", "ModifyIndex");
    private static final Set<String> SERVICE_CHECK_FIELDS = Set.of("ID", "Namespace");
    /**
     * A LockDelay number below this is taken as seconds, larger as nanoseconds (Consul's rule).
     */
    private static final long LOCK_DELAY_SECONDS_THRESHOLD = 1000;

    private final StateStore store;
    private final BlockingReads reads;

    SessionEndpoints(StateStore store, BlockingReads reads)
    {
        this.store = requireNonNull(store, "store is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    void register(Routes routes)
    {
        routes.exact("/v1/session/create", List.of("PUT"), this::create);
        routes.subtree("/v1/session/destroy/", List.of("PUT"), this::destroy);
        routes.subtree("/v1/session/renew/", List.of("PUT"), this::renew);
        routes.subtree("/v1/session/info/", List.of("GET"), this::info);
        routes.subtree("/v1/session/node/", List.of("GET"), this::node);
        routes.exact("/v1/session/list", List.of("GET"), this::list);
    }

    private void create(Call call)
    {
        reads.checkDatacenter(call);
        SessionRequest request = call.body().length() == 0 ? defaults() : parse(call);
        Authorizer authorizer = call.authorizer();
        authorizer.require(Resource.SESSION, Access.WRITE, request.node());
        Session session = store.createSession(request);
        call.respondJson(new JsonObject().put("ID", session.id()));
    }

    private SessionRequest defaults()
    {
        return new SessionRequest("", store.node().name(), DEFAULT_LOCK_DELAY, Behavior.RELEASE, "", List.of(StateStore.SERF_HEALTH), List.of());
    }

    private SessionRequest parse(Call call)
    {
        try {
            JsonFields fields = JsonFields.parse(call.body(), "structs.Session", SESSION_FIELDS);
            Duration lockDelay = DEFAULT_LOCK_DELAY;
            Optional<JsonNode> lockDelayNode = fields.node("LockDelay");
            if (lockDelayNode.isPresent()) {
                lockDelay = lockDelay(lockDelayNode.get());
            }
            String behaviorText = fields.string("Behavior");
            Behavior behavior = behaviorText.isEmpty()
                    ? Behavior.RELEASE
                    : Behavior.fromWireName(behaviorText).orElseThrow(() -> new ConsulHttpException(500, "Invalid Behavior setting '" + behaviorText + "'"));
            List<String> nodeChecks = new ArrayList<>(fields.stringList("Checks"));
            nodeChecks.addAll(fields.stringList("NodeChecks"));
            List<String> serviceChecks = new ArrayList<>();
            for (JsonFields serviceCheck : fields.objectList("ServiceChecks", "structs.ServiceCheck", SERVICE_CHECK_FIELDS)) {
                serviceChecks.add(serviceCheck.string("ID"));
            }
            if (!fields.has("Checks") && !fields.has("NodeChecks") && !fields.has("ServiceChecks")) {
                nodeChecks.add(StateStore.SERF_HEALTH);
            }
            String node = fields.string("Node").isEmpty() ? store.node().name() : fields.string("Node");
            return new SessionRequest(fields.string("Name"), node, lockDelay, behavior, fields.string("TTL"), nodeChecks, serviceChecks);
        }
        catch (JsonFields.DecodeException e) {
            throw ConsulHttpException.decodeFailed(e.getMessage());
        }
    }

    private static Duration lockDelay(JsonNode node)
    {
        if (node.isTextual()) {
            try {
                return GoDuration.parse(node.asText());
            }
            catch (IllegalArgumentException e) {
                throw new JsonFields.DecodeException(e.getMessage());
            }
        }
        if (node.isNumber()) {
            long value = node.longValue();
            return value < LOCK_DELAY_SECONDS_THRESHOLD ? Duration.ofSeconds(value) : Duration.ofNanos(value);
        }
        throw JsonFields.typeMismatch("structs.Session", "LockDelay", node, "time.Duration");
    }

    private void destroy(Call call)
    {
        reads.checkDatacenter(call);
        String id = requireSessionId(call);
        Authorizer authorizer = call.authorizer();
        store.session(id).ifPresent(session -> authorizer.require(Resource.SESSION, Access.WRITE, session.node()));
        store.destroySession(id);
        call.respondJson(true);
    }

    private void renew(Call call)
    {
        reads.checkDatacenter(call);
        String id = requireSessionId(call);
        Authorizer authorizer = call.authorizer();
        store.session(id).ifPresent(session -> authorizer.require(Resource.SESSION, Access.WRITE, session.node()));
        Session session = store.renewSession(id)
                .orElseThrow(() -> ConsulHttpException.notFound("Session id '" + id + "' not found"));
        call.respondJson(new JsonArray().add(Render.session(session)));
    }

    private void info(Call call)
    {
        String id = requireSessionId(call);
        sessions(call, session -> session.id().equals(id));
    }

    private void node(Call call)
    {
        String node = call.suffix();
        if (node.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing node name");
        }
        sessions(call, session -> session.node().equals(node));
    }

    private void list(Call call)
    {
        sessions(call, session -> true);
    }

    private void sessions(Call call, Predicate<Session> filter)
    {
        reads.read(call, changes -> changes.touches(Topics.SESSIONS), authorizer -> store.read(() -> {
            JsonArray sessions = new JsonArray();
            for (Session session : store.sessions()) {
                if (filter.test(session) && authorizer.canRead(Resource.SESSION, session.node())) {
                    sessions.add(Render.session(session));
                }
            }
            return QueryResult.ok(store.topicIndex(Topics.SESSIONS), sessions);
        }));
    }

    private static String requireSessionId(Call call)
    {
        String id = call.suffix();
        if (id.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing session");
        }
        return id;
    }
}
