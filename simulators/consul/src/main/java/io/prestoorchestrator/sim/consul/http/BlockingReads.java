package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.blocking.BlockingQueries;
import io.prestoorchestrator.sim.consul.blocking.QueryOptions;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.ChangeSet;
import io.prestoorchestrator.sim.consul.state.GoDuration;
import io.prestoorchestrator.sim.consul.state.Scheduler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The common part of Consul's read endpoints: ?dc, ?stale/?consistent, ?index/?wait, the token,
 * the blocking wait, and the X-Consul-Index / X-Consul-KnownLeader / X-Consul-LastContact headers.
 */
final class BlockingReads
{
    private final BlockingQueries queries;
    private final String datacenter;

    BlockingReads(BlockingQueries queries, String datacenter)
    {
        this.queries = requireNonNull(queries, "queries is null");
        this.datacenter = requireNonNull(datacenter, "datacenter is null");
    }

    /**
     * Validates the query parameters, resolves the token, then answers {@code query} now or once
     * a commit that {@code interest} accepts moves its index past ?index.
     */
    void read(Call call, Predicate<ChangeSet> interest, Function<Authorizer, QueryResult> query)
    {
        checkDatacenter(call);
        refuseFilter(call);
        String consistency = consistency(call);
        QueryOptions options = queryOptions(call);
        Authorizer authorizer = call.authorizer();
        AtomicReference<Scheduler.Cancellable> parked = new AtomicReference<>(() -> {});
        call.request().response().closeHandler(ignored -> parked.get().cancel());
        parked.set(queries.run(options, interest, () -> query.apply(authorizer), result -> respond(call, result, consistency)));
    }

    /**
     * A hash-based blocking read ({@code ?hash=H&wait=D}, used by /v1/agent/service/:id): answers once
     * the content hash differs from H. The result's body carries its hash in "ContentHash".
     */
    void readByHash(Call call, Predicate<ChangeSet> interest, Function<Authorizer, QueryResult> query)
    {
        Optional<String> hash = call.param("hash");
        Optional<Duration> wait = queryOptions(call).maxWait();
        Authorizer authorizer = call.authorizer();
        AtomicReference<Scheduler.Cancellable> parked = new AtomicReference<>(() -> {});
        call.request().response().closeHandler(ignored -> parked.get().cancel());
        QueryOptions options = new QueryOptions(0, wait);
        parked.set(queries.run(hash.isPresent(), options.effectiveWait(), interest, () -> query.apply(authorizer),
                result -> result.status() != 200 || !hash.get().equals(result.headers().get("X-Consul-ContentHash")),
                result -> call.respondJson(result.status(), result.body(), result.headers())));
    }

    void checkDatacenter(Call call)
    {
        Optional<String> dc = call.param("dc");
        if (dc.isPresent() && !dc.get().equals(datacenter)) {
            throw new ConsulHttpException(500, "No path to datacenter");
        }
    }

    private static void refuseFilter(Call call)
    {
        if (call.param("filter").isPresent()) {
            throw ConsulHttpException.badRequest("The Consul simulator does not evaluate ?filter expressions; use the endpoint's other parameters (tag, passing) or filter on the client");
        }
    }

    private static String consistency(Call call)
    {
        boolean stale = call.hasParam("stale");
        boolean consistent = call.hasParam("consistent");
        if (stale && consistent) {
            throw ConsulHttpException.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        if (call.hasParam("cached") && consistent) {
            throw ConsulHttpException.badRequest("Cannot specify ?cached with ?consistent, conflicting semantics.");
        }
        return stale ? "stale" : consistent ? "consistent" : "leader";
    }

    private static QueryOptions queryOptions(Call call)
    {
        Optional<Duration> wait = Optional.empty();
        Optional<String> waitText = call.param("wait");
        if (waitText.isPresent()) {
            try {
                wait = Optional.of(GoDuration.parse(waitText.get()));
            }
            catch (IllegalArgumentException e) {
                throw ConsulHttpException.badRequest("Invalid wait time");
            }
        }
        long index = 0;
        Optional<String> indexText = call.param("index");
        if (indexText.isPresent()) {
            try {
                index = Long.parseUnsignedLong(indexText.get());
            }
            catch (NumberFormatException e) {
                throw ConsulHttpException.badRequest("Invalid index");
            }
        }
        return new QueryOptions(index, wait);
    }

    private static void respond(Call call, QueryResult result, String consistency)
    {
        Map<String, String> headers = new HashMap<>(result.headers());
        // Consul never returns index 0: a client would spin on ?index=0, which never blocks
        headers.put("X-Consul-Index", Long.toString(Math.max(1, result.index())));
        headers.put("X-Consul-KnownLeader", "true");
        headers.put("X-Consul-LastContact", "0");
        headers.put("X-Consul-Effective-Consistency", consistency);
        if (call.hasParam("cached")) {
            headers.put("X-Cache", "MISS");
        }
        call.respondJson(result.status(), result.body(), headers);
    }
}
