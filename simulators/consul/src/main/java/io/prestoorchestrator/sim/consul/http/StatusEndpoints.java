package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.state.StateStore;
import io.vertx.core.json.JsonArray;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * /v1/status: the single simulated server is always the Raft leader and the only peer. Consul does
 * not check ACLs on these endpoints.
 */
final class StatusEndpoints
{
    private final StateStore store;

    StatusEndpoints(StateStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    void register(Routes routes)
    {
        routes.exact("/v1/status/leader", List.of("GET"), call -> call.respondJson(serverAddress()));
        routes.exact("/v1/status/peers", List.of("GET"), call -> call.respondJson(new JsonArray().add(serverAddress())));
    }

    private String serverAddress()
    {
        return store.node().address() + ":" + Render.SERVER_PORT;
    }
}
