package io.prestoorchestrator.cluster;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the orchestrator keeps about a cluster (in Consul KV): the spec as asked, the lifecycle
 * state, the coordinator port it chose (static discovery), the running operation, and the Nomad
 * job modify index of its own last change (anything else is drift).
 */
public record ClusterRecord(
        ClusterSpec spec,
        ClusterState state,
        Optional<Integer> coordinatorPort,
        Optional<String> activeOperation,
        Optional<Long> jobModifyIndex,
        Instant createdAt,
        Instant updatedAt,
        String createdBy)
{
    public ClusterRecord
    {
        requireNonNull(spec, "spec is null");
        requireNonNull(state, "state is null");
        requireNonNull(coordinatorPort, "coordinatorPort is null");
        requireNonNull(activeOperation, "activeOperation is null");
        requireNonNull(jobModifyIndex, "jobModifyIndex is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(createdBy, "createdBy is null");
    }

    public String name()
    {
        return spec.name();
    }

    public ClusterRecord with(ClusterState newState, Optional<String> operation, Instant now)
    {
        return new ClusterRecord(spec, newState, coordinatorPort, operation, jobModifyIndex, createdAt, now, createdBy);
    }

    public ClusterRecord withSpec(ClusterSpec newSpec, Instant now)
    {
        return new ClusterRecord(newSpec, state, coordinatorPort, activeOperation, jobModifyIndex, createdAt, now, createdBy);
    }

    public ClusterRecord withJobModifyIndex(long index, Instant now)
    {
        return new ClusterRecord(spec, state, coordinatorPort, activeOperation, Optional.of(index), createdAt, now, createdBy);
    }
}
