package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Acl;
import io.prestoorchestrator.sim.consul.acl.AclException;
import io.prestoorchestrator.sim.consul.agent.LocalAgent;
import io.prestoorchestrator.sim.consul.blocking.BlockingQueries;
import io.prestoorchestrator.sim.consul.state.ConsulStateException;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP front of the simulator: matches Consul's routes, answers OPTIONS, 405 (with Allow) and
 * unknown paths like Consul, and maps every failure to Consul's text/plain error bodies:
 * 400 bad input, 403 ACL, 404 unknown object, 405 method, 413 too large, 500 state-machine refusal.
 * Unknown endpoints are logged at WARN so that a client calling something not simulated shows up.
 */
public final class ConsulApi
        implements Handler<HttpServerRequest>
{
    private static final Logger log = LoggerFactory.getLogger(ConsulApi.class);

    private final Acl acl;
    private final RequestJournal journal;
    private final Routes routes = new Routes();

    public ConsulApi(StateStore store, LocalAgent agent, Acl acl, BlockingQueries blockingQueries, RequestJournal journal)
    {
        this(store, agent, acl, blockingQueries, journal, AgentScope.main());
    }

    /** @param scope the local agent this listener is (the main one, or one of several sharing the catalog) */
    public ConsulApi(StateStore store, LocalAgent agent, Acl acl, BlockingQueries blockingQueries, RequestJournal journal, AgentScope scope)
    {
        this.journal = requireNonNull(journal, "journal is null");
        requireNonNull(store, "store is null");
        requireNonNull(agent, "agent is null");
        this.acl = requireNonNull(acl, "acl is null");
        requireNonNull(blockingQueries, "blockingQueries is null");
        BlockingReads reads = new BlockingReads(blockingQueries, store.node().datacenter());
        new AgentEndpoints(store, agent, acl, reads, scope).register(routes);
        new CatalogEndpoints(store, reads).register(routes);
        new KvEndpoints(store, reads).register(routes);
        new SessionEndpoints(store, reads).register(routes);
        new StatusEndpoints(store).register(routes);
    }

    @Override
    public void handle(HttpServerRequest request)
    {
        HttpServerResponse response = request.response();
        if (log.isDebugEnabled()) {
            log.debug("Request: method={} path={} query={}", request.method(), request.path(), request.query());
        }
        if (acl.enabled()) {
            response.putHeader("X-Consul-Default-ACL-Policy", "deny");
        }
        Optional<String> path = decodePath(request.path());
        if (path.isEmpty()) {
            respondText(response, 400, "Invalid URL path: malformed percent-encoding");
            return;
        }
        Optional<Routes.Route> route = routes.match(path.get());
        if (route.isEmpty()) {
            unknownPath(request, path.get());
            return;
        }
        journal.recordKnown(request.method().name(), route.get(), request.params().names());
        List<String> methods = route.get().methods();
        if (request.method() == HttpMethod.OPTIONS) {
            response.putHeader("Allow", allow(methods)).setStatusCode(200).end();
            return;
        }
        if (!methods.contains(request.method().name())) {
            response.putHeader("Allow", allow(methods));
            respondText(response, 405, "method " + request.method().name() + " not allowed");
            return;
        }
        request.body().onComplete(body -> {
            if (body.failed()) {
                respondText(response, 400, "Failed to read request body: " + body.cause().getMessage());
                return;
            }
            dispatch(request, route.get(), path.get(), body.result() == null ? Buffer.buffer() : body.result());
        });
    }

    private void dispatch(HttpServerRequest request, Routes.Route route, String path, Buffer body)
    {
        HttpServerResponse response = request.response();
        try {
            route.endpoint().handle(new Call(request, body, route.suffix(path), acl));
        }
        catch (ConsulHttpException e) {
            e.headers().forEach(response::putHeader);
            logRefusal(request, e.status(), e.getMessage());
            respondText(response, e.status(), e.getMessage());
        }
        catch (AclException e) {
            logRefusal(request, 403, e.getMessage());
            respondText(response, 403, e.getMessage());
        }
        catch (ConsulStateException e) {
            logRefusal(request, 500, e.getMessage());
            respondText(response, 500, e.getMessage());
        }
        catch (RuntimeException e) {
            log.error("Request failed: method={} path={}", request.method(), request.path(), e);
            respondText(response, 500, String.valueOf(e.getMessage()));
        }
    }

    private void unknownPath(HttpServerRequest request, String path)
    {
        HttpServerResponse response = request.response();
        if (path.equals("/")) {
            respondText(response, 200, "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.");
            return;
        }
        if (routes.isSubtreeWithoutSlash(path)) {
            // Go's ServeMux redirects a subtree path without its trailing slash
            String query = request.query() == null ? "" : "?" + request.query();
            response.putHeader("Location", path + "/" + query).setStatusCode(301).end();
            return;
        }
        journal.recordUnknown(request.method().name(), path);
        log.warn("Unknown endpoint called (not simulated, or not a Consul endpoint): method={} path={} query={}", request.method(), path, request.query());
        String message = path.contains("/v1/")
                ? "Invalid URL path: not a recognized HTTP API endpoint\n"
                : "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n";
        respondText(response, 404, message);
    }

    private static void logRefusal(HttpServerRequest request, int status, String message)
    {
        log.info("Request refused: method={} path={} status={} reason={}", request.method(), request.path(), status, message);
    }

    private static String allow(List<String> methods)
    {
        List<String> allowed = new ArrayList<>();
        allowed.add("OPTIONS");
        allowed.addAll(methods);
        return String.join(",", allowed);
    }

    private static void respondText(HttpServerResponse response, int status, String text)
    {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(text);
    }

    /**
     * Percent-decodes a URL path as Go's url.URL.Path does ('+' stays '+').
     */
    static Optional<String> decodePath(String raw)
    {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high * 16 + low);
                i += 2;
            }
            else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return Optional.of(bytes.toString(StandardCharsets.UTF_8));
    }
}
