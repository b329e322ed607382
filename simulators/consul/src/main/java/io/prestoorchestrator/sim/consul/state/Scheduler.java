package io.prestoorchestrator.sim.consul.state;

import java.time.Duration;

/**
 * Runs a task later. Production code backs it with Vert.x timers on the simulator's context;
 * tests can back it with a manual queue.
 */
@FunctionalInterface
public interface Scheduler
{
    Cancellable schedule(Duration delay, Runnable task);

    @FunctionalInterface
    interface Cancellable
    {
        void cancel();
    }
}
