package io.prestoorchestrator.cluster;

import java.time.Instant;
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
     * @param routing whether Traefik routes the cluster's public URL now, and why not
     * @param observedAt how current this is: when the coordinator's active workers were read (the
     *         autoscaling collector's last poll, or this read), the Nomad and Consul parts being at
     *         least as current; the time of the read when everything was read for it
     */
    public record Status(
            Optional<Long> jobVersion,
            Optional<String> jobStatus,
            Map<String, Map<String, Integer>> allocations,
            Optional<String> coordinatorUrl,
            Optional<Integer> activeWorkers,
            boolean drift,
            Optional<String> driftReason,
            Routing routing,
            Instant observedAt)
    {
        public Status
        {
            allocations = Map.copyOf(requireNonNull(allocations, "allocations is null"));
            requireNonNull(routing, "routing is null");
            requireNonNull(observedAt, "observedAt is null");
        }
    }

    /**
     * @param url where users reach the cluster through Traefik ({@code http://<cluster>.<domain>}); empty while stopped
     * @param routable whether the routed service's checks (the readiness gate) pass in Consul, so Traefik routes it now
     * @param reason why (not): the gate's own output, or what is missing
     */
    public record Routing(Optional<String> url, boolean routable, String reason)
    {
        public Routing
        {
            requireNonNull(url, "url is null");
            requireNonNull(reason, "reason is null");
        }
    }
}
