package io.prestoorchestrator.testing;

import io.prestoorchestrator.time.Scheduler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Test time for code that waits between real HTTP calls (a drain polling a fake worker): the code under test gets
 * {@link #scheduler()}, and {@link #run} follows one of its stages to the end, moving the {@link TestingScheduler}'s
 * clock by each pause the code asks for once it waits on it (its HTTP calls answered), completing what comes due on
 * the way (the fake's own delays, the test's events). Nothing sleeps; every duration is test time.
 */
public final class TurnTaking
{
    private final TestingScheduler time;
    /** One permit each time the code asks for a pause, and one when the stage {@link #run} follows completes. */
    private final Semaphore turns = new Semaphore(0);
    private volatile Duration asked;

    public TurnTaking(TestingScheduler time)
    {
        this.time = requireNonNull(time, "time is null");
    }

    /** The test clock's delays, telling {@link #run} that the code now waits. */
    public Scheduler scheduler()
    {
        return delay -> {
            asked = delay;
            CompletionStage<Void> pause = time.after(delay);
            turns.release();
            return pause;
        };
    }

    /** The pause asked for last. */
    public Duration asked()
    {
        return asked;
    }

    /** Follows {@code stage} to its end; fails when the code neither waits nor finishes within 10 s of real time. */
    public <T> T run(CompletionStage<T> stage)
    {
        CompletableFuture<T> future = stage.toCompletableFuture();
        future.whenComplete((result, failure) -> turns.release());
        while (true) {
            try {
                if (!turns.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the code under test neither waited nor finished within 10 s of its HTTP calls");
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (future.isDone()) {
                return future.join();
            }
            time.advance(asked);
        }
    }
}
