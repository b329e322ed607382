package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.drain.QueryTimeLeft;
import io.prestoorchestrator.lifecycle.CoordinatorWait.Outcome;
import io.prestoorchestrator.lifecycle.CoordinatorWait.Result;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.time.Scheduler;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

class TestCoordinatorWait
{
    private static final Scheduler AT_ONCE = delay -> CompletableFuture.completedFuture(null);

    private final List<Instant> createdBy = new CopyOnWriteArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();

    @Test
    void testEndsWhenNoQueryFromBeforeTheWaitRuns()
    {
        Result result = await(wait(answers(Optional.of(Duration.ofSeconds(40)), Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ZERO)), Duration.ofMinutes(15)));

        assertThat(result.outcome()).isEqualTo(Outcome.QUERIES_ENDED);
        assertThat(createdBy).as("every look counts the queries created before the wait began").hasSize(3).containsOnly(createdBy.get(0));
        assertThat(progress).hasSize(2).allMatch(line -> line.contains("still run"));
        assertThat(progress.get(0)).contains("the longest may run 40 s more");
    }

    @Test
    void testSilentCoordinatorEndsTheWaitAfterThreeLooksInARow()
    {
        // an answer in between starts the count again; a failed call counts as silence
        Result result = await(wait((cluster, at) -> {
            createdBy.add(at);
            return switch (createdBy.size()) {
                case 1, 2 -> CompletableFuture.completedFuture(Optional.empty());
                case 3 -> CompletableFuture.completedFuture(Optional.of(Duration.ofSeconds(10)));
                case 4 -> CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
                default -> CompletableFuture.completedFuture(Optional.empty());
            };
        }, Duration.ofMinutes(15)));

        assertThat(result.outcome()).isEqualTo(Outcome.UNANSWERED);
        assertThat(createdBy).hasSize(6);
        assertThat(result.detail()).contains("did not answer 3 looks in a row");
    }

    @Test
    void testBoundEndsTheWait()
    {
        TestingScheduler time = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
        CompletableFuture<Result> waiting = CoordinatorWait.of(answers(Optional.of(Duration.ofDays(100))), time.clock(), time, Duration.ofMillis(50))
                .await("adhoc", Duration.ofMillis(400), progress::add)
                .toCompletableFuture();

        time.advance(Duration.ofMillis(399));
        assertThat(waiting).as("still waiting before the bound").isNotDone();
        time.advance(Duration.ofMillis(1));

        Result result = await(waiting);
        assertThat(result.outcome()).isEqualTo(Outcome.BOUND_REACHED);
        assertThat(result.took()).isEqualTo(Duration.ofMillis(400));
        assertThat(createdBy).as("a look at the start and one every 50 ms up to the bound").hasSize(9);
        assertThat(time.requested()).containsOnly(Duration.ofMillis(50));
        assertThat(result.detail()).contains("the longest may run 8640000 s more");
    }

    @Test
    void testDisabledDoesNotWait()
    {
        assertThat(await(CoordinatorWait.disabled().await("adhoc", Duration.ofMinutes(15), progress::add)).outcome()).isEqualTo(Outcome.DISABLED);
    }

    private CompletionStage<Result> wait(QueryTimeLeft timeLeft, Duration bound)
    {
        return CoordinatorWait.of(timeLeft, Clock.systemUTC(), AT_ONCE, Duration.ofSeconds(10)).await("adhoc", bound, progress::add);
    }

    /** Answers one after another; the last repeats. */
    @SafeVarargs
    private QueryTimeLeft answers(Optional<Duration>... answers)
    {
        List<Optional<Duration>> left = new ArrayList<>(List.of(answers));
        return (cluster, at) -> {
            createdBy.add(at);
            return CompletableFuture.completedFuture(left.size() > 1 ? left.remove(0) : left.get(0));
        };
    }
}
