package io.prestoorchestrator.time;

import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

class TestScheduler
{
    @Test
    void testCompletingOnHopsToTheExecutorOnceTheDelayHasPassed()
    {
        TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));
        List<Runnable> queued = new ArrayList<>();
        Executor executor = queued::add;
        CompletableFuture<Void> done = time.completingOn(executor).after(Duration.ofSeconds(5)).toCompletableFuture();

        time.advance(Duration.ofSeconds(5).minusMillis(1));
        assertThat(done).isNotDone();
        assertThat(queued).isEmpty();

        time.advance(Duration.ofMillis(1));
        assertThat(done).as("not completed on the thread that advanced the clock").isNotDone();
        assertThat(queued).hasSize(1);
        queued.get(0).run();
        assertThat(done).isCompleted();
        assertThat(time.requested()).containsExactly(Duration.ofSeconds(5));
    }
}
