package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.drain.QueryTimeLeft;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * What drain path 1 does for a coordinator on a terminating node. Trino refuses DRAINING and
 * SHUTTING_DOWN on a coordinator, and a cluster has one, so its queries end when it stops whatever
 * is done: the most that can be done is to stop it only once the queries that were running when
 * the instance started terminating have ended, within a bound. Queries submitted after that fail
 * when it stops, and the cluster has no coordinator until Nomad places a new one on another node;
 * the lifecycle service says so in the cluster's events.
 */
@FunctionalInterface
public interface CoordinatorWait
{
    /** Consecutive looks without an answer after which the coordinator counts as not serving. */
    int UNANSWERED_LOOKS = 3;

    /** How a wait ended. */
    enum Outcome
    {
        /** None of the queries running at the start runs any more. */
        QUERIES_ENDED,
        /** Some still ran at the bound: stopping the coordinator fails them. */
        BOUND_REACHED,
        /** The coordinator did not answer {@link #UNANSWERED_LOOKS} looks in a row: it serves no query to wait for. */
        UNANSWERED,
        /** {@code drain.enabled} is false: not waited for. */
        DISABLED
    }

    /**
     * Waits, at most {@code bound}, until none of the queries of {@code cluster} created before the
     * call runs any more. Never fails: every ending is an {@link Outcome}.
     */
    CompletionStage<Result> await(String cluster, Duration bound, Consumer<String> progress);

    /** Whether {@link #await} waits for the queries at all ({@code drain.enabled}). */
    default boolean waits()
    {
        return true;
    }

    /**
     * @param detail what was last seen, for the events
     */
    record Result(Outcome outcome, Duration took, String detail)
    {
        public Result
        {
            requireNonNull(outcome, "outcome is null");
            requireNonNull(took, "took is null");
            requireNonNull(detail, "detail is null");
        }
    }

    /** No wait ({@code drain.enabled: false}): the node drain stops the coordinator at once. */
    static CoordinatorWait disabled()
    {
        return new CoordinatorWait()
        {
            @Override
            public CompletionStage<Result> await(String cluster, Duration bound, Consumer<String> progress)
            {
                return CompletableFuture.completedFuture(
                        new Result(Outcome.DISABLED, Duration.ZERO, "drain.enabled is false: the node drain stops the coordinator without waiting for its queries"));
            }

            @Override
            public boolean waits()
            {
                return false;
            }
        };
    }

    /**
     * Looks at the coordinator's queries ({@link QueryTimeLeft}, which reads its query list) at once
     * and every {@code lookEvery}.
     */
    static CoordinatorWait of(QueryTimeLeft timeLeft, Clock clock, Scheduler delays, Duration lookEvery)
    {
        requireNonNull(timeLeft, "timeLeft is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(delays, "delays is null");
        requireNonNull(lookEvery, "lookEvery is null");
        return (cluster, bound, progress) -> new QueriesEndWait(timeLeft, clock, delays, lookEvery, cluster, bound, progress).look();
    }
}
