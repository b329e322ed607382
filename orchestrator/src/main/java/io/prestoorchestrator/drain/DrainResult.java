package io.prestoorchestrator.drain;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How one worker's drain ended.
 *
 * @param took from the first request to the outcome
 * @param lastState the state the worker last reported, empty when it never answered
 * @param detail what happened, for events and logs
 */
public record DrainResult(URI worker, Outcome outcome, Duration took, Optional<WorkerState> lastState, String detail)
{
    public DrainResult
    {
        requireNonNull(worker, "worker is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(took, "took is null");
        requireNonNull(lastState, "lastState is null");
        requireNonNull(detail, "detail is null");
    }

    /** The worker runs no more work: it is safe to stop its allocation now. */
    public boolean safeToStop()
    {
        return outcome == Outcome.DRAINED || outcome == Outcome.SHUTTING_DOWN || outcome == Outcome.GONE;
    }

    public enum Outcome
    {
        /** The worker reached DRAINED and keeps running idle until it is stopped. */
        DRAINED,
        /** No DRAINING on this flavour or version: SHUTTING_DOWN was used and the worker exited. */
        SHUTTING_DOWN,
        /** The bound passed first; {@code lastState} says where it was. */
        TIMED_OUT,
        /** The worker stopped answering (its process or node went away). */
        GONE,
        /** The worker refused the state change (access control, or not a worker). */
        REFUSED;

        /** The cluster event a scale-in's drain that ended so is recorded as. */
        public String eventType()
        {
            return switch (this) {
                case DRAINED -> "worker-drained";
                case SHUTTING_DOWN -> "worker-shut-down";
                case TIMED_OUT -> "drain-timed-out";
                case GONE -> "drain-worker-gone";
                case REFUSED -> "drain-refused";
            };
        }
    }
}
