package io.prestoorchestrator.drain;

import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.drain.LiveWorkers.LiveWorker;
import io.prestoorchestrator.nomad.AllocationStub;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestLiveWorkers
{
    private final List<URI> asked = new CopyOnWriteArrayList<>();

    @Test
    void testEveryWorkerNotStoppedYetWithItsNodeAndTrinoState()
            throws Exception
    {
        List<AllocationStub> allocations = List.of(
                allocation("a2", "trino-x.workers[2]", "workers", "running", "stop", "nomad-node-3"),
                allocation("a0", "trino-x.workers[0]", "workers", "running", "run", "nomad-node-1"),
                allocation("c0", "trino-x.coordinator[0]", "coordinator", "running", "run", "nomad-node-1"),
                allocation("a1", "trino-x.workers[1]", "workers", "complete", "stop", "nomad-node-2"),
                allocation("a3", "trino-x.workers[3]", "workers", "pending", "run", "nomad-node-2"),
                allocation("a4", "trino-x.workers[4]", "workers", "running", "run", "nomad-node-1"));
        List<ServiceHealth.Instance> instances = List.of(
                instance("a0", "client-1", "10.0.0.1", 8080),
                instance("a2", "client-3", "10.0.0.3", 8082),
                instance("a4", "client-1", "10.0.0.1", 8084));
        Map<URI, Optional<WorkerState>> states = Map.of(
                URI.create("http://10.0.0.1:8080"), Optional.of(WorkerState.ACTIVE),
                URI.create("http://10.0.0.3:8082"), Optional.of(WorkerState.DRAINING),
                // registered, but its Trino does not answer
                URI.create("http://10.0.0.1:8084"), Optional.empty());
        LiveWorkers live = new LiveWorkers(
                job -> job.equals("trino-x") ? CompletableFuture.completedFuture(allocations) : CompletableFuture.completedFuture(List.of()),
                service -> CompletableFuture.completedFuture(service.equals("trino-x-worker") ? instances : List.of()),
                trino(states));

        List<LiveWorker> workers = live.workers("x").toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(workers).containsExactly(
                new LiveWorker("a0", "workers[0]", "nomad-node-1", Optional.of("client-1"), "running", "run", true, Optional.of(WorkerState.ACTIVE)),
                new LiveWorker("a2", "workers[2]", "nomad-node-3", Optional.of("client-3"), "running", "stop", true, Optional.of(WorkerState.DRAINING)),
                new LiveWorker("a3", "workers[3]", "nomad-node-2", Optional.empty(), "pending", "run", false, Optional.empty()),
                new LiveWorker("a4", "workers[4]", "nomad-node-1", Optional.of("client-1"), "running", "run", true, Optional.empty()));
        // only registered workers are asked, each once
        assertThat(asked).containsExactlyInAnyOrderElementsOf(states.keySet());
    }

    @Test
    void testAClusterWithoutAJobHasNoWorkers()
            throws Exception
    {
        LiveWorkers live = new LiveWorkers(job -> CompletableFuture.completedFuture(List.of()), service -> CompletableFuture.completedFuture(List.of()), trino(Map.of()));

        assertThat(live.workers("gone").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(asked).isEmpty();
    }

    @Test
    void testIndexFromTheAllocationName()
    {
        assertThat(LiveWorkers.index("trino-x.workers[12]")).isEqualTo(12);
        assertThat(LiveWorkers.index("odd-name")).isEqualTo(-1);
    }

    private TrinoWorkers trino(Map<URI, Optional<WorkerState>> states)
    {
        return new TrinoWorkers()
        {
            @Override
            public CompletionStage<Optional<WorkerState>> state(URI worker)
            {
                asked.add(worker);
                return CompletableFuture.completedFuture(states.getOrDefault(worker, Optional.empty()));
            }

            @Override
            public CompletionStage<StateChange> request(URI worker, WorkerState target)
            {
                throw new AssertionError("the console's view changes no worker's state");
            }
        };
    }

    private static AllocationStub allocation(String id, String name, String group, String clientStatus, String desiredStatus, String node)
    {
        return new AllocationStub(id, name, group, clientStatus, desiredStatus, node, 0, Optional.empty(), Map.of());
    }

    private static ServiceHealth.Instance instance(String allocId, String node, String address, int port)
    {
        return new ServiceHealth.Instance("_nomad-task-" + allocId + "-worker-trino-x-worker-http", node, address, port, List.of("worker"), Map.of("alloc_id", allocId), List.of());
    }
}
