package io.prestoorchestrator.time;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The one way the orchestrator waits: a stage that completes once {@code delay} has passed, without
 * holding a thread. Time itself is read from a {@link java.time.Clock} injected beside it. The service
 * uses Vert.x timers (built in {@code app/}); unit tests use a testing scheduler whose clock they
 * advance, so polls, backoffs, heartbeats and deadlines are tested without sleeping.
 * <p>
 * The returned stage may complete on the scheduler's own thread (a Vert.x event loop, a test's
 * thread): code that blocks after a delay hops to its executor ({@code thenRunAsync(..., executor)}).
 */
@FunctionalInterface
public interface Scheduler
{
    /** Completes once {@code delay} has passed; a zero or negative delay completes at the next turn. */
    CompletionStage<Void> after(Duration delay);

    /**
     * The monotonic reading this scheduler's delays pass on, in nanoseconds from an arbitrary origin, for code that
     * measures how long ago something happened ({@link System#nanoTime()}, which a testing scheduler replaces with its
     * own clock's reading).
     */
    default long nanoTime()
    {
        return System.nanoTime();
    }

    /**
     * This scheduler's delays, completing on {@code executor}: for code that goes on with blocking
     * work (or must not run on an event loop, or on a test's thread that advances the clock).
     */
    default Scheduler completingOn(Executor executor)
    {
        requireNonNull(executor, "executor is null");
        Scheduler delays = this;
        return new Scheduler()
        {
            @Override
            public CompletionStage<Void> after(Duration delay)
            {
                return delays.after(delay).thenRunAsync(() -> {}, executor);
            }

            @Override
            public long nanoTime()
            {
                return delays.nanoTime();
            }
        };
    }

    /** Delays on the JDK's delayed executor, completing on {@code executor}: for one-shot tools and tests that run in real time. */
    static Scheduler onExecutor(Executor executor)
    {
        requireNonNull(executor, "executor is null");
        return delay -> CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS, executor));
    }
}
