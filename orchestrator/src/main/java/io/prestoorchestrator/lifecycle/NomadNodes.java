package io.prestoorchestrator.lifecycle;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** The few Nomad node endpoints a lifecycle drain needs. */
public interface NomadNodes
{
    /** The node that carries {@code instanceId} in its configured attribute or meta key ({@code nomad.node-instance-id}), if any. */
    CompletionStage<Optional<Node>> findByInstanceId(String instanceId);

    /** {@code POST /v1/node/:id/eligibility} {@code {"Eligibility":"ineligible"}}. */
    CompletionStage<Void> markIneligible(String nodeId);

    /** {@code POST /v1/node/:id/drain} with a deadline, system jobs left running (they serve the node until it goes). */
    CompletionStage<Void> drain(String nodeId, Duration deadline);

    /** The allocations placed on the node. */
    CompletionStage<List<NodeAllocation>> allocations(String nodeId);

    record Node(String id, String name, String instanceId)
    {
        public Node
        {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(instanceId, "instanceId is null");
        }
    }

    /**
     * One allocation on the node.
     *
     * @param cluster the orchestrator cluster the job belongs to (its {@code orchestrator_cluster} Meta), if it is one
     * @param http the allocation's {@code http} port as a URL, if it has one
     */
    record NodeAllocation(String id, String name, String jobId, String jobType, String taskGroup, String desiredStatus, String clientStatus,
            Optional<String> cluster, Optional<URI> http)
    {
        public NodeAllocation
        {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(jobId, "jobId is null");
            requireNonNull(jobType, "jobType is null");
            requireNonNull(taskGroup, "taskGroup is null");
            requireNonNull(desiredStatus, "desiredStatus is null");
            requireNonNull(clientStatus, "clientStatus is null");
            requireNonNull(cluster, "cluster is null");
            requireNonNull(http, "http is null");
        }

        /** Still holding the node: not in a terminal client state. */
        public boolean live()
        {
            return !clientStatus.equals("complete") && !clientStatus.equals("failed") && !clientStatus.equals("lost");
        }

        public boolean system()
        {
            return jobType.equals("system") || jobType.equals("sysbatch");
        }
    }
}
