package io.prestoorchestrator.autoscaling;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The scaling signal and how it was reached.
 *
 * @param needed the workers the cluster needs now: {@code rawNeed} clamped to min..max
 * @param busyQueries running queries that are not fully blocked
 * @param rawNeed workers for the busy and queued queries at the configured queries per worker, before the clamp
 * @param clamp whether min or max changed the raw need
 * @param reason the computation in words
 */
public record WorkersNeeded(int needed, int busyQueries, int rawNeed, Clamp clamp, String reason, SignalInputs inputs)
{
    public enum Clamp
    {
        NONE, MIN, MAX;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WorkersNeeded
    {
        requireNonNull(clamp, "clamp is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(inputs, "inputs is null");
    }

    /** The change the signal asks for against the workers active now: positive out, negative in. */
    public int change()
    {
        return needed - inputs.activeWorkers();
    }
}
