package io.prestoorchestrator.lifecycle;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Capped exponential backoff with jitter, for an outside call that failed and is tried again: the
 * n-th failure in a row waits a random time between half and all of
 * {@code min(max, initial * 2^(n-1))}. The lower half bound keeps a failing dependency from being
 * called in a tight loop; the jitter keeps replicas (and drains) from retrying in step.
 */
public final class Backoff
{
    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier jitter;

    /** With {@link ThreadLocalRandom} as the jitter. */
    public Backoff(Duration initial, Duration max)
    {
        this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param jitter a value in [0, 1) per call: 0 waits half the step, values near 1 the whole step */
    public Backoff(Duration initial, Duration max, DoubleSupplier jitter)
    {
        this.initial = requireNonNull(initial, "initial is null");
        this.max = requireNonNull(max, "max is null");
        this.jitter = requireNonNull(jitter, "jitter is null");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** How long to wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures)
    {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        }
        Duration step = max;
        // doubling past 62 overflows; max is reached long before
        if (failures <= 62 && initial.toNanos() <= max.toNanos() >> (failures - 1)) {
            step = initial.multipliedBy(1L << (failures - 1));
        }
        double fraction = Math.min(Math.max(jitter.getAsDouble(), 0), 1);
        long half = step.toNanos() / 2;
        return Duration.ofNanos(half + (long) ((step.toNanos() - half) * fraction));
    }

    public Duration initial()
    {
        return initial;
    }

    public Duration max()
    {
        return max;
    }
}
