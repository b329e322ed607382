package io.prestoorchestrator.autoscaling;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The last poll of one cluster's coordinator: the computation, or why there is none.
 *
 * @param computedAt when the poll ended
 * @param coordinator the coordinator read, when one was found in Consul
 * @param computation the signal, when the coordinator answered
 * @param error why there is no computation
 */
public record ClusterSignal(String cluster, Instant computedAt, Optional<String> coordinator, Optional<WorkersNeeded> computation, Optional<String> error)
{
    public ClusterSignal
    {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(computedAt, "computedAt is null");
        requireNonNull(coordinator, "coordinator is null");
        requireNonNull(computation, "computation is null");
        requireNonNull(error, "error is null");
        if (computation.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("a signal has either a computation or an error");
        }
    }
}
