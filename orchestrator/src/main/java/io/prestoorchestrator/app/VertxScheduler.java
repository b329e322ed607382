package io.prestoorchestrator.app;

import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** The service's {@link Scheduler}: a Vert.x timer per delay, so no thread is held while waiting. */
public final class VertxScheduler
        implements Scheduler
{
    private final Vertx vertx;

    public VertxScheduler(Vertx vertx)
    {
        this.vertx = requireNonNull(vertx, "vertx is null");
    }

    @Override
    public CompletionStage<Void> after(Duration delay)
    {
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.setTimer(Math.max(1, delay.toMillis()), id -> done.complete(null));
        return done;
    }
}
