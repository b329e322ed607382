package io.prestoorchestrator.testing;

import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.drain.WorkerState;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * A Trino worker's {@code /v1/info/state} as Trino 476 behaves (FACTS.md): DRAINING becomes DRAINED
 * after {@link #drainTime}, ACTIVE cancels a drain, SHUTTING_DOWN cannot be cancelled and the
 * process exits after {@link #exitAfter}; a worker without DRAINING (older versions) answers 400.
 * {@link #speaking Speaking} PrestoDB's profile, it answers as a 0.287 worker: no DRAINING (400), and no user needed to change the state.
 * After it is gone every connection is closed without an answer. Its own delays (the drain, the exit)
 * run on a {@link Scheduler}: Vert.x timers, or a test's clock.
 */
public final class FakeTrinoWorker
        implements AutoCloseable
{
    private final Scheduler scheduler;
    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile WorkerState state = WorkerState.ACTIVE;
    private volatile boolean gone;
    private volatile boolean stalled;
    private volatile boolean supportsDraining = true;
    private volatile Optional<String> userHeader = Optional.of(FlavourProfile.TRINO.userHeader());
    private volatile Optional<Integer> refuseWith = Optional.empty();
    private volatile Optional<Duration> drainTime = Optional.of(Duration.ofMillis(300));
    private volatile Duration exitAfter = Duration.ofMillis(200);
    /** Counts the drains started; a drain's timer that fires after another change (ACTIVE) finds a newer count and does nothing. */
    private long drainGeneration;

    /** Delays on Vert.x timers (real time). */
    public FakeTrinoWorker(Vertx vertx)
    {
        this(vertx, delay -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> done.complete(null));
            return done;
        });
    }

    /** Delays on {@code scheduler}, e.g. a {@code TestingScheduler} the drainer under test shares. */
    public FakeTrinoWorker(Vertx vertx, Scheduler scheduler)
    {
        requireNonNull(vertx, "vertx is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.server = vertx.createHttpServer().requestHandler(this::handle);
        await(server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture());
    }

    public URI uri()
    {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    public WorkerState state()
    {
        return state;
    }

    public FakeTrinoWorker state(WorkerState state)
    {
        this.state = state;
        return this;
    }

    /** Empty: a busy worker that never finishes its tasks. */
    public FakeTrinoWorker drainTime(Optional<Duration> drainTime)
    {
        this.drainTime = drainTime;
        return this;
    }

    public FakeTrinoWorker exitAfter(Duration exitAfter)
    {
        this.exitAfter = exitAfter;
        return this;
    }

    public FakeTrinoWorker withoutDraining()
    {
        this.supportsDraining = false;
        return this;
    }

    /** The state API of the engine {@code profile} describes: its states, and whether a change needs its user header. */
    public FakeTrinoWorker speaking(FlavourProfile profile)
    {
        this.supportsDraining = profile.drainsBeforeShutdown();
        this.userHeader = profile.stateAccessControl() ? Optional.of(profile.userHeader()) : Optional.empty();
        return this;
    }

    /** A running task that ends {@code length} after the worker is asked to drain or to shut down: neither ends before it. */
    public FakeTrinoWorker runningTaskFor(Duration length)
    {
        this.drainTime = Optional.of(length);
        this.exitAfter = length;
        return this;
    }

    public FakeTrinoWorker refusingWith(int status)
    {
        this.refuseWith = Optional.of(status);
        return this;
    }

    public FakeTrinoWorker gone()
    {
        this.gone = true;
        return this;
    }

    /** While stalled every request waits unanswered (a worker too busy to answer in time); released, it answers again. */
    public FakeTrinoWorker stalled(boolean stalled)
    {
        this.stalled = stalled;
        return this;
    }

    public boolean isGone()
    {
        return gone;
    }

    /** Every request as {@code "GET"} or {@code "PUT DRAINING as user"}. */
    public List<String> requests()
    {
        return List.copyOf(requests);
    }

    private void handle(HttpServerRequest request)
    {
        if (gone) {
            request.connection().close();
            return;
        }
        if (stalled) {
            return;
        }
        if (!request.path().equals("/v1/info/state")) {
            request.response().setStatusCode(404).end();
            return;
        }
        if (request.method().name().equals("GET")) {
            requests.add("GET");
            request.response().putHeader("Content-Type", "application/json").end("\"" + state.name() + "\"");
            return;
        }
        request.body().onSuccess(body -> {
            String text = body.toString().strip();
            String user = request.getHeader(userHeader.orElse(FlavourProfile.TRINO.userHeader()));
            requests.add("PUT " + text.replace("\"", "") + " as " + user);
            if (refuseWith.isPresent()) {
                request.response().setStatusCode(refuseWith.get()).end("Management only resource");
                return;
            }
            if (user == null && userHeader.isPresent()) {
                request.response().setStatusCode(401).end();
                return;
            }
            Optional<WorkerState> target = WorkerState.parse(text);
            if (target.isEmpty() || !"application/json".equals(request.getHeader("Content-Type"))) {
                request.response().setStatusCode(400).end("bad state " + text);
                return;
            }
            int status = change(target.get());
            request.response().setStatusCode(status).end();
        });
    }

    private synchronized int change(WorkerState target)
    {
        switch (target) {
            case DRAINING -> {
                if (!supportsDraining || state == WorkerState.SHUTTING_DOWN) {
                    return 400;
                }
                if (state == WorkerState.ACTIVE) {
                    state = WorkerState.DRAINING;
                    long generation = ++drainGeneration;
                    drainTime.ifPresent(time -> scheduler.after(time).thenRun(() -> drained(generation)));
                }
                return 200;
            }
            case ACTIVE -> {
                if (state == WorkerState.SHUTTING_DOWN) {
                    return 400;
                }
                drainGeneration++;
                state = WorkerState.ACTIVE;
                return 200;
            }
            case SHUTTING_DOWN -> {
                state = WorkerState.SHUTTING_DOWN;
                scheduler.after(exitAfter).thenRun(() -> gone = true);
                return 200;
            }
            default -> {
                return 400;
            }
        }
    }

    private synchronized void drained(long generation)
    {
        if (generation == drainGeneration && state == WorkerState.DRAINING) {
            state = WorkerState.DRAINED;
        }
    }

    @Override
    public void close()
    {
        await(server.close().toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future)
    {
        try {
            return future.get(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
