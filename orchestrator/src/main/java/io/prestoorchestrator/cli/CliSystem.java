package io.prestoorchestrator.cli;

import java.time.Clock;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What the API commands take from the machine besides the network: the time, the wait between
 * two polls, and the terminal. {@link #real()} in the jar; tests pass a fixed clock, a pause that
 * does not sleep and a scripted terminal.
 */
record CliSystem(Clock clock, Pause pause, Terminal terminal)
{
    CliSystem
    {
        requireNonNull(clock, "clock is null");
        requireNonNull(pause, "pause is null");
        requireNonNull(terminal, "terminal is null");
    }

    static CliSystem real()
    {
        return new CliSystem(Clock.systemUTC(), interval -> {
            Thread.sleep(interval.toMillis());
            return true;
        }, Terminal.system());
    }

    /** Waits between two polls of a command that follows something until it is told to stop. */
    @FunctionalInterface
    interface Pause
    {
        /** Waits {@code interval}; false when following should end (tests; in the jar only Ctrl-C ends it). */
        boolean await(Duration interval)
                throws InterruptedException;
    }
}
