package io.prestoorchestrator.drain;

import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.drain.DrainResult.Outcome;
import io.prestoorchestrator.drain.TrinoWorkers.StateChange;
import io.prestoorchestrator.time.Scheduler;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The one drain loop every termination path uses: {@code DRAINING}, then wait for {@code DRAINED}
 * (Trino keeps the drained worker running, idle, until it is stopped); where the flavour or version
 * has no {@code DRAINING}, {@code SHUTTING_DOWN} and wait for the process to exit. Idempotent: a
 * worker found already DRAINED or SHUTTING_DOWN (a drain resumed by a new leader) is not asked again.
 * Trino-side outcomes never fail the returned stage; they are in the {@link DrainResult}.
 * <p>
 * The deadline comes from what the cluster runs, bounded by the caller's bound ({@code drain.timeout}):
 * at the start and every {@code lookEvery}, the longest time any unfinished query of the cluster
 * created before the worker can take no more tasks (the start plus 30 s) may still run by Trino's
 * limits ({@link QueryTimeLeft}), plus {@code settle} (a worker reports DRAINED about one
 * {@code shutdown.grace-period} after its last task). Queries without a limit, or a coordinator that does not answer, leave the bound.
 */
public final class WorkerDrainer
{
    /** Consecutive unanswered polls after which a worker may count as gone (one miss may be a blip)... */
    static final int GONE_AFTER_MISSES = 3;
    /** ...once it has not answered for this long either: a worker busy on a loaded machine can miss a few polls. */
    public static final Duration DEFAULT_GONE_AFTER = DrainConfig.DEFAULTS.goneAfter();
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    /** How often a drain looks at the cluster's queries again, by default. */
    public static final Duration DEFAULT_LOOK_EVERY = DrainConfig.DEFAULTS.queryLookInterval();
    /**
     * Added to the longest time a query may still run, by default: a worker reports DRAINED about
     * one {@code shutdown.grace-period} after its last task (28 s at 30 s in the lifecycle hook IT, now DrainPathsIT path 1), and
     * the shipped production variables set 2m; twice that plus a minute.
     */
    public static final Duration DEFAULT_SETTLE = Duration.ofMinutes(5);
    /**
     * Queries created up to this long after the drain started count: the coordinator notices a
     * draining worker only when it next polls it, and placed tasks on one for queries submitted
     * 7.6 s after the request (FACTS.md).
     */
    static final Duration COORDINATOR_LAG = Duration.ofSeconds(30);

    private final TrinoWorkers workers;
    private final Clock clock;
    private final Duration pollInterval;
    private final Scheduler scheduler;
    private final Duration goneAfter;
    private final QueryTimeLeft timeLeft;
    private final Duration lookEvery;
    private final Duration settle;

    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Scheduler scheduler)
    {
        this(workers, clock, pollInterval, scheduler, DEFAULT_GONE_AFTER);
    }

    /** @param goneAfter how long a worker must not answer (and at least 3 polls in a row) before it counts as gone */
    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Scheduler scheduler, Duration goneAfter)
    {
        this(workers, clock, pollInterval, scheduler, goneAfter, QueryTimeLeft.unknown(), DEFAULT_LOOK_EVERY, DEFAULT_SETTLE);
    }

    /** @param timeLeft how long the cluster's queries may still run, from which each drain's deadline is derived */
    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Scheduler scheduler, QueryTimeLeft timeLeft)
    {
        this(workers, clock, pollInterval, scheduler, DEFAULT_GONE_AFTER, timeLeft, DEFAULT_LOOK_EVERY, DEFAULT_SETTLE);
    }

    /**
     * @param timeLeft how long the cluster's queries may still run, from which each drain's deadline is derived
     * @param lookEvery how often a drain asks {@code timeLeft} again
     * @param settle added to the longest time left: how long a worker may take to report DRAINED after its last task
     */
    public WorkerDrainer(TrinoWorkers workers, Clock clock, Duration pollInterval, Scheduler scheduler, Duration goneAfter, QueryTimeLeft timeLeft, Duration lookEvery, Duration settle)
    {
        this.goneAfter = requireNonNull(goneAfter, "goneAfter is null");
        this.timeLeft = requireNonNull(timeLeft, "timeLeft is null");
        this.lookEvery = requireNonNull(lookEvery, "lookEvery is null");
        this.settle = requireNonNull(settle, "settle is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
    }

    /** Drains {@code worker} with {@code bound} as its deadline, whatever its cluster runs. */
    public CompletionStage<DrainResult> drain(URI worker, Duration bound, Consumer<String> progress)
    {
        return drain(worker, Optional.empty(), bound, progress);
    }

    /**
     * Drains {@code worker} of {@code cluster}, waiting until the deadline its cluster's queries
     * give, at most {@code bound}; {@code progress} hears each state change, each new deadline and,
     * while waiting, every 10 s.
     */
    public CompletionStage<DrainResult> drain(URI worker, String cluster, Duration bound, Consumer<String> progress)
    {
        return drain(worker, Optional.of(requireNonNull(cluster, "cluster is null")), bound, progress);
    }

    private CompletionStage<DrainResult> drain(URI worker, Optional<String> cluster, Duration bound, Consumer<String> progress)
    {
        requireNonNull(worker, "worker is null");
        requireNonNull(bound, "bound is null");
        requireNonNull(progress, "progress is null");
        Instant started = clock.instant();
        Drain drain = new Drain(worker, cluster, started, started.plus(bound), progress);
        return drain.look().thenCompose(ignored -> attempt(drain));
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
        return scheduler.after(pollInterval);
    }

    private final class Drain
    {
        private final URI worker;
        private final Optional<String> cluster;
        private final Instant started;
        private final Instant bound;
        private final Consumer<String> progress;
        private Instant deadline;
        private String deadlineReason;
        private Instant nextLook;
        private Instant queriesEnd;
        private Optional<WorkerState> seen = Optional.empty();
        private int misses;
        private Instant lastAnswer;
        private Instant lastProgress;

        Drain(URI worker, Optional<String> cluster, Instant started, Instant bound, Consumer<String> progress)
        {
            this.worker = worker;
            this.cluster = cluster;
            this.started = started;
            this.bound = bound;
            this.deadline = bound;
            this.deadlineReason = boundReason();
            this.nextLook = started;
            this.queriesEnd = started;
            this.progress = progress;
            this.lastProgress = started;
            this.lastAnswer = started;
        }

        /** Derives the deadline again from the cluster's queries, when it is time to look. */
        CompletionStage<Void> look()
        {
            Instant now = clock.instant();
            if (cluster.isEmpty() || now.isBefore(nextLook)) {
                return CompletableFuture.completedFuture(null);
            }
            nextLook = now.plus(lookEvery);
            CompletionStage<Optional<Duration>> left;
            try {
                left = timeLeft.longest(cluster.get(), started.plus(COORDINATOR_LAG));
            }
            catch (RuntimeException e) {
                left = CompletableFuture.failedFuture(e);
            }
            return left.handle((longest, failure) -> {
                Instant previous = deadline;
                deadline = bound;
                deadlineReason = boundReason();
                if (failure == null && longest.isPresent()) {
                    Instant at = clock.instant();
                    // nothing left running: the queries ended at the latest now, perhaps earlier than estimated
                    queriesEnd = longest.get().isZero() ? (queriesEnd.isBefore(at) ? queriesEnd : at) : at.plus(longest.get());
                    Instant derived = queriesEnd.plus(settle);
                    if (derived.isBefore(bound)) {
                        deadline = derived;
                        deadlineReason = "the deadline of " + seconds(Duration.between(started, derived)) + " from the cluster's queries ("
                                + (longest.get().isZero() ? "none left running" : "the longest may run " + seconds(longest.get()) + " more") + ", plus " + seconds(settle) + " to settle)";
                    }
                }
                if (previous.equals(bound) != deadline.equals(bound) || Duration.between(previous, deadline).abs().compareTo(settle) >= 0) {
                    progress.accept("deadline now " + deadlineReason);
                }
                return null;
            });
        }

        private String boundReason()
        {
            return "the bound of " + seconds(Duration.between(started, bound));
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
            return workers.state(worker).thenCompose(state -> look().thenCompose(ignored -> {
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
                            "still " + seen.map(WorkerState::name).orElse("unanswered") + " when " + deadlineReason + " passed"));
                }
                if (Duration.between(lastProgress, now).compareTo(PROGRESS_EVERY) >= 0) {
                    lastProgress = now;
                    progress.accept(seen.map(WorkerState::name).orElse("no answer") + " for " + seconds(Duration.between(started, now)));
                }
                return pause().thenCompose(paused -> poll(done, success, exitIsSuccess));
            }));
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
