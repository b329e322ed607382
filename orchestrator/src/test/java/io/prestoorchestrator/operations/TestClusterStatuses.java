package io.prestoorchestrator.operations;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.autoscaling.ClusterSignal;
import io.prestoorchestrator.autoscaling.ScalingSignal;
import io.prestoorchestrator.autoscaling.SignalInputs;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.discovery.HealthStates;
import io.prestoorchestrator.discovery.HealthStates.CheckState;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.follow.Indexed;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.NomadListings;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status read model: a cluster's status from the batched blocking queries and the collector's
 * last poll, with no read for the request; and nothing (so the request reads it all) whenever it
 * could not answer as that read would.
 */
class TestClusterStatuses
{
    private static final Instant START = Instant.parse("2026-12-07T14:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration SIGNAL_MAX_AGE = Duration.ofSeconds(10);
    private static final int PORT = 18000;

    private final TestingScheduler time = new TestingScheduler(START);
    private final Held<List<NomadListings.JobStub>> jobList = new Held<>(List.of(new NomadListings.JobStub("trino-demo", 5)));
    private final Held<Map<String, List<AllocationStub>>> allocations = new Held<>(Map.of("trino-demo", List.of(
            alloc("c1", "coordinator", "running"), alloc("w1", "workers", "running"), alloc("w2", "workers", "running"), alloc("w0", "workers", "complete"))));
    private final Held<List<CheckState>> checks = new Held<>(List.of(
            new CheckState("node-1", "", "", "Serf Health Status", "passing", "Agent alive and reachable"),
            new CheckState("node-1", "_nomad-task-c1-coordinator-trino-demo", "trino-demo", "routing readiness gate", "passing", "ready: 2 active workers"),
            new CheckState("node-1", "_nomad-task-c1-coordinator-trino-demo-coordinator", "trino-demo-coordinator", "http", "passing", "")));
    private final Map<String, NomadJob> jobs = new HashMap<>(Map.of("trino-demo", job(3, 7)));
    private final Map<String, CompletableFuture<Optional<NomadJob>>> heldJobReads = new HashMap<>();
    private final AtomicInteger jobReads = new AtomicInteger();
    private final Map<String, ClusterSignal> signals = new HashMap<>();
    private final InMemoryKvStore traefik = new InMemoryKvStore(time);
    private final PublicRoutes routes = new PublicRoutes(traefik);
    private final ClusterStatuses model = new ClusterStatuses(listings(), nomad(), states(), Optional.of(routes), cluster -> Optional.ofNullable(signals.get(cluster)),
            SIGNAL_MAX_AGE, Runnable::run, time, time.clock(), WAIT, RETRY);

    @Test
    void testTheStatusComesFromTheQueriesAndTheCollectorsPollWithNoReadOfItsOwn()
    {
        ClusterRecord record = running(START.minusSeconds(60));
        join(routes.ensure("demo", "blue", "demo.trino.localhost", "web"));
        model.start();
        signal(START.minusSeconds(1), PORT, 2);

        ClusterView.Status status = model.status(record).orElseThrow();
        assertThat(status.jobVersion()).contains(3L);
        assertThat(status.jobStatus()).contains("running");
        assertThat(status.allocations()).isEqualTo(Map.of("coordinator", Map.of("running", 1), "workers", Map.of("running", 2, "complete", 1)));
        assertThat(status.coordinatorUrl()).contains("http://127.0.0.1:" + PORT);
        assertThat(status.activeWorkers()).contains(2);
        assertThat(status.drift()).isFalse();
        assertThat(status.routing()).isEqualTo(new ClusterView.Routing(Optional.of("http://demo.trino.localhost:8000"), true, "ready: 2 active workers"));
        assertThat(status.observedAt()).isEqualTo(START.minusSeconds(1));

        model.status(record).orElseThrow();
        assertThat(jobReads).as("the job is read once, for its list entry's ModifyIndex").hasValue(1);
    }

    @Test
    void testAJobWhoseListEntryMovedIsReadAgainAndUntilThenTheRequestReads()
    {
        ClusterRecord record = running(START.minusSeconds(60));
        model.start();
        signal(START, PORT, 2);
        assertThat(model.status(record)).isPresent();

        CompletableFuture<Optional<NomadJob>> read = new CompletableFuture<>();
        heldJobReads.put("trino-demo", read);
        jobList.set(List.of(new NomadListings.JobStub("trino-demo", 9)));
        assertThat(model.status(record)).as("the job changed in Nomad; its read has not answered").isEmpty();

        read.complete(Optional.of(job(4, 8)));
        ClusterView.Status status = model.status(record).orElseThrow();
        assertThat(status.jobVersion()).contains(4L);
        assertThat(status.drift()).as("modify index 8, the record's 7").isTrue();
        assertThat(status.driftReason()).hasValueSatisfying(reason -> assertThat(reason).contains("changed outside the orchestrator"));
    }

    @Test
    void testTheCollectorsPollMustPostdateTheRecordsLastChangeBeYoungAndNameTheCoordinatorTakingQueries()
    {
        model.start();
        join(routes.ensure("demo", "blue", "demo.trino.localhost", "web"));
        signal(START.minusSeconds(5), PORT, 2);

        assertThat(model.status(running(START.minusSeconds(4)))).as("polled before the record's last change").isEmpty();
        ClusterRecord record = running(START.minusSeconds(60));
        assertThat(model.status(record)).isPresent();
        time.advance(Duration.ofSeconds(6));
        assertThat(model.status(record)).as("polled 11 s ago, more than twice the poll interval").isEmpty();

        // issue 18: once green takes new queries, the coordinator is green's (the port after blue's)
        signal(time.clock().instant(), PORT, 2);
        join(routes.ensure("demo", "green", "demo.trino.localhost", "web"));
        join(routes.activate("demo", "green"));
        assertThat(model.status(record)).as("the poll read blue's coordinator").isEmpty();
        signal(time.clock().instant(), PORT + 1, 3);
        assertThat(model.status(record).orElseThrow().coordinatorUrl()).contains("http://127.0.0.1:" + (PORT + 1));
    }

    @Test
    void testAClusterWithAnOperationRunningOrAFailingQueryIsReadPerRequest()
    {
        model.start();
        signal(START, PORT, 2);
        ClusterRecord idle = running(START.minusSeconds(60));
        assertThat(model.status(idle)).isPresent();
        ClusterRecord busy = new ClusterRecord(idle.spec(), ClusterState.DEPLOYING, idle.coordinatorPort(), Optional.of("operation-1"), idle.jobModifyIndex(),
                idle.createdAt(), idle.updatedAt(), "test");
        assertThat(model.status(busy)).isEmpty();

        checks.fail(new DependencyException("consul", "Consul cannot be reached", true, null));
        assertThat(model.status(idle)).as("the checks' query failed: not current").isEmpty();
        time.advance(RETRY);
        assertThat(model.status(idle)).as("asked again after the retry interval").isPresent();
    }

    @Test
    void testAStoppedClusterNeedsNoPollAndIsNotRoutable()
    {
        model.start();
        ClusterRecord running = running(START.minusSeconds(60));
        ClusterRecord stopped = new ClusterRecord(running.spec(), ClusterState.STOPPED, running.coordinatorPort(), Optional.empty(), running.jobModifyIndex(),
                running.createdAt(), running.updatedAt(), "test");

        ClusterView.Status status = model.status(stopped).orElseThrow();
        assertThat(status.coordinatorUrl()).isEmpty();
        assertThat(status.activeWorkers()).isEmpty();
        assertThat(status.routing().routable()).isFalse();
        assertThat(status.routing().reason()).contains("stopped");
        assertThat(status.observedAt()).isEqualTo(START);
    }

    @Test
    void testInstancesCarryTheirNodesChecksAndAFailingOneSaysWhy()
    {
        Map<String, List<io.prestoorchestrator.discovery.ServiceHealth.Instance>> instances = ClusterStatuses.instances(List.of(
                new CheckState("node-1", "", "", "Serf Health Status", "critical", "Agent not live"),
                new CheckState("node-1", "svc-1", "trino-demo", "routing readiness gate", "passing", "ready"),
                new CheckState("node-2", "svc-2", "trino-demo", "routing readiness gate", "critical", "starting")));
        assertThat(instances.get("trino-demo")).hasSize(2).noneMatch(io.prestoorchestrator.discovery.ServiceHealth.Instance::passing);

        ClusterView.Routing routing = OperationSteps.routing(running(START), Optional.of(job(3, 7)), instances.get("trino-demo"));
        assertThat(routing.routable()).isFalse();
        assertThat(routing.reason()).contains("Serf Health Status is critical: Agent not live").contains("routing readiness gate is critical: starting");
    }

    private void signal(Instant at, int port, int activeWorkers)
    {
        signals.put("demo", new ClusterSignal("demo", at, Optional.of("http://127.0.0.1:" + port),
                Optional.of(ScalingSignal.compute(new SignalInputs(0, 0, 0, 0, activeWorkers, 0, 4, 1, 4))), Optional.empty()));
    }

    private static ClusterRecord running(Instant updatedAt)
    {
        return new ClusterRecord(TestingClusterSpecs.local(), ClusterState.RUNNING, Optional.of(PORT), Optional.empty(), Optional.of(7L), START.minusSeconds(3600), updatedAt, "test");
    }

    private static NomadJob job(long version, long jobModifyIndex)
    {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.putObject("Meta").put("public_url", "http://demo.trino.localhost:8000");
        return new NomadJob("trino-demo", version, jobModifyIndex, "running", false, true, spec);
    }

    private static AllocationStub alloc(String id, String group, String clientStatus)
    {
        return new AllocationStub(id, "trino-demo." + group + "[0]", group, clientStatus, clientStatus.equals("running") ? "run" : "stop", "node-1", 3, Optional.empty(), Map.of());
    }

    private NomadListings listings()
    {
        return new NomadListings()
        {
            @Override
            public CompletionStage<Indexed<List<JobStub>>> jobs(String prefix, long index, Duration wait)
            {
                assertThat(prefix).isEqualTo("trino-");
                return jobList.query(index);
            }

            @Override
            public CompletionStage<Indexed<Map<String, List<AllocationStub>>>> allocations(long index, Duration wait)
            {
                return allocations.query(index);
            }
        };
    }

    private HealthStates states()
    {
        return (index, wait) -> checks.query(index);
    }

    private NomadJobs nomad()
    {
        return (NomadJobs) Proxy.newProxyInstance(NomadJobs.class.getClassLoader(), new Class<?>[] {NomadJobs.class}, (proxy, method, args) -> {
            if (!method.getName().equals("job")) {
                throw new UnsupportedOperationException(method.getName());
            }
            jobReads.incrementAndGet();
            String id = (String) args[0];
            CompletableFuture<Optional<NomadJob>> held = heldJobReads.remove(id);
            return held != null ? held : CompletableFuture.completedFuture(Optional.ofNullable(jobs.get(id)));
        });
    }

    private static <T> T join(CompletionStage<T> stage)
    {
        return stage.toCompletableFuture().join();
    }

    /** A blocking query's answers: at once from an older index, else when the value changes (or the query fails). */
    private static final class Held<T>
    {
        private T value;
        private long index = 1;
        private final List<CompletableFuture<Indexed<T>>> waiting = new ArrayList<>();
        private RuntimeException failure;

        Held(T value)
        {
            this.value = value;
        }

        synchronized CompletionStage<Indexed<T>> query(long since)
        {
            if (failure != null) {
                RuntimeException failed = failure;
                failure = null;
                return CompletableFuture.failedFuture(failed);
            }
            if (since < index) {
                return CompletableFuture.completedFuture(new Indexed<>(value, index));
            }
            CompletableFuture<Indexed<T>> answer = new CompletableFuture<>();
            waiting.add(answer);
            return answer;
        }

        void set(T changed)
        {
            List<CompletableFuture<Indexed<T>>> woken;
            Indexed<T> answer;
            synchronized (this) {
                value = changed;
                index++;
                answer = new Indexed<>(value, index);
                woken = List.copyOf(waiting);
                waiting.clear();
            }
            woken.forEach(future -> future.complete(answer));
        }

        /** The query in flight fails (the next one answers). */
        void fail(RuntimeException e)
        {
            List<CompletableFuture<Indexed<T>>> woken;
            synchronized (this) {
                woken = List.copyOf(waiting);
                waiting.clear();
                if (woken.isEmpty()) {
                    failure = e;
                }
            }
            woken.forEach(future -> future.completeExceptionally(e));
        }
    }
}
