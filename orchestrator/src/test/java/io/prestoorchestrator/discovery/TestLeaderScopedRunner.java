package io.prestoorchestrator.discovery;

import io.prestoorchestrator.discovery.LeaderScopedRunner.Execution;
import io.prestoorchestrator.discovery.LeaderScopedRunner.LeadershipLostException;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Term;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leader-scoped part shared by the operations and the lifecycle drains: terms, one run per key, guarded waits. */
class TestLeaderScopedRunner
{
    private final LeaderScopedRunner runner = new LeaderScopedRunner("test work");

    @Test
    void testATermBeginsOnceAndEndsOnce()
    {
        assertThat(runner.isLeader()).isFalse();
        assertThat(runner.current()).isEmpty();
        assertThat(runner.end()).as("ending without a term").isEmpty();

        Term first = runner.begin().orElseThrow();
        assertThat(runner.begin()).as("a repeated gained starts no second term").isEmpty();
        assertThat(runner.isLeader()).isTrue();
        assertThat(runner.current()).containsSame(first);

        assertThat(runner.end()).map(LeaderScopedRunner.Ended::term).containsSame(first);
        assertThat(first.ended()).isTrue();
        assertThat(runner.isLeader()).isFalse();

        Term second = runner.begin().orElseThrow();
        assertThat(second.number()).isGreaterThan(first.number());
        assertThat(second.ended()).isFalse();
    }

    @Test
    void testOneRunPerKeyUntilItsWorkCompletes()
    {
        Term term = runner.begin().orElseThrow();
        CompletableFuture<Void> work = new CompletableFuture<>();
        AtomicInteger runs = new AtomicInteger();

        assertThat(runner.start(term, "i-1", execution -> {
            runs.incrementAndGet();
            return work;
        })).isTrue();
        assertThat(runner.start(term, "i-1", execution -> {
            runs.incrementAndGet();
            return new CompletableFuture<>();
        })).as("the key runs already").isFalse();
        assertThat(runner.running()).containsExactly("i-1");
        assertThat(runner.isRunning("i-1")).isTrue();

        work.complete(null);
        assertThat(runner.running()).isEmpty();
        assertThat(runner.start(term, "i-1", execution -> {
            runs.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        })).as("free again once its work completed").isTrue();
        assertThat(runs).hasValue(2);
    }

    @Test
    void testAFailedOrThrowingWorkFreesItsKey()
    {
        Term term = runner.begin().orElseThrow();
        assertThat(runner.start(term, "a", execution -> CompletableFuture.failedFuture(new IllegalStateException("boom")))).isTrue();
        assertThat(runner.start(term, "b", execution -> {
            throw new IllegalStateException("thrown");
        })).isTrue();
        assertThat(runner.running()).isEmpty();
    }

    @Test
    void testEndingATermForgetsItsRunsAndEndsItsGuardedWaits()
    {
        Term old = runner.begin().orElseThrow();
        CompletableFuture<Void> wait = new CompletableFuture<>();
        List<Execution> executions = new ArrayList<>();
        List<CompletableFuture<Void>> guarded = new ArrayList<>();
        runner.start(old, "op-1", execution -> {
            executions.add(execution);
            CompletableFuture<Void> stage = execution.guard(wait).toCompletableFuture();
            guarded.add(stage);
            return stage;
        });
        runner.start(old, "op-2", execution -> new CompletableFuture<>());

        Optional<LeaderScopedRunner.Ended> ended = runner.end();
        assertThat(ended).map(LeaderScopedRunner.Ended::stopped).contains(Set.of("op-1", "op-2"));
        assertThat(runner.running()).isEmpty();
        assertThat(executions.get(0).active()).isFalse();
        assertThatThrownBy(guarded.get(0)::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(LeadershipLostException.class);
        assertThat(wait).as("the guarded wait is cancelled").isCancelled();

        assertThat(runner.start(old, "op-3", execution -> CompletableFuture.completedFuture(null))).as("an ended term starts nothing").isFalse();
        Term next = runner.begin().orElseThrow();
        assertThat(runner.start(next, "op-1", execution -> new CompletableFuture<>())).as("a new term runs the same key again").isTrue();
        assertThat(runner.running()).containsExactly("op-1");
    }

    @Test
    void testAGuardedWaitThatEndsFirstPassesItsResult()
    {
        Term term = runner.begin().orElseThrow();
        CompletableFuture<String> wait = new CompletableFuture<>();
        List<CompletableFuture<String>> guarded = new ArrayList<>();
        runner.start(term, "k", execution -> {
            guarded.add(execution.guard(wait).toCompletableFuture());
            return new CompletableFuture<>();
        });
        wait.complete("done");
        assertThat(guarded.get(0)).isCompletedWithValue("done");
        runner.end();
        assertThat(guarded.get(0)).as("ending the term later changes nothing").isCompletedWithValue("done");
    }

    @Test
    void testAnOldRunEndingLateDoesNotFreeTheNewTermsRun()
    {
        Term old = runner.begin().orElseThrow();
        CompletableFuture<Void> oldWork = new CompletableFuture<>();
        runner.start(old, "i-1", execution -> oldWork);
        runner.end();
        Term next = runner.begin().orElseThrow();
        runner.start(next, "i-1", execution -> new CompletableFuture<>());

        oldWork.complete(null);
        assertThat(runner.running()).containsExactly("i-1");
    }
}
