package io.prestoorchestrator.drain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Drain metrics: {@code orchestrator.drain.duration} (timer; tags cluster, path, outcome) for every
 * finished drain, {@code orchestrator.drain.stuck} (counter; tags cluster, path, reason) for every
 * worker found stuck past its bound or gone mid-drain.
 */
public final class DrainMetrics
{
    public static final String DURATION = "orchestrator.drain.duration";
    public static final String STUCK = "orchestrator.drain.stuck";

    private final MeterRegistry registry;

    public DrainMetrics(MeterRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
    }

    public void finished(String cluster, String path, DrainResult.Outcome outcome, Duration took)
    {
        Timer.builder(DURATION)
                .description("How long a Trino worker took to drain, by how it ended")
                .tag("cluster", cluster)
                .tag("path", path)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .record(took);
    }

    /** @param reason {@code timed-out}, {@code gone}, {@code refused} or {@code orphaned} */
    public void stuck(String cluster, String path, String reason)
    {
        Counter.builder(STUCK)
                .description("Trino workers stuck draining past their bound, gone mid-drain, or left draining with nothing to finish them")
                .tag("cluster", cluster)
                .tag("path", path)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
