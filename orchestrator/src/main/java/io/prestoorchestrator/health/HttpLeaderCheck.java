package io.prestoorchestrator.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** Nomad or Consul is ready when its {@code /v1/status/leader} names a leader. */
public final class HttpLeaderCheck
        implements DependencyCheck
{
    private final String name;
    private final Supplier<Future<String>> leader;

    public HttpLeaderCheck(String name, Supplier<Future<String>> leader)
    {
        this.name = requireNonNull(name, "name is null");
        this.leader = requireNonNull(leader, "leader is null");
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Future<JsonObject> check()
    {
        return leader.get().compose(address -> address == null || address.isBlank()
                ? Future.failedFuture(name + " has no leader")
                : Future.succeededFuture(new JsonObject().put("leader", address)));
    }
}
