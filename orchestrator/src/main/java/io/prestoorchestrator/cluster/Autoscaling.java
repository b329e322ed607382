package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.joining;

/**
 * The worker group's scaling policy, rendered into the group's Nomad {@code Scaling} block, which
 * nomad-autoscaler reads. Its bounds are {@link Workers#min()} and {@link Workers#max()}: one pair of
 * bounds for manual resizes and the autoscaler alike.
 *
 * @param enabled whether nomad-autoscaler acts on the policy
 * @param signal what the autoscaler scales on
 * @param target for {@link Signal#CPU} only: the average share of allocated CPU to hold, in percent (default 70)
 * @param evaluationInterval how often the autoscaler evaluates the policy ({@code evaluation_interval})
 * @param scaleOutCooldown after a scale-out, how long the policy makes no decision ({@code cooldown_on_scale_up})
 * @param scaleInCooldown after a scale-in, how long the policy makes no decision ({@code cooldown})
 * @param scaleInDelay for {@link Signal#WORKERS_NEEDED}: how long the need must stay lower before workers are
 *         removed (the query takes the highest need over this window); 0s scales in on the first lower reading
 */
public record Autoscaling(
        boolean enabled,
        Signal signal,
        Optional<Double> target,
        String evaluationInterval,
        String scaleOutCooldown,
        String scaleInCooldown,
        String scaleInDelay)
{
    public static final double DEFAULT_CPU_TARGET = 70;

    /**
     * Off unless asked for; when on, tuned for interactive Trino: evaluate every 10 s and scale out at
     * once (a query waits while workers are missing), but remove workers only after the need has
     * stayed lower for 5 minutes, one step per minute (every removal drains a worker).
     */
    public static final Autoscaling DEFAULTS = new Autoscaling(false, Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "5m");

    public Autoscaling
    {
        requireNonNull(signal, "signal is null");
        requireNonNull(target, "target is null");
        requireNonNull(evaluationInterval, "evaluationInterval is null");
        requireNonNull(scaleOutCooldown, "scaleOutCooldown is null");
        requireNonNull(scaleInCooldown, "scaleInCooldown is null");
        requireNonNull(scaleInDelay, "scaleInDelay is null");
    }

    /** The CPU target in percent the {@link Signal#CPU} policy holds. */
    public double effectiveTarget()
    {
        return target.orElse(DEFAULT_CPU_TARGET);
    }

    public enum Signal
    {
        /** The orchestrator's {@code presto_orchestrator_cluster_workers_needed{cluster}} (a worker count, clamped to min..max). */
        WORKERS_NEEDED("workers-needed"),
        /** The workers' average CPU use as a share of what their tasks allocate (nomad-autoscaler's Nomad APM). */
        CPU("cpu");

        private final String jsonName;

        Signal(String jsonName)
        {
            this.jsonName = jsonName;
        }

        @JsonValue
        public String jsonName()
        {
            return jsonName;
        }

        @JsonCreator
        public static Signal fromJson(String value)
        {
            for (Signal signal : values()) {
                if (signal.jsonName.equals(value)) {
                    return signal;
                }
            }
            throw new IllegalArgumentException("unknown signal '" + value + "', expected one of "
                    + Arrays.stream(values()).map(Signal::jsonName).collect(joining(", ")));
        }
    }
}
