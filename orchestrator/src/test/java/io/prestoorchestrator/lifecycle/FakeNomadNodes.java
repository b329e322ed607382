package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.error.DependencyException;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Nodes with allocations in memory; a node drain stops its non-system allocations at once (as Nomad does once their tasks exit). */
public final class FakeNomadNodes
        implements NomadNodes
{
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger drainFailures = new AtomicInteger();
    private final Map<String, Node> byInstance = new ConcurrentHashMap<>();
    private final Map<String, List<NodeAllocation>> allocations = new ConcurrentHashMap<>();

    Node addNode(String name, String instanceId)
    {
        Node node = new Node("node-" + name, name, instanceId);
        byInstance.put(instanceId, node);
        allocations.put(node.id(), new CopyOnWriteArrayList<>());
        return node;
    }

    void addWorker(Node node, String cluster, int index, URI http)
    {
        allocations.get(node.id()).add(new NodeAllocation("alloc-" + cluster + "-" + index, "trino-" + cluster + ".workers[" + index + "]", "trino-" + cluster,
                "service", "workers", "run", "running", Optional.of(cluster), Optional.of(http)));
    }

    void addCoordinator(Node node, String cluster)
    {
        allocations.get(node.id()).add(new NodeAllocation("alloc-" + cluster + "-coordinator", "trino-" + cluster + ".coordinator[0]", "trino-" + cluster,
                "service", "coordinator", "run", "running", Optional.of(cluster), Optional.of(URI.create("http://127.0.0.1:28090"))));
    }

    void addSystemJob(Node node, String job)
    {
        allocations.get(node.id()).add(new NodeAllocation("alloc-" + job, job + ".proxy[0]", job, "system", "proxy", "run", "running", Optional.empty(), Optional.empty()));
    }

    @Override
    public CompletionStage<Optional<Node>> findByInstanceId(String instanceId)
    {
        calls.add("find:" + instanceId);
        return CompletableFuture.completedFuture(Optional.ofNullable(byInstance.get(instanceId)));
    }

    @Override
    public CompletionStage<Void> markIneligible(String nodeId)
    {
        calls.add("ineligible:" + nodeId);
        if (!allocations.containsKey(nodeId)) {
            return notFound(nodeId);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> drain(String nodeId, Duration deadline)
    {
        if (drainFailures.getAndDecrement() > 0) {
            calls.add("drain-failed:" + nodeId);
            return CompletableFuture.failedFuture(new DependencyException("nomad", "Nomad answered 500: No cluster leader", true, null));
        }
        calls.add("drain:" + nodeId + ":" + deadline.toSeconds() + "s");
        List<NodeAllocation> current = allocations.get(nodeId);
        if (current == null) {
            return notFound(nodeId);
        }
        List<NodeAllocation> stopped = new ArrayList<>();
        for (NodeAllocation alloc : current) {
            stopped.add(alloc.system() ? alloc : new NodeAllocation(alloc.id(), alloc.name(), alloc.jobId(), alloc.jobType(), alloc.taskGroup(), "stop", "complete",
                    alloc.cluster(), alloc.http()));
        }
        current.clear();
        current.addAll(stopped);
        return CompletableFuture.completedFuture(null);
    }

    /** As Nomad answers a node id it does not know (NomadNodesContract). */
    private static CompletionStage<Void> notFound(String nodeId)
    {
        return CompletableFuture.failedFuture(new DependencyException("nomad", "Nomad answered 404: node " + nodeId + " not found", false, null));
    }

    @Override
    public CompletionStage<List<NodeAllocation>> allocations(String nodeId)
    {
        return CompletableFuture.completedFuture(List.copyOf(allocations.getOrDefault(nodeId, List.of())));
    }
}
