package io.prestoorchestrator.drain;

import io.prestoorchestrator.drain.DrainResult.Outcome;
import io.prestoorchestrator.drain.TrinoWorkers.StateChange;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The one drain loop every termination path uses: {@code DRAINING}, then wait for {@code DRAINED}
 * (Trino keeps the drained worker running, idle, until it is stopped); where the flavour or version
 * has no {@code DRAINING}, {@code SHUTTING_DOWN} and wait for the process to exit. Idempotent: a
 * worker found already DRAINED or SHUTTING_DOWN (a drain resumed by a new leader) is not asked again.
 * Trino-side outcomes never fail the returned stage; they are in the {@link DrainResult}.
 */
public final class WorkerDrainer
{
    /** Consecutive unanswered polls after which a worker may count as gone (one miss may be a blip)... */
    static final int GONE_AFTER_MISSES = 3;
    /** ...once it has not answered for this long either: a worker busy on a loaded machine can miss a few polls. */
    public static final Duration DEFAULT_GONE_AFTER = Duration.ofSeconds(10);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final TrinoWorkers workers;
    private final Clock clock;
    private final Duration pollInterval;
    private final Executor executor;
    private final Duration goneAfter;

    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Executor executor)
    {
        this(workers, clock, pollInterval, executor, DEFAULT_GONE_AFTER);
    }

    /** @param goneAfter how long a worker must not answer (and at least 3 polls in a row) before it counts as gone */
    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Executor executor, Duration goneAfter)
    {
        this.goneAfter = requireNonNull(goneAfter, "goneAfter is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.executor = requireNonNull(executor, "executor is null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
    }

    /** Drains {@code worker}, waiting at most {@code bound}; {@code progress} hears each state change and, while waiting, every 10 s. */
    public CompletionStage<DrainResult> drain(URI worker, Duration bound, Consumer<String> progress)
    {
        requireNonNull(worker, "worker is null");
        requireNonNull(bound, "bound is null");
        requireNonNull(progress, "progress is null");
        Instant started = clock.instant();
        Drain drain = new Drain(worker, started, started.plus(bound), progress);
        return attempt(drain);
    }

    /** Asks for DRAINING; a worker that does not answer is asked again each poll until it answers, the bound passes, or it has been silent long enough to count as gone. */
    private CompletionStage<DrainResult> attempt(Drain drain)
    {
        URI worker = drain.worker;
        Consumer<String> progress = drain.progress;
        return workers.state(worker).thenCompose(current -> {
            if (current.isPresent()) {
                drain.seen = current;
                drain.lastAnswer = clock.instant();
            }
            if (current.equals(Optional.of(WorkerState.DRAINED))) {
                return CompletableFuture.completedFuture(drain.result(Outcome.DRAINED, "already DRAINED"));
            }
            if (current.equals(Optional.of(WorkerState.SHUTTING_DOWN))) {
                progress.accept("already SHUTTING_DOWN, waiting for it to exit");
                return drain.awaitExit();
            }
            if (current.equals(Optional.of(WorkerState.DRAINING))) {
                progress.accept("already DRAINING, waiting for DRAINED");
                return drain.awaitDrained();
            }
            return workers.request(worker, WorkerState.DRAINING).thenCompose(change -> switch (change) {
                case ACCEPTED -> {
                    progress.accept("DRAINING requested");
                    yield drain.awaitDrained();
                }
                case UNSUPPORTED -> shutDown(drain);
                case REFUSED -> CompletableFuture.completedFuture(drain.result(Outcome.REFUSED,
                        "the worker refused DRAINING: its access control must let the orchestrator's user change the state"));
                case UNREACHABLE -> {
                    Instant now = clock.instant();
                    if (Duration.between(drain.lastAnswer, now).compareTo(goneAfter) >= 0) {
                        yield CompletableFuture.completedFuture(drain.result(Outcome.GONE, "the worker does not answer"));
                    }
                    if (!now.isBefore(drain.deadline)) {
                        yield CompletableFuture.completedFuture(drain.result(Outcome.TIMED_OUT, "the worker did not take DRAINING before the bound passed"));
                    }
                    yield pause().thenCompose(ignored -> attempt(drain));
                }
            });
        });
    }

    /** Cancels a drain: {@code ACTIVE} on a DRAINING or DRAINED worker. True when the worker is (now) ACTIVE. */
    public CompletionStage<Boolean> reactivate(URI worker)
    {
        requireNonNull(worker, "worker is null");
        return workers.state(worker).thenCompose(current -> {
            if (current.equals(Optional.of(WorkerState.ACTIVE))) {
                return CompletableFuture.completedFuture(true);
            }
            if (current.equals(Optional.of(WorkerState.DRAINING)) || current.equals(Optional.of(WorkerState.DRAINED))) {
                return workers.request(worker, WorkerState.ACTIVE).thenApply(change -> change == StateChange.ACCEPTED);
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    private CompletionStage<DrainResult> shutDown(Drain drain)
    {
        drain.progress.accept("no DRAINING on this worker: SHUTTING_DOWN requested instead");
        return workers.request(drain.worker, WorkerState.SHUTTING_DOWN).thenCompose(change -> switch (change) {
            case ACCEPTED -> drain.awaitExit();
            case UNREACHABLE -> drain.awaitExit();
            case UNSUPPORTED, REFUSED -> CompletableFuture.completedFuture(drain.result(Outcome.REFUSED,
                    "the worker refused both DRAINING and SHUTTING_DOWN (" + change + ")"));
        });
    }

    private CompletionStage<Void> pause()
    {
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(pollInterval.toMillis(), TimeUnit.MILLISECONDS, executor));
    }

    private final class Drain
    {
        private final URI worker;
        private final Instant started;
        private final Instant deadline;
        private final Consumer<String> progress;
        private Optional<WorkerState> seen = Optional.empty();
        private int misses;
        private Instant lastAnswer;
        private Instant lastProgress;

        Drain(URI worker, Instant started, Instant deadline, Consumer<String> progress)
        {
            this.worker = worker;
            this.started = started;
            this.deadline = deadline;
            this.progress = progress;
            this.lastProgress = started;
            this.lastAnswer = started;
        }

        CompletionStage<DrainResult> awaitDrained()
        {
            return poll(state -> state == WorkerState.DRAINED, Outcome.DRAINED, false);
        }

        /** After SHUTTING_DOWN the worker's exit is the goal: gone is success. */
        CompletionStage<DrainResult> awaitExit()
        {
            return poll(state -> false, Outcome.SHUTTING_DOWN, true);
        }

        private CompletionStage<DrainResult> poll(Predicate<WorkerState> done, Outcome success, boolean exitIsSuccess)
        {
            return workers.state(worker).thenCompose(state -> {
                Instant now = clock.instant();
                if (state.isPresent()) {
                    misses = 0;
                    lastAnswer = now;
                    if (!state.equals(seen)) {
                        seen = state;
                        lastProgress = now;
                        progress.accept(state.get() + " after " + seconds(Duration.between(started, now)));
                    }
                    if (done.test(state.get())) {
                        return CompletableFuture.completedFuture(result(success, "reached " + state.get()));
                    }
                    if (state.get() == WorkerState.ACTIVE && !exitIsSuccess) {
                        return CompletableFuture.completedFuture(result(Outcome.REFUSED, "the worker went back to ACTIVE: someone cancelled the drain"));
                    }
                }
                else if (++misses >= GONE_AFTER_MISSES && Duration.between(lastAnswer, now).compareTo(goneAfter) >= 0) {
                    return CompletableFuture.completedFuture(exitIsSuccess
                            ? result(success, "SHUTTING_DOWN, then the process exited")
                            : result(Outcome.GONE, "the worker stopped answering while " + seen.map(WorkerState::name).orElse("draining")));
                }
                if (!now.isBefore(deadline)) {
                    return CompletableFuture.completedFuture(result(Outcome.TIMED_OUT,
                            "still " + seen.map(WorkerState::name).orElse("unanswered") + " when the bound of " + seconds(Duration.between(started, deadline)) + " passed"));
                }
                if (Duration.between(lastProgress, now).compareTo(PROGRESS_EVERY) >= 0) {
                    lastProgress = now;
                    progress.accept(seen.map(WorkerState::name).orElse("no answer") + " for " + seconds(Duration.between(started, now)));
                }
                return pause().thenCompose(ignored -> poll(done, success, exitIsSuccess));
            });
        }

        DrainResult result(Outcome outcome, String detail)
        {
            return new DrainResult(worker, outcome, Duration.between(started, clock.instant()), seen, detail);
        }
    }

    static String seconds(Duration duration)
    {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }
}
