package io.prestoorchestrator.sim.consul.blocking;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The blocking parameters of a read: {@code ?index=N} and {@code ?wait=D}.
 * Consul defaults the wait to 5 minutes and caps it at 10 minutes.
 */
public record QueryOptions(long minIndex, Optional<Duration> maxWait)
{
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    public QueryOptions
    {
        requireNonNull(maxWait, "maxWait is null");
        if (minIndex < 0) {
            throw new IllegalArgumentException("minIndex is negative");
        }
    }

    public boolean blocking()
    {
        return minIndex > 0;
    }

    public Duration effectiveWait()
    {
        Duration requested = maxWait.filter(duration -> duration.compareTo(Duration.ZERO) > 0).orElse(DEFAULT_WAIT);
        return requested.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : requested;
    }
}
