package io.prestoorchestrator.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for the one endpoint the readiness check calls on Nomad and Consul alike:
 * {@code GET /v1/status/leader}, answering a JSON string as both do. Can be slowed down, made to
 * hold its answers until the test releases them, and stopped.
 */
public final class TestingLeaderServer
        implements AutoCloseable
{
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong delayMillis = new AtomicLong();
    private final HttpServer server;
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private final Semaphore held = new Semaphore(0);
    private volatile boolean closed;

    public TestingLeaderServer(String leader)
            throws Exception
    {
        this.server = vertx.createHttpServer()
                .requestHandler(request -> {
                    if (!request.path().equals("/v1/status/leader")) {
                        request.response().setStatusCode(404).end("404 page not found");
                        return;
                    }
                    Runnable answer = () -> request.response().putHeader("Content-Type", "application/json").end("\"" + leader + "\""); // compact JSON, no trailing newline, as both write it
                    CompletableFuture<Void> holding = gate;
                    if (!holding.isDone()) {
                        held.release();
                        holding.thenRun(() -> vertx.runOnContext(ignored -> answer.run()));
                        return;
                    }
                    long delay = delayMillis.get();
                    if (delay > 0) {
                        vertx.setTimer(delay, id -> answer.run());
                    }
                    else {
                        answer.run();
                    }
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public URI address()
    {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    public void delay(Duration delay)
    {
        delayMillis.set(delay.toMillis());
    }

    /** From now on, every request waits for {@link #release()} before it is answered. */
    public void hold()
    {
        gate = new CompletableFuture<>();
    }

    /** Waits until one more request is being held; false if none came within {@code timeout}. */
    public boolean awaitHeld(Duration timeout)
            throws InterruptedException
    {
        return held.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers the requests held so far, and the later ones at once. */
    public void release()
    {
        gate.complete(null);
    }

    @Override
    public void close()
            throws Exception
    {
        if (!closed) {
            closed = true;
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
