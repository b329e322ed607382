package io.prestoorchestrator.operations;

import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.time.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Path 4 of issue 6: a rolling replacement told as events, from the allocations Nomad reports at each look. */
class TestReplacementWatcher
{
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicReference<List<AllocationStub>> allocations = new AtomicReference<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final NomadJobs nomad = (NomadJobs) Proxy.newProxyInstance(NomadJobs.class.getClassLoader(), new Class<?>[] {NomadJobs.class}, (proxy, method, arguments) -> {
        if (method.getName().equals("allocations")) {
            return CompletableFuture.completedFuture(allocations.get());
        }
        throw new UnsupportedOperationException(method.getName());
    });

    @AfterEach
    void tearDown()
    {
        executor.shutdownNow();
    }

    @Test
    void testTellsEachReplacementAndTheCoordinatorRestart()
    {
        AllocationStub coordinator = alloc("c0", "coordinator[0]", "running", "run", true);
        AllocationStub worker0 = alloc("w0", "workers[0]", "running", "run", true);
        AllocationStub worker1 = alloc("w1", "workers[1]", "running", "run", true);
        allocations.set(List.of(coordinator, worker0, worker1));
        ReplacementWatcher watcher = watcher();
        await(watcher.start());

        allocations.set(List.of(alloc("c0", "coordinator[0]", "running", "stop", true), alloc("w0", "workers[0]", "running", "stop", true), worker1));
        await(watcher.look());
        assertThat(events).containsExactly(
                "coordinator-restarting: Coordinator coordinator[0] on node node-c0 is restarting for the new job version: queries on it end and new ones are refused until its replacement is healthy",
                "worker-replacing: Worker workers[0] on node node-w0 is draining for replacement: Nomad stopped alloc w0, the worker drains itself (DRAINING, then exits) on the kill signal");

        allocations.set(List.of(alloc("c0", "coordinator[0]", "complete", "stop", true), alloc("w0", "workers[0]", "complete", "stop", true), worker1,
                alloc("c1", "coordinator[0]", "running", "run", false), alloc("w0b", "workers[0]", "pending", "run", false)));
        await(watcher.look());
        assertThat(events).hasSize(2);

        allocations.set(List.of(alloc("c0", "coordinator[0]", "complete", "stop", true), alloc("w0", "workers[0]", "complete", "stop", true),
                alloc("w1", "workers[1]", "running", "stop", true), alloc("c1", "coordinator[0]", "running", "run", true), alloc("w0b", "workers[0]", "running", "run", true)));
        await(watcher.look());
        assertThat(events).hasSize(5);
        assertThat(events.get(2)).startsWith("coordinator-restarted: Coordinator coordinator[0] back after ").contains("new alloc c1 on node node-c1 healthy");
        assertThat(events.get(3)).startsWith("worker-replaced: Worker workers[0] replaced after ").contains("the old one drained and stopped in ");
        assertThat(events.get(4)).startsWith("worker-replacing: Worker workers[1]");

        await(watcher.finish());
        assertThat(events).hasSize(5);
    }

    @Test
    void testAllocationsAlreadyStoppedBeforeTheDeployAreNotReported()
    {
        allocations.set(List.of(alloc("old", "workers[2]", "complete", "stop", true), alloc("w0", "workers[0]", "running", "run", true)));
        ReplacementWatcher watcher = watcher();
        await(watcher.start());
        await(watcher.finish());
        assertThat(events).isEmpty();
    }

    private ReplacementWatcher watcher()
    {
        return new ReplacementWatcher(nomad, "trino-demo", Clock.systemUTC(), Duration.ofHours(1), Scheduler.onExecutor(executor), () -> true, (type, message) -> {
            events.add(type + ": " + message);
            return CompletableFuture.completedFuture(null);
        });
    }

    private static AllocationStub alloc(String id, String name, String clientStatus, String desiredStatus, boolean healthy)
    {
        String group = name.substring(0, name.indexOf('['));
        return new AllocationStub(id, "trino-demo." + name, group, clientStatus, desiredStatus, "node-" + id, 0, Optional.of(healthy), Map.of());
    }
}
