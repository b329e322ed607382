package io.prestoorchestrator.drain;

import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.AllocationStub;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestClusterWorkers
{
    @Test
    void testJoinsRunningAllocationsWithTheirServiceInstances()
    {
        List<AllocationStub> allocations = List.of(
                allocation("a0", "trino-x.workers[0]", "workers", "running", "run", "n1"),
                allocation("a1", "trino-x.workers[1]", "workers", "running", "run", "n2"),
                allocation("a2", "trino-x.workers[2]", "workers", "running", "stop", "n3"),
                allocation("c0", "trino-x.coordinator[0]", "coordinator", "running", "run", "n1"),
                allocation("a3", "trino-x.workers[3]", "workers", "complete", "run", "n3"),
                allocation("a4", "trino-x.workers[4]", "workers", "running", "run", "n3"));
        List<ServiceHealth.Instance> instances = List.of(
                instance("_nomad-task-a1-worker-trino-x-worker-http", "10.0.0.2", 8081, Map.of("alloc_id", "a1", "alloc_index", "1")),
                instance("_nomad-task-a0-worker-trino-x-worker-http", "10.0.0.1", 8080, Map.of()),
                instance("_nomad-task-a2-worker-trino-x-worker-http", "10.0.0.3", 8082, Map.of("alloc_id", "a2", "alloc_index", "2")));

        List<Worker> workers = ClusterWorkers.join(allocations, instances);

        assertThat(workers).containsExactly(
                new Worker("a0", 0, "n1", URI.create("http://10.0.0.1:8080")),
                new Worker("a1", 1, "n2", URI.create("http://10.0.0.2:8081")));
        assertThat(workers.get(1).label()).isEqualTo("workers[1]");
    }

    @Test
    void testScaleInStopsTheHighestIndices()
    {
        List<Worker> workers = List.of(worker("a", 0), worker("b", 1), worker("d", 3), worker("e", 4));

        assertThat(ClusterWorkers.stoppedByScaleIn(workers, 2)).extracting(Worker::allocIndex).containsExactly(4, 3);
        assertThat(ClusterWorkers.stoppedByScaleIn(workers, 3)).extracting(Worker::allocIndex).containsExactly(4);
        assertThat(ClusterWorkers.stoppedByScaleIn(workers, 4)).isEmpty();
        assertThat(ClusterWorkers.stoppedByScaleIn(workers, 6)).isEmpty();
    }

    private static Worker worker(String id, int index)
    {
        return new Worker(id, index, "node", URI.create("http://127.0.0.1:" + (8000 + index)));
    }

    private static AllocationStub allocation(String id, String name, String group, String clientStatus, String desiredStatus, String node)
    {
        return new AllocationStub(id, name, group, clientStatus, desiredStatus, node, 0, Optional.empty(), Map.of());
    }

    private static ServiceHealth.Instance instance(String serviceId, String address, int port, Map<String, String> meta)
    {
        return new ServiceHealth.Instance(serviceId, "node", address, port, List.of("worker"), meta, List.of());
    }
}
