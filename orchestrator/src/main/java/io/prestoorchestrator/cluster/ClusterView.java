package io.prestoorchestrator.cluster;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A cluster as {@code GET /v1/clusters/{name}} shows it: what was asked, and what runs. */
public record ClusterView(ClusterRecord record, Status status)
{
    public ClusterView
    {
        requireNonNull(record, "record is null");
        requireNonNull(status, "status is null");
    }

    /**
     * @param jobVersion the Nomad job version deployed now
     * @param jobStatus Nomad's job status (pending, running, dead)
     * @param allocations per group, allocation count by client status (running, pending, complete, failed)
     * @param coordinatorUrl where the coordinator answers (local static discovery)
     * @param activeWorkers active workers as the coordinator counts them; empty when it does not answer
     * @param drift whether the job differs from the orchestrator's last change
     * @param driftReason what differs
     */
    public record Status(
            Optional<Long> jobVersion,
            Optional<String> jobStatus,
            Map<String, Map<String, Integer>> allocations,
            Optional<String> coordinatorUrl,
            Optional<Integer> activeWorkers,
            boolean drift,
            Optional<String> driftReason)
    {
        public Status
        {
            allocations = Map.copyOf(requireNonNull(allocations, "allocations is null"));
        }
    }
}
