package io.prestoorchestrator.operations;

import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.testing.Await;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.InMemoryLeaderElection;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.discovery.LeaderLock;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations run on the leader only, and a new leader resumes what the old one left: several
 * {@link ClusterService} replicas over one KV store and one Nomad, elected by an in-memory election.
 */
class TestOperationLeadership
{
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final InMemoryKvStore kv = new InMemoryKvStore();
    private final InMemoryNomadJobs nomad = new InMemoryNomadJobs();
    private final ClusterRepository repository = new ClusterRepository(kv);
    private final InMemoryLeaderElection election = new InMemoryLeaderElection();
    private final AtomicInteger ports = new AtomicInteger(18000);
    /** Whether the coordinator answers: while it does not, a deploy waits in its trino-ready step. */
    private final AtomicBoolean trinoServes = new AtomicBoolean(true);
    private final List<ClusterService> replicas = new ArrayList<>();
    /** Every replica's waits and clock: {@link #awaitDone} and {@link #awaitLastStep} move it on to each look an operation waits for. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));

    @BeforeEach
    void setUp()
    {
        join(repository.createCatalog(TPCH));
    }

    @AfterEach
    void tearDown()
    {
        replicas.forEach(replica -> replica.leadership().lost("test over"));
        executor.shutdownNow();
    }

    @Test
    void testANonLeaderStoresTheOperationAndTheLeaderRunsIt()
    {
        ClusterService follower = replica("replica-b", nomad, kv);
        Operation create = join(follower.create(TestingClusterSpecs.local(), "ops"));

        // a replica that ran the operation would hold it in running() until its work ended, and its work writes the runner and steps
        assertThat(follower.running()).isEmpty();
        assertThat(join(nomad.job("trino-demo"))).isEmpty();
        Operation stored = operation(create.id());
        assertThat(stored.state()).isEqualTo(Operation.State.RUNNING);
        assertThat(stored.steps()).isEmpty();
        assertThat(stored.runner()).isEmpty();
        ClusterRecord record = join(repository.cluster("demo")).orElseThrow().value();
        assertThat(record.state()).isEqualTo(ClusterState.DEPLOYING);
        assertThat(record.activeOperation()).contains(create.id());

        ClusterService leader = replica("replica-a", nomad, kv);
        election.newLock("replica-a", leader.leadership()).start();
        Operation done = awaitDone(create.id());
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-a");
        assertThat(done.steps()).extracting(Operation.Step::name).containsExactly("render", "write-variables", "register", "deploy", "trino-ready", "routable");
        assertThat(follower.isLeader()).isFalse();
    }

    @Test
    void testTheLeaderPicksUpAnOperationAskedForThroughAnotherReplica()
    {
        ClusterService leader = replica("replica-a", nomad, kv);
        ClusterService follower = replica("replica-b", nomad, kv);
        election.newLock("replica-a", leader.leadership()).start();
        election.newLock("replica-b", follower.leadership()).start();
        assertThat(leader.isLeader()).isTrue();
        assertThat(follower.isLeader()).isFalse();

        Operation create = join(follower.create(TestingClusterSpecs.local(), "ops"));
        Operation done = awaitDone(create.id());
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-a");
        assertThat(done.steps()).extracting(Operation.Step::name).doesNotContain("resume");
        assertThat(join(nomad.versions("trino-demo"))).hasSize(1);

        Operation stop = join(follower.stop("demo", "ops"));
        assertThat(awaitDone(stop.id()).runner()).contains("replica-a");
        assertThat(join(repository.cluster("demo")).orElseThrow().value().state()).isEqualTo(ClusterState.STOPPED);
    }

    @Test
    void testALeaderThatLosesLeadershipMidDeployStopsAndTheNextLeaderCompletesTheOperation()
    {
        trinoServes.set(false);
        // the first leader goes on after a wait on one thread, so the test knows when it has gone on
        ExecutorService firstPool = Executors.newSingleThreadExecutor();
        ClusterService first = replica("replica-a", nomad, kv, firstPool);
        LeaderLock firstLock = election.newLock("replica-a", first.leadership());
        firstLock.start();
        Operation create = join(first.create(TestingClusterSpecs.local(), "ops"));
        // no wait comes before the trino-ready step, so the clock stays where it is until its first look has ended in a wait
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> lastStepIs(create.id(), step -> step.name().equals("trino-ready") && step.state() == Operation.StepState.RUNNING) && time.pending() > 0);
        assertThat(time.pending()).as("the trino-ready step waits for its next look").isPositive();

        firstLock.close();
        Operation left = operation(create.id());
        assertThat(left.runner()).contains("replica-a");
        // the trino-ready step looks every 2s: a replica that kept going would look again, write its progress and wait again
        time.advance(Duration.ofMinutes(1));
        try {
            firstPool.submit(() -> {}).get(10, TimeUnit.SECONDS); // what came due ran before this
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
        finally {
            firstPool.shutdownNow();
        }
        assertThat(operation(create.id())).isEqualTo(left);
        assertThat(time.pending()).as("no wait of the old leader's").isZero();
        assertThat(first.isLeader()).isFalse();

        ClusterService second = replica("replica-b", nomad, kv);
        election.newLock("replica-b", second.leadership()).start();
        awaitLastStep(create.id(), step -> step.name().equals("trino-ready") && step.state() == Operation.StepState.RUNNING && operation(create.id()).runner().equals(Optional.of("replica-b")));
        trinoServes.set(true);
        Operation done = awaitDone(create.id());

        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-b");
        assertThat(done.steps()).extracting(Operation.Step::name).containsExactly(
                "render", "write-variables", "register", "deploy", "trino-ready",
                "resume",
                "render", "write-variables", "register", "deploy", "trino-ready", "routable");
        assertThat(done.steps().get(4).state()).isEqualTo(Operation.StepState.INTERRUPTED);
        assertThat(done.steps().get(5).detail()).contains("resumed by replica-b after leader change").contains("replica-a");
        assertThat(join(nomad.versions("trino-demo"))).hasSize(1);
        List<ClusterEvent> events = join(repository.events("demo"));
        assertThat(events).extracting(ClusterEvent::type).containsExactly("create-requested", "operation-resumed", "deploy-succeeded");
        assertThat(events.get(1).message()).contains("resumed by replica-b after leader change");
        ClusterRecord record = join(repository.cluster("demo")).orElseThrow().value();
        assertThat(record.state()).isEqualTo(ClusterState.RUNNING);
        assertThat(record.activeOperation()).isEmpty();
        assertThat(record.jobModifyIndex()).contains(join(nomad.job("trino-demo")).orElseThrow().jobModifyIndex());
    }

    @Test
    void testAResumedRestartRestartsOnce()
    {
        ClusterService first = replica("replica-a", nomad, kv);
        LeaderLock firstLock = election.newLock("replica-a", first.leadership());
        firstLock.start();
        awaitDone(join(first.create(TestingClusterSpecs.local(), "ops")).id());

        trinoServes.set(false);
        Operation restart = join(first.restart("demo", "ops"));
        awaitLastStep(restart.id(), step -> step.name().equals("trino-ready") && step.state() == Operation.StepState.RUNNING);
        // the workers-only version, then the full one
        assertThat(join(nomad.versions("trino-demo"))).hasSize(3);
        firstLock.close();

        ClusterService second = replica("replica-b", nomad, kv);
        election.newLock("replica-b", second.leadership()).start();
        awaitLastStep(restart.id(), step -> step.name().equals("trino-ready") && operation(restart.id()).runner().equals(Optional.of("replica-b")));
        trinoServes.set(true);
        Operation done = awaitDone(restart.id());

        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.steps()).extracting(Operation.Step::name).contains("resume");
        List<NomadJob> versions = join(nomad.versions("trino-demo"));
        assertThat(versions).as("resumed, the restart registers nothing new").hasSize(3);
        assertThat(versions.get(0).spec().path("Meta").path("orchestrator_restarted_at").asText()).isEqualTo(done.inputs().get("restartStamp"));
    }

    @Test
    void testAJobRegisteredButNotRecordedIsAdoptedByTheNextLeader()
    {
        AtomicReference<LeaderLock> firstLock = new AtomicReference<>();
        CompletableFuture<Void> lost = new CompletableFuture<>();
        AtomicBoolean registered = new AtomicBoolean();
        // the leader loses leadership after Nomad took the job and before it recorded the job's index
        NomadJobs losingAfterRegister = intercept(NomadJobs.class, nomad, (method, result) -> {
            if (method.equals("register") && registered.compareAndSet(false, true)) {
                return ((CompletionStage<?>) result).thenApply(value -> {
                    firstLock.get().close();
                    lost.complete(null);
                    return value;
                });
            }
            return result;
        });
        ClusterService first = replica("replica-a", losingAfterRegister, kv);
        firstLock.set(election.newLock("replica-a", first.leadership()));
        firstLock.get().start();
        Operation create = join(first.create(TestingClusterSpecs.local(), "ops"));
        join(lost);
        assertThat(first.isLeader()).isFalse();
        assertThat(join(nomad.job("trino-demo"))).isPresent();
        assertThat(join(repository.cluster("demo")).orElseThrow().value().jobModifyIndex()).isEmpty();

        ClusterService second = replica("replica-b", nomad, kv);
        election.newLock("replica-b", second.leadership()).start();
        Operation done = awaitDone(create.id());

        assertThat(done.state()).as("error: %s", done.error()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-b");
        assertThat(join(nomad.versions("trino-demo"))).hasSize(1);
        assertThat(join(repository.cluster("demo")).orElseThrow().value().jobModifyIndex()).contains(join(nomad.job("trino-demo")).orElseThrow().jobModifyIndex());
    }

    @Test
    void testAnOperationWhoseClusterWasSettledIsConcludedFromTheTimeline()
    {
        AtomicReference<LeaderLock> firstLock = new AtomicReference<>();
        CompletableFuture<Void> lost = new CompletableFuture<>();
        // the leader loses leadership right after it recorded the outcome, before it marked the operation done
        KvStore losingAfterOutcome = intercept(KvStore.class, kv, (method, result) -> {
            if (method.equals("put")) {
                return ((CompletionStage<?>) result).thenApply(value -> {
                    if (join(repository.events("demo")).stream().anyMatch(event -> event.type().equals("deploy-succeeded")) && firstLock.get().isLeader()) {
                        firstLock.get().close();
                        lost.complete(null);
                    }
                    return value;
                });
            }
            return result;
        });
        ClusterService first = replica("replica-a", nomad, losingAfterOutcome);
        firstLock.set(election.newLock("replica-a", first.leadership()));
        firstLock.get().start();
        Operation create = join(first.create(TestingClusterSpecs.local(), "ops"));
        join(lost);
        assertThat(first.isLeader()).isFalse();
        assertThat(operation(create.id()).state()).isEqualTo(Operation.State.RUNNING);
        assertThat(join(repository.cluster("demo")).orElseThrow().value().activeOperation()).isEmpty();

        ClusterService second = replica("replica-b", nomad, kv);
        election.newLock("replica-b", second.leadership()).start();
        Operation done = awaitDone(create.id());

        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-b");
        assertThat(done.steps()).extracting(Operation.Step::name).endsWith("trino-ready", "routable", "resume");
        assertThat(join(nomad.versions("trino-demo"))).hasSize(1);
    }

    private ClusterService replica(String id, NomadJobs jobs, KvStore store)
    {
        return replica(id, jobs, store, executor);
    }

    private ClusterService replica(String id, NomadJobs jobs, KvStore store, ExecutorService executor)
    {
        ClusterService replica = new ClusterService(new ClusterRepository(store), jobs, new JobRenderer(Path.of("../job-templates")), Optional.empty(), "/presto-orchestrator",
                (flavour, coordinator) -> trinoServes.get()
                        ? nomad.allocations("trino-demo").thenApply(allocations -> OptionalInt.of((int) allocations.stream()
                                .filter(allocation -> allocation.taskGroup().equals("workers") && "running".equals(allocation.clientStatus())).count()))
                        : java.util.concurrent.CompletableFuture.completedFuture(OptionalInt.empty()),
                service -> java.util.concurrent.CompletableFuture.completedFuture(service.equals("trino-demo")
                        ? List.of(new ServiceHealth.Instance("_nomad-task-1", "node-1", "127.0.0.1", 18001, List.of("routed"), Map.of(),
                                List.of(new ServiceHealth.Check("routing readiness gate", "passing", "ready"))))
                        : List.of()),
                executor, time, time.clock(), ports::incrementAndGet, Map.of("TRINO_HOME", "/opt/trino", "TRINO_JAVA_HOME", "/opt/jdk"), "test", new ClustersConfig("../job-templates", Duration.ofSeconds(20)),
                id, Duration.ofSeconds(30), Duration.ofMillis(200));
        replicas.add(replica);
        return replica;
    }

    /** {@code target} behind an interface, with {@code after} given each method's name and result to change. */
    private static <T> T intercept(Class<T> type, T target, java.util.function.BiFunction<String, Object, Object> after)
    {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            try {
                return after.apply(method.getName(), method.invoke(target, args));
            }
            catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

    private Operation operation(String id)
    {
        return join(repository.operation(id)).orElseThrow();
    }

    /** Runs the operation on test time until its last step satisfies {@code condition}: each time it waits for its next look, the clock moves on to it. */
    private void awaitLastStep(String id, Predicate<Operation.Step> condition)
    {
        time.advanceUntil(() -> lastStepIs(id, condition), Duration.ofSeconds(15));
    }

    private boolean lastStepIs(String id, Predicate<Operation.Step> condition)
    {
        List<Operation.Step> steps = operation(id).steps();
        return !steps.isEmpty() && condition.test(steps.get(steps.size() - 1));
    }

    /** Runs the operation to its end on test time. */
    private Operation awaitDone(String id)
    {
        time.advanceUntil(() -> operation(id).state() != Operation.State.RUNNING, Duration.ofSeconds(20));
        return operation(id);
    }

    private static <T> T join(CompletionStage<T> stage)
    {
        return Await.await(stage, Duration.ofSeconds(20));
    }
}
