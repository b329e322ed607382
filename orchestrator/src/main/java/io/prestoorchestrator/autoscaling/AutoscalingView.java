package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.cluster.ClusterState;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code GET /v1/clusters/{name}/autoscaling} shows.
 *
 * @param state the cluster's lifecycle state
 * @param polled whether the collector polls this cluster in this state
 * @param last the last poll, empty before the first one
 */
public record AutoscalingView(String cluster, ClusterState state, boolean polled, Duration pollInterval, Optional<ClusterSignal> last)
{
    public AutoscalingView
    {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(state, "state is null");
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(last, "last is null");
    }
}
