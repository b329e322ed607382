package io.prestoorchestrator.operations;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ssm.InMemoryParameterStore;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.testing.Await;
import io.prestoorchestrator.autoscaling.ScalingEventRecorder;
import io.prestoorchestrator.cluster.Autoscaling;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.GroupUpdates;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.nomad.JobPlan;
import io.prestoorchestrator.nomad.PlanEffect;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestClusterService
{
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final InMemoryKvStore kv = new InMemoryKvStore();
    private final InMemoryNomadJobs nomad = new InMemoryNomadJobs();
    private final ClusterRepository repository = new ClusterRepository(kv);
    private final AtomicInteger ports = new AtomicInteger(18000);
    /** The routed service's readiness gate as the fake Consul reports it for running coordinators: status and output. */
    private final java.util.concurrent.atomic.AtomicReference<ServiceHealth.Check> gate =
            new java.util.concurrent.atomic.AtomicReference<>(new ServiceHealth.Check("routing readiness gate", "passing", "ready: the coordinator counts 2 active worker(s), 1 required"));
    /** Runs at each look of the fake coordinator's active workers: an autoscaler acting while an operation waits. */
    private volatile Runnable beforeWorkersCounted = () -> {};
    /** The operations' waits and clock: {@link #awaitDone} moves it on to each look an operation waits for. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));
    private ClusterService service;

    @BeforeEach
    void setUp()
            throws Exception
    {
        service = leadingService(Optional.empty());
        join(service.createCatalog(TPCH));
    }

    /** The service under test, leading, reading SSM through {@code parameters}. */
    private ClusterService leadingService(Optional<ParameterStore> parameters)
    {
        ClusterService created = new ClusterService(repository, nomad, new JobRenderer(Path.of("../job-templates")), parameters, "/presto-orchestrator",
                (flavour, coordinator) -> CompletableFuture.runAsync(() -> beforeWorkersCounted.run()).thenCompose(ignored -> nomad.allocations("trino-demo")).thenApply(allocations -> OptionalInt.of((int) allocations.stream()
                        .filter(allocation -> allocation.taskGroup().equals("workers") && "running".equals(allocation.clientStatus())).count())),
                this::routedInstances, executor, time, time.clock(), ports::incrementAndGet,
                Map.of("TRINO_HOME", "/opt/trino", "TRINO_470_HOME", "/opt/trino-470", "TRINO_JAVA_HOME", "/opt/jdk"), "test", new ClustersConfig("../job-templates", Duration.ofSeconds(10)),
                "replica-1", Duration.ofSeconds(30), Duration.ofMillis(200));
        created.leadership().gained();
        return created;
    }

    /** Consul as Nomad's client would fill it: one routed instance per running coordinator allocation. */
    private CompletionStage<List<ServiceHealth.Instance>> routedInstances(String service)
    {
        if (!service.equals("trino-demo")) {
            return CompletableFuture.completedFuture(List.of());
        }
        return nomad.allocations("trino-demo").thenApply(allocations -> allocations.stream()
                .filter(allocation -> allocation.taskGroup().equals("coordinator") && "running".equals(allocation.clientStatus()))
                .map(allocation -> new ServiceHealth.Instance("_nomad-task-" + allocation.id(), "node-1", "127.0.0.1", 18001, List.of("routed"),
                        Map.of("public_url", "http://demo.trino.localhost:8000"), List.of(gate.get())))
                .toList());
    }

    @AfterEach
    void tearDown()
    {
        service.leadership().lost("test over");
        executor.shutdownNow();
    }

    @Test
    void testCreateDeploysAndRecordsTheTimeline()
            throws Exception
    {
        Operation operation = join(service.create(TestingClusterSpecs.local(), "ops"));
        assertThat(operation.kind()).isEqualTo("create");
        assertThat(awaitDone(operation).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(awaitDone(operation).steps()).extracting(Operation.Step::name).containsExactly("render", "write-variables", "register", "deploy", "trino-ready", "routable");

        ClusterView view = join(service.get("demo"));
        assertThat(view.status().routing().routable()).isTrue();
        assertThat(view.status().routing().url()).contains("http://demo.trino.localhost:8000");
        assertThat(view.status().routing().reason()).isEqualTo("ready: the coordinator counts 2 active worker(s), 1 required");
        assertThat(view.record().state()).isEqualTo(ClusterState.RUNNING);
        assertThat(view.record().activeOperation()).isEmpty();
        assertThat(view.status().jobVersion()).contains(0L);
        assertThat(view.status().drift()).isFalse();
        assertThat(view.status().activeWorkers()).contains(2);
        assertThat(view.status().coordinatorUrl()).contains("http://127.0.0.1:18001");
        assertThat(join(nomad.job("trino-demo"))).isPresent();
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).containsExactly("create-requested", "deploy-succeeded");
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::actor).containsOnly("ops");
    }

    @Test
    void testCreateOfAnAutoscaledClusterWaitsForTheCountTheAgentSets()
            throws Exception
    {
        // min 0: the agent scales the group to zero while the create waits for its one worker
        ClusterSpec spec = TestingClusterSpecs.local().withWorkers(new Workers(1, 0, 3));
        spec = spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "2s", "2s", "2s", "10s"));
        AtomicInteger looks = new AtomicInteger();
        beforeWorkersCounted = () -> {
            if (looks.incrementAndGet() == 1) {
                nomad.scaleExternally("trino-demo", "workers", OptionalLong.of(0), "scaling down because metric is 0", false, Map.of());
            }
        };
        Operation created = awaitDone(join(service.create(spec, "ops")));
        assertThat(created.state()).as(created.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isZero();
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::message).anySatisfy(message -> assertThat(message).contains("counts 0 active worker(s)"));
    }

    @Test
    void testCreateWithoutAutoscalingWaitsForTheSpecsCount()
            throws Exception
    {
        // the same external scale without autoscaling enabled: the create keeps waiting for the spec's count and fails at the bound
        beforeWorkersCounted = () -> {
            if (join(nomad.job("trino-demo")).orElseThrow().groupCount("workers") != 0) {
                nomad.scaleExternally("trino-demo", "workers", OptionalLong.of(0), "someone", false, Map.of());
            }
        };
        Operation created = awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(created.state()).isEqualTo(Operation.State.FAILED);
        assertThat(created.toString()).contains("active workers of 2");
    }

    @Test
    void testDuplicateNameIsAConflictAndChangesNothing()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThatThrownBy(() -> join(service.create(TestingClusterSpecs.local(), "someone-else")))
                .isInstanceOf(ConflictException.class)
                .hasMessage("Cluster 'demo' already exists");
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::actor).containsOnly("ops");
    }

    /** Issue 18: an upgrade to a version with no installation (here 999) is refused naming the field; the cluster and its job stay as they are. */
    @Test
    void testUpgradeToAVersionNotInstalledChangesNothing()
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        long jobVersion = join(nomad.job("trino-demo")).orElseThrow().version();
        assertThatThrownBy(() -> join(service.update("demo", TestingClusterSpecs.local().withVersion("999"), "ops")))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).fieldErrors()).extracting(FieldError::field).containsExactly("/version"));
        assertThat(join(service.get("demo")).record().spec().version()).isEqualTo("476");
        assertThat(join(service.get("demo")).record().activeOperation()).isEmpty();
        assertThat(join(nomad.job("trino-demo")).orElseThrow().version()).isEqualTo(jobVersion);
    }

    @Test
    void testUnknownCatalogIsRejectedBeforeAnythingIsStored()
    {
        ClusterSpec spec = TestingClusterSpecs.local();
        ClusterSpec withHive = new ClusterSpec(spec.name(), spec.flavour(), spec.version(), spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), List.of("tpch", "hive"), spec.properties(), false, spec.labels());
        assertThatThrownBy(() -> join(service.create(withHive, "ops")))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).fieldErrors()).anySatisfy(error -> assertThat(error.field()).startsWith("/catalogs")));
        assertThat(join(service.list(10, Optional.empty()))).isEmpty();
        assertThat(join(nomad.job("trino-demo"))).isEmpty();
    }

    @Test
    void testResizeScalesTheWorkerGroup()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        ClusterSpec bigger = TestingClusterSpecs.local().withWorkers(new Workers(3, 1, 4));
        Operation resize = join(service.update("demo", bigger, "ops").thenApply(ClusterService.Updated::operation));
        assertThat(resize.kind()).isEqualTo("resize");
        assertThat(awaitDone(resize).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(3);
        ClusterView view = join(service.get("demo"));
        assertThat(view.record().spec().workers().count()).isEqualTo(3);
        assertThat(view.status().drift()).isFalse();
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).contains("resize-requested", "scaled");

        // the scaling event the resize left in Nomad is the orchestrator's: the recorder skips it
        ScalingEventRecorder recorder = new ScalingEventRecorder(() -> service.list(Integer.MAX_VALUE, Optional.empty()), nomad, repository::appendEvent, kv,
                service::isLeader, cluster -> Optional.empty());
        join(recorder.recordAll());
        assertThat(kv.snapshot()).containsKey("scaling-events/demo");
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).doesNotContain("autoscaled", "scaling-failed");
    }

    /** Nomad refuses to scale while a deployment runs: the resize waits for it to end, then scales. */
    @Test
    void testResizeWaitsForARunningDeploymentBeforeScaling()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        int count = TestingClusterSpecs.local().workers().count();
        nomad.holdDeployments();
        // another version of the job (as a register or a scale leaves one) whose deployment still runs
        nomad.scaleExternally("trino-demo", "workers", OptionalLong.of(count), "someone else", false, Map.of());
        assertThat(nomad.deploymentRunning("trino-demo")).isTrue();
        assertThatThrownBy(() -> join(nomad.scale("trino-demo", "workers", count + 1, "direct")))
                .as("the fake refuses as Nomad does").hasMessageContaining("job scaling blocked due to active deployment");

        Operation resize = join(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(count + 1, 1, 4)), "ops").thenApply(ClusterService.Updated::operation));
        // no wait before the scale looks at the deployment: only the operation's steps on the executor are awaited, in real time
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> join(service.operation(resize.id())).steps().stream()
                .anyMatch(step -> step.name().equals("scale") && step.detail().contains("waiting for deployment")));
        assertThat(join(service.operation(resize.id())).state()).isEqualTo(Operation.State.RUNNING);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).as("not scaled while the deployment runs").isEqualTo(count);

        nomad.releaseDeployments();
        Operation done = awaitDone(resize);
        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(count + 1);
    }

    @Test
    void testCountOutsideMinMaxIsRejected()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThatThrownBy(() -> join(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(9, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).fieldErrors()).anySatisfy(error -> assertThat(error.field()).isEqualTo("/workers/count")));
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
    }

    @Test
    void testStopKeepsTheSpecAndStartBringsItBack()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(awaitDone(join(service.stop("demo", "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        ClusterView stopped = join(service.get("demo"));
        assertThat(stopped.record().state()).isEqualTo(ClusterState.STOPPED);
        assertThat(stopped.record().spec()).isEqualTo(TestingClusterSpecs.local());
        assertThat(join(nomad.allocations("trino-demo"))).allMatch(allocation -> allocation.terminal());
        assertThatThrownBy(() -> join(service.stop("demo", "ops"))).isInstanceOf(ConflictException.class).hasMessageContaining("The cluster is stopped");

        assertThat(awaitDone(join(service.start("demo", "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(service.get("demo")).record().state()).isEqualTo(ClusterState.RUNNING);
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type)
                .containsSubsequence("stop-requested", "stopped", "start-requested", "deploy-succeeded");
    }

    @Test
    void testResizeToZeroAndStartAtZero()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local().withWorkers(new Workers(1, 0, 4)), "ops")));
        Operation toZero = awaitDone(join(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(0, 0, 4)), "ops").thenApply(ClusterService.Updated::operation)));
        assertThat(toZero.state()).as(toZero.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isZero();
        assertThat(join(nomad.allocations("trino-demo"))).filteredOn(allocation -> allocation.taskGroup().equals("workers")).allMatch(allocation -> allocation.terminal());
        assertThat(join(service.get("demo")).status().activeWorkers()).contains(0);

        assertThat(awaitDone(join(service.stop("demo", "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        Operation started = awaitDone(join(service.start("demo", "ops")));
        assertThat(started.state()).as(started.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.allocations("trino-demo"))).filteredOn(allocation -> !allocation.terminal()).extracting(allocation -> allocation.taskGroup()).containsExactly("coordinator");
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::message).last().asString().contains("the coordinator counts 0 active worker(s)");
    }

    @Test
    void testAChangeMadeOutsideTheOrchestratorIsDriftAndBlocksABlindUpdate()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        join(nomad.scale("trino-demo", "workers", 4, "someone in the Nomad UI"));
        ClusterView view = join(service.get("demo"));
        assertThat(view.status().drift()).isTrue();
        assertThat(view.status().driftReason()).hasValueSatisfying(reason -> assertThat(reason).contains("changed outside the orchestrator"));

        ClusterSpec spec = TestingClusterSpecs.local();
        ClusterSpec upgraded = new ClusterSpec(spec.name(), spec.flavour(), "470", spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), false, spec.labels());
        Operation update = awaitDone(join(service.update("demo", upgraded, "ops").thenApply(ClusterService.Updated::operation)));
        assertThat(update.state()).isEqualTo(Operation.State.FAILED);
        assertThat(update.error()).hasValueSatisfying(error -> assertThat(error).containsIgnoringCase("index"));
        assertThat(join(service.get("demo")).record().state()).isEqualTo(ClusterState.FAILED);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(4);
    }

    /**
     * Issue 18: a PATCH that changes nothing changes nothing. It used to start a full rolling
     * redeploy; now it answers unchanged, starts no operation and asks nothing of Nomad (Nomad is
     * down here, and the answer is the same). The plan of the same spec by someone else still
     * replaces nothing: the deployer is pinned in every task's Meta.
     */
    @Test
    void testTheSameSpecAgainChangesNothingAndAsksNothingOfNomad()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        List<String> before = join(nomad.allocations("trino-demo")).stream().map(AllocationStub::id).toList();
        int versions = join(nomad.versions("trino-demo")).size();
        List<ClusterEvent> events = join(service.events("demo"));
        JobPlan byBob = join(service.plan("demo", "bob"));
        assertThat(byBob.effect().kind()).as(byBob.effect().summary()).isEqualTo(PlanEffect.Kind.IN_PLACE);
        assertThat(byBob.groups().values()).extracting(GroupUpdates::destructiveUpdate).containsOnly(0);

        nomad.setAvailable(false);
        ClusterService.Updated again = join(service.update("demo", TestingClusterSpecs.local(), "bob"));
        nomad.setAvailable(true);
        assertThat(again.changed()).isFalse();
        assertThat(again.started()).isEmpty();
        assertThat(again.activeOperation()).isEmpty();
        assertThat(join(service.events("demo"))).isEqualTo(events);
        assertThat(join(nomad.versions("trino-demo"))).hasSize(versions);
        assertThat(join(nomad.allocations("trino-demo"))).extracting(AllocationStub::id).containsExactlyInAnyOrderElementsOf(before);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_deployed_by").asText()).isEqualTo("ops");
        assertThat(join(service.get("demo")).record().state()).isEqualTo(ClusterState.RUNNING);
    }

    /** A failed cluster is deployed again by the same spec: the only way to retry without a restart. */
    @Test
    void testTheSameSpecDeploysAFailedClusterAgain()
            throws Exception
    {
        nomad.failTasksWhere((group, task) -> group.equals("workers"));
        assertThat(awaitDone(join(service.create(TestingClusterSpecs.local(), "ops"))).state()).isEqualTo(Operation.State.FAILED);
        nomad.failTasksWhere((group, task) -> false);
        ClusterService.Updated retried = join(service.update("demo", TestingClusterSpecs.local(), "ops"));
        assertThat(retried.changed()).isTrue();
        assertThat(retried.operation().kind()).isEqualTo("update");
    }

    /**
     * Issue 18: each change that reaches no Trino process (autoscaling on, its policy, off again,
     * min, max, labels; and one by someone else) registers the job once, in place: the plan step
     * says so, there is no workers-first phase, and every allocation is the one that ran before.
     * The same PATCH again then changes nothing.
     */
    @Test
    void testChangesThatReachNoTrinoProcessUpdateInPlace()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        List<String> allocations = join(nomad.allocations("trino-demo")).stream().map(AllocationStub::id).toList();
        ClusterSpec spec = TestingClusterSpecs.local();
        Autoscaling on = new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "5m");
        Map<String, ClusterSpec> changes = new java.util.LinkedHashMap<>();
        changes.put("autoscaling on", spec = spec.withAutoscaling(on));
        changes.put("autoscaling policy", spec = spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "20s", "1m", "2m", "10m")));
        changes.put("autoscaling signal", spec = spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(60.0), "20s", "1m", "2m", "10m")));
        changes.put("autoscaling off", spec = spec.withAutoscaling(Autoscaling.DEFAULTS));
        changes.put("min", spec = spec.withWorkers(new Workers(2, 0, 4)));
        changes.put("max", spec = spec.withWorkers(new Workers(2, 0, 8)));
        changes.put("labels", spec = spec.withLabels(Map.of("team", "data", "cost-center", "cc-7")));
        changes.put("labels by someone else", spec = spec.withLabels(Map.of("team", "data")));
        for (Map.Entry<String, ClusterSpec> change : changes.entrySet()) {
            String actor = change.getKey().endsWith("someone else") ? "bob" : "ops";
            int versions = join(nomad.versions("trino-demo")).size();
            Operation update = awaitDone(join(service.update("demo", change.getValue(), actor)).operation());
            assertThat(update.state()).as("%s: %s", change.getKey(), update).isEqualTo(Operation.State.SUCCEEDED);
            assertThat(update.kind()).as(change.getKey()).isEqualTo("update");
            assertThat(update.steps()).extracting(Operation.Step::name).as(change.getKey())
                    .containsSubsequence("plan", "register", "deploy", "trino-ready", "routable")
                    .doesNotContain("register-workers", "deploy-workers");
            assertThat(update.steps()).filteredOn(step -> step.name().equals("plan")).extracting(Operation.Step::detail).as(change.getKey())
                    .singleElement().asString().startsWith("in place: no allocation replaced (3 updated in place)");
            assertThat(join(nomad.versions("trino-demo"))).as("%s: one version, no workers-only one", change.getKey()).hasSize(versions + 1);
            assertThat(join(nomad.allocations("trino-demo"))).as(change.getKey()).extracting(AllocationStub::id).containsExactlyInAnyOrderElementsOf(allocations);
            assertThat(join(nomad.allocations("trino-demo"))).as(change.getKey()).noneMatch(AllocationStub::terminal);

            ClusterService.Updated again = join(service.update("demo", change.getValue(), actor));
            assertThat(again.changed()).as("%s again", change.getKey()).isFalse();
            assertThat(join(nomad.versions("trino-demo"))).as("%s again", change.getKey()).hasSize(versions + 1);
        }
        JsonNode job = join(nomad.job("trino-demo")).orElseThrow().spec();
        assertThat(job.path("Meta").path("orchestrator_deployed_by").asText()).isEqualTo("bob");
        assertThat(job.path("Meta").path("orchestrator_labels").asText()).isEqualTo("{\"team\":\"data\"}");
        assertThat(group(job, "workers").path("Scaling").path("Min").asInt()).isZero();
        assertThat(group(job, "workers").path("Scaling").path("Max").asInt()).isEqualTo(8);
        assertThat(join(service.get("demo")).status().drift()).isFalse();
    }

    /** What Trino runs with (a property here) still replaces the workers first, then the coordinator, and the plan says so. */
    @Test
    void testAChangeOfWhatTrinoRunsWithReplacesTheWorkersFirst()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        ClusterSpec changed = TestingClusterSpecs.local().withProperties(Map.of("query.max-run-time", "1h"));
        Operation update = awaitDone(join(service.update("demo", changed, "ops")).operation());
        assertThat(update.state()).as(update.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(update.steps()).extracting(Operation.Step::name).containsSubsequence("plan", "register-workers", "deploy-workers", "register", "deploy");
        assertThat(update.steps()).filteredOn(step -> step.name().equals("plan")).extracting(Operation.Step::detail)
                .singleElement().asString().startsWith("replaces allocations (coordinator 1, workers 2 in the first round)");
        assertThat(join(nomad.allocations("trino-demo"))).filteredOn(AllocationStub::terminal).hasSize(3);
    }

    /** A change of min or max with the count is a register (the Scaling block), not Nomad's scale API, which would keep the old bounds. */
    @Test
    void testOnlyACountChangeIsAResize()
    {
        ClusterSpec spec = TestingClusterSpecs.local();
        assertThat(ClusterService.resizeOnly(spec, spec.withWorkers(new Workers(3, 1, 4)))).isTrue();
        assertThat(ClusterService.resizeOnly(spec, spec.withWorkers(new Workers(3, 1, 8)))).isFalse();
        assertThat(ClusterService.resizeOnly(spec, spec.withWorkers(new Workers(2, 0, 4)))).isFalse();
        assertThat(ClusterService.resizeOnly(spec, spec)).isFalse();
        assertThat(ClusterService.resizeOnly(spec, spec.withWorkers(new Workers(3, 1, 4)).withLabels(Map.of()))).isFalse();
    }

    @Test
    void testRestartRegistersANewVersionThatReplacesAllocations()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(awaitDone(join(service.restart("demo", "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.versions("trino-demo"))).hasSize(3);
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_restarted_at").asText()).isNotEmpty();
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).containsSubsequence("restart-requested", "deploy-succeeded");
        List<ClusterEvent> replacements = join(service.events("demo")).stream().filter(event -> event.type().matches("(worker|coordinator)-(replac|restart).*")).toList();
        assertThat(replacements).extracting(ClusterEvent::type)
                .containsExactlyInAnyOrder("coordinator-restarting", "coordinator-restarted", "worker-replacing", "worker-replaced", "worker-replacing", "worker-replaced");
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).containsSubsequence("coordinator-restarted", "deploy-succeeded");
    }

    @Test
    void testRestartReplacesTheWorkersFirstAndTheCoordinatorLastOnce()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        String coordinator = liveAllocation("coordinator").id();
        Operation restart = awaitDone(join(service.restart("demo", "ops")));
        assertThat(restart.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(restart.steps()).extracting(Operation.Step::name)
                .containsExactly("render", "write-variables", "register-workers", "deploy-workers", "register", "deploy", "trino-ready", "routable");
        assertThat(restart.steps().get(2).detail()).contains("phase 1 of 2").contains("only the workers group changed");
        assertThat(restart.steps().get(4).detail()).contains("phase 2 of 2").contains("the coordinator restarts now");

        // newest first: the full version, the workers-only version, the one created
        List<JsonNode> versions = join(nomad.versions("trino-demo")).stream().map(job -> (JsonNode) job.spec()).toList();
        assertThat(versions).hasSize(3);
        assertThat(group(versions.get(1), "coordinator")).as("phase 1 keeps the coordinator group as it ran").isEqualTo(group(versions.get(2), "coordinator"));
        assertThat(versions.get(1).path("Meta").has("orchestrator_restarted_at")).isFalse();
        assertThat(group(versions.get(1), "workers")).as("phase 2 keeps the workers group phase 1 deployed").isEqualTo(group(versions.get(0), "workers"));
        assertThat(group(versions.get(0), "workers").path("Meta").path("orchestrator_restarted_at").asText()).isNotEmpty();

        // each allocation replaced once: the stopped ones are the originals
        List<AllocationStub> allocations = join(nomad.allocations("trino-demo"));
        assertThat(allocations.stream().filter(allocation -> allocation.taskGroup().equals("coordinator")))
                .extracting(allocation -> allocation.terminal())
                .containsExactlyInAnyOrder(true, false);
        assertThat(allocations.stream().filter(allocation -> allocation.taskGroup().equals("coordinator") && allocation.terminal()))
                .extracting(AllocationStub::id).containsExactly(coordinator);
        assertThat(allocations.stream().filter(allocation -> allocation.taskGroup().equals("workers")))
                .extracting(allocation -> allocation.terminal())
                .containsExactlyInAnyOrder(true, true, false, false);
        assertThat(join(service.get("demo")).status().drift()).isFalse();
    }

    /**
     * Right after a restart, the plan of the stored spec changes nothing (issue 20, finding 6): the
     * restart's stamp is part of the job as deployed, so neither the plan nor a later deploy drops it
     * (dropping it would replace every allocation). A change of labels then keeps it too.
     */
    @Test
    void testPlanAfterARestartChangesNothingAndADeployKeepsTheStamp()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(join(service.plan("demo", "ops")).changesNothing()).as("plan after create").isTrue();
        assertThat(awaitDone(join(service.restart("demo", "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        String stamp = join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_restarted_at").asText();
        assertThat(stamp).isNotEmpty();

        JobPlan plan = join(service.plan("demo", "ops"));
        assertThat(plan.changesNothing()).as("plan after restart: %s", plan.diff()).isTrue();
        assertThat(plan.groups().values()).allSatisfy(updates -> assertThat(updates.destructiveUpdate()).isZero());
        assertThat(join(service.renderedJob("demo", "ops")).path("Meta").path("orchestrator_restarted_at").asText()).isEqualTo(stamp);
        assertThat(join(service.get("demo")).status().drift()).isFalse();

        ClusterSpec spec = TestingClusterSpecs.local();
        ClusterSpec relabelled = new ClusterSpec(spec.name(), spec.flavour(), spec.version(), spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), false, Map.of("team", "data"));
        awaitDone(join(service.update("demo", relabelled, "ops").thenApply(ClusterService.Updated::operation)));
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_restarted_at").asText()).as("kept by the update").isEqualTo(stamp);
        assertThat(join(service.plan("demo", "ops")).changesNothing()).as("plan after the update").isTrue();
    }

    @Test
    void testUpgradeAfterARestartKeepsTheCoordinatorUntilTheWorkersAreReplaced()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        awaitDone(join(service.restart("demo", "ops")));
        String stamp = join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_restarted_at").asText();
        assertThat(stamp).isNotEmpty();
        String coordinator = liveAllocation("coordinator").id();
        ClusterSpec spec = TestingClusterSpecs.local();
        ClusterSpec upgraded = new ClusterSpec(spec.name(), spec.flavour(), "470", spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), false, spec.labels());
        Operation update = awaitDone(join(service.update("demo", upgraded, "ops").thenApply(ClusterService.Updated::operation)));
        assertThat(update.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(update.steps()).extracting(Operation.Step::name).containsSubsequence("register-workers", "deploy-workers", "register", "deploy");

        // the upgrade keeps the restart's stamp in the job Meta (only a restart changes it), so phase 1 leaves the coordinator's Meta as it ran
        JsonNode workersOnly = join(nomad.versions("trino-demo")).get(1).spec();
        assertThat(workersOnly.path("Meta").path("orchestrator_restarted_at").asText()).isEqualTo(stamp);
        assertThat(group(workersOnly, "coordinator")).isEqualTo(group(join(nomad.versions("trino-demo")).get(2).spec(), "coordinator"));
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().path("Meta").path("orchestrator_restarted_at").asText()).isEqualTo(stamp);
        assertThat(join(nomad.allocations("trino-demo")).stream().filter(allocation -> allocation.taskGroup().equals("coordinator") && allocation.terminal()))
                .extracting(AllocationStub::id).as("the coordinator restarted once, in phase 2").containsOnlyOnce(coordinator);
        assertThat(join(nomad.allocations("trino-demo")).stream().filter(allocation -> allocation.taskGroup().equals("coordinator") && !allocation.terminal()))
                .hasSize(1);
        assertThat(join(service.get("demo")).status().drift()).isFalse();
    }

    @Test
    void testFailedWorkersPhaseLeavesTheCoordinatorRunning()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        String coordinator = liveAllocation("coordinator").id();
        nomad.failTasksWhere((group, task) -> group.equals("workers"));
        Operation restart = awaitDone(join(service.restart("demo", "ops")));
        assertThat(restart.state()).isEqualTo(Operation.State.FAILED);
        assertThat(restart.steps()).extracting(Operation.Step::name).doesNotContain("register").endsWith("deploy-workers");
        assertThat(join(nomad.versions("trino-demo"))).as("the full version was never registered").hasSize(2);
        assertThat(liveAllocation("coordinator").id()).isEqualTo(coordinator);
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).contains("restart-failed").doesNotContain("coordinator-restarting");
    }

    private AllocationStub liveAllocation(String group)
    {
        return join(nomad.allocations("trino-demo")).stream().filter(allocation -> allocation.taskGroup().equals(group) && !allocation.terminal()).findFirst().orElseThrow();
    }

    private static JsonNode group(JsonNode job, String name)
    {
        for (JsonNode group : job.path("TaskGroups")) {
            if (group.path("Name").asText().equals(name)) {
                return group;
            }
        }
        throw new AssertionError("no group " + name + " in " + job);
    }

    @Test
    void testOneOperationAtATime()
            throws Exception
    {
        // hold the create in its trino-ready step until the stop has been refused
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        beforeWorkersCounted = () -> {
            counted.countDown();
            try {
                release.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Operation create = join(service.create(TestingClusterSpecs.local(), "ops"));
        // the deploy before the trino-ready step waits for its looks at the deployment
        time.advanceUntil(() -> counted.getCount() == 0, Duration.ofSeconds(30));
        assertThat(join(repository.cluster("demo")).orElseThrow().value().activeOperation()).contains(create.id());
        assertThatThrownBy(() -> join(service.stop("demo", "ops"))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("has operation " + create.id() + " in progress");
        beforeWorkersCounted = () -> {};
        release.countDown();
        assertThat(awaitDone(create).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(service.get("demo")).record().activeOperation()).isEmpty();
    }

    @Test
    void testDeployEndsOnlyWhenTheClusterIsRoutable()
            throws Exception
    {
        gate.set(new ServiceHealth.Check("routing readiness gate", "critical", "not ready: the coordinator counts 0 of 1 required active worker(s)\n"));
        Operation operation = awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(operation.state()).isEqualTo(Operation.State.FAILED);
        assertThat(operation.steps().get(operation.steps().size() - 1).name()).isEqualTo("routable");
        assertThat(operation.error()).hasValueSatisfying(error -> assertThat(error)
                .contains("not routable")
                .contains("routing readiness gate is critical: not ready: the coordinator counts 0 of 1 required active worker(s)"));
        ClusterView.Routing routing = join(service.get("demo")).status().routing();
        assertThat(routing.routable()).isFalse();
        assertThat(routing.url()).contains("http://demo.trino.localhost:8000");
    }

    @Test
    void testStoppedClusterIsNotRoutable()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        awaitDone(join(service.stop("demo", "ops")));
        ClusterView.Routing routing = join(service.get("demo")).status().routing();
        assertThat(routing.routable()).isFalse();
        assertThat(routing.url()).isEmpty();
        assertThat(routing.reason()).contains("stopped").contains("/start");
    }

    @Test
    void testFailedDeploymentReportsTheFailingTask()
            throws Exception
    {
        nomad.failTasksWhere((group, task) -> group.equals("workers"));
        Operation operation = awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(operation.state()).isEqualTo(Operation.State.FAILED);
        assertThat(operation.error()).hasValueSatisfying(error -> assertThat(error).contains("failed").contains("workers"));
        assertThat(operation.steps().get(operation.steps().size() - 1).state()).isEqualTo(Operation.StepState.FAILED);
        assertThat(join(service.get("demo")).record().state()).isEqualTo(ClusterState.FAILED);
        assertThat(join(service.events("demo"))).extracting(ClusterEvent::type).contains("create-failed");
    }

    @Test
    void testNomadDownIsNamed()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        nomad.setAvailable(false);
        assertThatThrownBy(() -> join(service.plan("demo", "alice")))
                .isInstanceOf(DependencyException.class)
                .satisfies(e -> assertThat(((DependencyException) e).dependency()).isEqualTo("nomad"));
    }

    @Test
    void testCatalogSecretsComeFromTheParameterStoreAndAFailedReadStoresNothing()
            throws Exception
    {
        InMemoryParameterStore ssm = new InMemoryParameterStore();
        service.leadership().lost("replaced by a service that reads SSM");
        service = leadingService(Optional.of(ssm));
        String password = "/presto-orchestrator/shared/tpch-password";
        join(service.updateCatalog(new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of("tpch.password", "ssm:" + password)), "ops"));

        // missing: refused naming the parameter, nothing stored or deployed
        assertThatThrownBy(() -> join(service.create(TestingClusterSpecs.local(), "ops")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("SSM parameter " + password).hasMessageContaining("does not exist");
        assertThat(join(repository.cluster("demo"))).isEmpty();

        // SSM unreachable: a failure naming SSM, nothing stored or deployed
        ssm.put(password, "tpch-Secret-42").put("/presto-orchestrator/demo/extra", "cluster-Secret-7").unreachable(true);
        assertThatThrownBy(() -> join(service.create(TestingClusterSpecs.local(), "ops")))
                .isInstanceOfSatisfying(DependencyException.class, failure -> assertThat(failure.dependency()).isEqualTo("aws-ssm"));
        assertThat(join(repository.cluster("demo"))).isEmpty();
        assertThat(join(nomad.job("trino-demo"))).isEmpty();

        // read: the referenced and the cluster's own parameters reach the Nomad Variable, not the job
        ssm.unreachable(false);
        assertThat(awaitDone(join(service.create(TestingClusterSpecs.local(), "ops"))).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.variable("nomad/jobs/trino-demo")).orElseThrow().items().values()).contains("tpch-Secret-42", "cluster-Secret-7");
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().toString()).doesNotContain("tpch-Secret-42").doesNotContain("cluster-Secret-7");
    }

    @Test
    void testDeleteLeavesNothing()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThat(join(nomad.variable("nomad/jobs/trino-demo/coordinator"))).isPresent();
        Operation delete = awaitDone(join(service.delete("demo", "ops")));
        assertThat(delete.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.job("trino-demo"))).isEmpty();
        assertThat(join(nomad.variable("nomad/jobs/trino-demo"))).isEmpty();
        assertThat(join(nomad.variable("nomad/jobs/trino-demo/coordinator"))).isEmpty();
        assertThat(join(repository.cluster("demo"))).isEmpty();
        assertThat(join(repository.events("demo"))).isEmpty();
        assertThatThrownBy(() -> join(service.get("demo"))).isInstanceOf(NotFoundException.class).hasMessage("Cluster 'demo' does not exist");
    }

    @Test
    void testCatalogInUseCannotBeDeletedAndItsChangeRestartsTheCluster()
            throws Exception
    {
        awaitDone(join(service.create(TestingClusterSpecs.local(), "ops")));
        assertThatThrownBy(() -> join(service.deleteCatalog("tpch"))).isInstanceOf(ConflictException.class).hasMessageContaining("[demo]");
        List<Operation> restarts = join(service.updateCatalog(new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "8"), Map.of()), "ops"));
        assertThat(restarts).extracting(Operation::cluster).containsExactly("demo");
        assertThat(awaitDone(restarts.get(0)).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(nomad.versions("trino-demo"))).as("the workers-only version, then the full one").hasSize(3);
        // a Trino cluster's catalog files are in their Nomad Variable, written before the register (issue 18)
        assertThat(join(nomad.job("trino-demo")).orElseThrow().spec().toString()).doesNotContain("tpch.splits-per-node");
        assertThat(join(nomad.variable("nomad/jobs/trino-demo/coordinator")).orElseThrow().items().get("tpch.properties"))
                .isEqualTo("connector.name=tpch\ntpch.splits-per-node=8\n");
    }

    /** Runs the operation to its end on test time: each time it waits for its next look, the clock moves on to it. */
    private Operation awaitDone(Operation operation)
    {
        time.advanceUntil(() -> join(service.operation(operation.id())).state() != Operation.State.RUNNING, Duration.ofSeconds(20));
        return join(service.operation(operation.id()));
    }

    private static <T> T join(CompletionStage<T> stage)
    {
        return Await.await(stage, Duration.ofSeconds(20));
    }
}
