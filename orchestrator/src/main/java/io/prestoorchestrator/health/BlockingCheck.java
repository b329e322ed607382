package io.prestoorchestrator.health;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** A check whose probe is a blocking SDK call (AWS); it runs on a worker pool, never the event loop. */
public final class BlockingCheck
        implements DependencyCheck
{
    private final String name;
    private final WorkerExecutor executor;
    private final Callable<JsonObject> probe;

    public BlockingCheck(String name, WorkerExecutor executor, Callable<JsonObject> probe)
    {
        this.name = requireNonNull(name, "name is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.probe = requireNonNull(probe, "probe is null");
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Future<JsonObject> check()
    {
        return executor.executeBlocking(probe, false);
    }
}
