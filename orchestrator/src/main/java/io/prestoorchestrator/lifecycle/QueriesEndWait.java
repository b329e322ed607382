package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.drain.QueryTimeLeft;
import io.prestoorchestrator.lifecycle.CoordinatorWait.Outcome;
import io.prestoorchestrator.lifecycle.CoordinatorWait.Result;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** One {@link CoordinatorWait#of} wait: looks until the queries from before it have ended, the bound passes, or the coordinator stays silent. */
final class QueriesEndWait
{
    private final QueryTimeLeft timeLeft;
    private final Clock clock;
    private final Scheduler delays;
    private final Duration lookEvery;
    private final String cluster;
    private final Duration bound;
    private final Consumer<String> progress;
    private final Instant started;
    private int unanswered;

    QueriesEndWait(QueryTimeLeft timeLeft, Clock clock, Scheduler delays, Duration lookEvery, String cluster, Duration bound, Consumer<String> progress)
    {
        this.timeLeft = timeLeft;
        this.clock = clock;
        this.delays = delays;
        this.lookEvery = lookEvery;
        this.cluster = cluster;
        this.bound = bound;
        this.progress = progress;
        this.started = clock.instant();
    }

    CompletionStage<Result> look()
    {
        CompletionStage<Optional<Duration>> left;
        try {
            left = timeLeft.longest(cluster, started);
        }
        catch (RuntimeException e) {
            left = CompletableFuture.failedFuture(e);
        }
        return left.handle((longest, failure) -> failure == null ? longest : Optional.<Duration>empty())
                .thenCompose(this::seen);
    }

    private CompletionStage<Result> seen(Optional<Duration> longest)
    {
        Instant now = clock.instant();
        Duration took = Duration.between(started, now);
        if (longest.isPresent() && longest.get().isZero()) {
            return CompletableFuture.completedFuture(new Result(Outcome.QUERIES_ENDED, took, "none of the queries running when the wait started runs any more"));
        }
        unanswered = longest.isPresent() ? 0 : unanswered + 1;
        String seen = longest.map(duration -> "the longest may run " + duration.toSeconds() + " s more by its limits").orElse("the coordinator did not answer");
        if (unanswered >= CoordinatorWait.UNANSWERED_LOOKS) {
            return CompletableFuture.completedFuture(new Result(Outcome.UNANSWERED, took, "the coordinator did not answer " + unanswered + " looks in a row"));
        }
        Duration remaining = bound.minus(took);
        if (remaining.isNegative() || remaining.isZero()) {
            return CompletableFuture.completedFuture(new Result(Outcome.BOUND_REACHED, took, "queries running when the wait started still ran after " + bound.toSeconds() + " s; " + seen));
        }
        progress.accept("after " + took.toSeconds() + " s, queries running when the wait started still run; " + seen);
        return delays.after(lookEvery.compareTo(remaining) < 0 ? lookEvery : remaining).thenCompose(ignored -> look());
    }
}
