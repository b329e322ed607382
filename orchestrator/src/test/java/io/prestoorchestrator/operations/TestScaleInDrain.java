package io.prestoorchestrator.operations;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prestoorchestrator.autoscaling.Autoscaled;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.DrainConfig.AtBound;
import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.drain.ClusterWorkers;
import io.prestoorchestrator.drain.DrainMetrics;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.prestoorchestrator.drain.WorkerDrainer;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.drain.WorkerState;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.testing.FakeTrinoWorker;
import io.prestoorchestrator.testing.TestingScheduler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Path 2 of issue 6 in {@link ClusterService}: a resize drains, reverses and restores workers, against fake worker state APIs. */
class TestScaleInDrain
{
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]$");
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final InMemoryNomadJobs memory = new InMemoryNomadJobs();
    private final AtomicBoolean scaleFails = new AtomicBoolean();
    private final NomadJobs nomad = failingScale(memory, scaleFails);
    private final ClusterRepository repository = new ClusterRepository(new InMemoryKvStore());
    private final AtomicInteger ports = new AtomicInteger(19000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<FakeTrinoWorker> workers = new ArrayList<>();
    /** The operations', the drains' and the fake workers' waits and clock: {@link #awaitDone} moves it on to each look they wait for. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));
    private Vertx vertx;
    private WebClient client;
    private ClusterService service;
    private WorkerPool pool;

    @BeforeEach
    void setUp()
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        for (int i = 0; i < 5; i++) {
            workers.add(new FakeTrinoWorker(vertx, time));
        }
    }

    private void start(AtBound atBound, Duration timeout)
    {
        DrainConfig config = new DrainConfig(true, timeout, atBound, DRAIN_POLL, Duration.ofSeconds(30), Duration.ofSeconds(2),
                DrainConfig.DEFAULTS.goneAfter(), DrainConfig.DEFAULTS.queryLookInterval());
        TrinoHttpWorkers trino = new TrinoHttpWorkers(client, "presto-orchestrator", Duration.ofSeconds(2));
        pool = new WorkerPool(new ClusterWorkers(nomad, this::instances), trino, new WorkerDrainer(trino, time.clock(), config.pollInterval(), time.completingOn(executor)),
                config, new DrainMetrics(registry));
        service = new ClusterService(repository, nomad, new JobRenderer(Path.of("../job-templates")), Optional.empty(), "/presto-orchestrator",
                (flavour, coordinator) -> memory.allocations("trino-demo").thenApply(allocations -> OptionalInt.of((int) allocations.stream()
                        .filter(allocation -> allocation.taskGroup().equals("workers") && "running".equals(allocation.clientStatus())).count())),
                this::instances, executor, time, time.clock(), ports::incrementAndGet,
                Map.of("TRINO_HOME", "/opt/trino", "TRINO_JAVA_HOME", "/opt/jdk"), "test", new ClustersConfig("../job-templates", Duration.ofSeconds(10)),
                "replica-1", Duration.ofSeconds(30), Duration.ofMillis(200), Optional.of(pool));
        service.leadership().gained();
        await(service.createCatalog(new CatalogDefinition("tpch", "tpch", Map.of(), Map.of())));
        awaitDone(await(service.create(TestingClusterSpecs.local().withWorkers(new Workers(3, 1, 4)), "ops")));
    }

    @AfterEach
    void tearDown()
    {
        if (service != null) {
            service.leadership().lost("test over");
        }
        workers.forEach(FakeTrinoWorker::close);
        executor.shutdownNow();
        client.close();
        await(vertx.close().toCompletionStage());
    }

    /** Consul as Nomad fills it: a routed coordinator, and per running worker allocation an instance naming it in Meta, served by the fake of its index. */
    private CompletionStage<List<ServiceHealth.Instance>> instances(String name)
    {
        return memory.allocations("trino-demo").thenApply(allocations -> {
            List<ServiceHealth.Instance> found = new ArrayList<>();
            for (AllocationStub allocation : allocations) {
                if (allocation.terminal()) {
                    continue;
                }
                if (name.equals("trino-demo") && allocation.taskGroup().equals("coordinator")) {
                    found.add(new ServiceHealth.Instance("_nomad-task-" + allocation.id(), "node-1", "127.0.0.1", 18001, List.of("routed"), Map.of(),
                            List.of(new ServiceHealth.Check("routing readiness gate", "passing", "ready"))));
                }
                if (name.equals("trino-demo-worker") && allocation.taskGroup().equals("workers")) {
                    Matcher matcher = INDEX.matcher(allocation.name());
                    matcher.find();
                    int index = Integer.parseInt(matcher.group(1));
                    found.add(new ServiceHealth.Instance("_nomad-task-" + allocation.id() + "-worker-trino-demo-worker-http", "node-1", "127.0.0.1",
                            workers.get(index).uri().getPort(), List.of("worker"), Map.of("alloc_id", allocation.id(), "alloc_index", Integer.toString(index)), List.of()));
                }
            }
            return found;
        });
    }

    @Test
    void testScaleInDrainsTheHighestIndexThenLowersTheCount()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(10));
        workers.get(2).drainTime(Optional.of(Duration.ofMillis(500)));

        Operation resize = awaitDone(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(2, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)));

        assertThat(resize.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(resize.steps()).extracting(Operation.Step::name).containsSubsequence("drain", "scale", "stop-drained", "place", "trino-ready");
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.DRAINED);
        assertThat(workers.get(2).requests()).contains("PUT DRAINING as presto-orchestrator");
        assertThat(workers.get(0).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(1).requests()).noneMatch(request -> request.startsWith("PUT"));
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type)
                .containsSubsequence("resize-requested", "drain-started", "worker-drained", "count-lowered", "worker-stopped", "scaled");
        assertThat(message(events, "drain-started")).startsWith("Draining worker workers[2]").contains("3 -> 2");
        assertThat(message(events, "worker-drained")).startsWith("Worker workers[2] drained after");
        assertThat(registry.get(DrainMetrics.DURATION).tags("cluster", "demo", "path", "scale-in", "outcome", "drained").timer().count()).isEqualTo(1);
    }

    @Test
    void testAtTheBoundContinueRemovesTheWorkerAnyway()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(1));
        workers.get(2).drainTime(Optional.empty());

        Operation resize = awaitDone(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(2, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)));

        assertThat(resize.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type).containsSubsequence("drain-started", "drain-timed-out", "drain-bound-reached", "count-lowered", "scaled");
        assertThat(message(events, "drain-timed-out")).contains("still DRAINING").contains("continue, it is stopped anyway");
        assertThat(registry.get(DrainMetrics.STUCK).tags("cluster", "demo", "reason", "timed-out").counter().count()).isEqualTo(1);
    }

    @Test
    void testAtTheBoundAbortPutsEveryWorkerBackAndChangesNothing()
    {
        start(AtBound.ABORT, Duration.ofSeconds(1));
        workers.get(2).drainTime(Optional.empty());

        Operation resize = awaitDone(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(1, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)));

        assertThat(resize.state()).isEqualTo(Operation.State.FAILED);
        assertThat(resize.error()).hasValueSatisfying(error -> assertThat(error).startsWith("Drain aborted: workers[2] timed_out").contains("count stays 3"));
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(1).requests()).contains("PUT DRAINING as presto-orchestrator", "PUT ACTIVE as presto-orchestrator");
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(3);
        ClusterView view = await(service.get("demo"));
        assertThat(view.record().spec().workers().count()).isEqualTo(3);
        assertThat(view.record().state()).isEqualTo(ClusterState.RUNNING);
        assertThat(view.record().activeOperation()).isEmpty();
        assertThat(await(service.events("demo"))).extracting(ClusterEvent::type)
                .containsSubsequence("drain-started", "drain-timed-out", "drain-reversed", "drain-aborted")
                .doesNotContain("count-lowered", "scaled", "resize-failed");
        assertThat(await(repository.scaleInDecision(resize.id()))).as("the failed scale-in's decision is dropped").isEmpty();
    }

    @Test
    void testAFailedScaleReversesTheDrain()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(10));
        scaleFails.set(true);

        Operation resize = awaitDone(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(2, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)));

        assertThat(resize.state()).isEqualTo(Operation.State.FAILED);
        // the steps name the one that failed: the scale, not putting the workers back
        assertThat(resize.steps()).extracting(step -> step.name() + ":" + step.state()).containsSubsequence("drain:DONE", "scale:FAILED", "reactivate:DONE")
                .doesNotContain("reactivate:FAILED");
        assertThat(resize.steps().stream().filter(step -> step.name().equals("scale")).findFirst().orElseThrow().detail()).startsWith("workers 3 -> 2: ");
        assertThat(workers.get(2).requests()).contains("PUT DRAINING as presto-orchestrator", "PUT ACTIVE as presto-orchestrator");
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(3);
        // nothing half-done: the spec says what Nomad runs (FaultInjectionIT found it left at 2 with Nomad down for 30 s)
        ClusterView view = await(service.get("demo"));
        assertThat(view.record().spec().workers()).isEqualTo(new Workers(3, 1, 4));
        assertThat(view.record().state()).isEqualTo(ClusterState.RUNNING);
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type).containsSubsequence("worker-drained", "drain-reversed", "resize-failed");
        assertThat(message(events, "drain-reversed")).startsWith("workers[2] put back to ACTIVE because the resize failed");
        assertThat(message(events, "resize-failed")).endsWith("; the count stays 3");
        assertThat(await(repository.scaleInDecision(resize.id()))).as("the failed scale-in's decision is dropped").isEmpty();
    }

    @Test
    void testScaleUpPutsDrainingWorkersBackFirst()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(10));
        workers.get(1).state(WorkerState.DRAINED);

        Operation resize = awaitDone(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(4, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)));

        assertThat(resize.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(resize.steps()).extracting(Operation.Step::name).containsSubsequence("reactivate", "scale");
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(0).requests()).noneMatch(request -> request.startsWith("PUT"));
        assertThat(message(await(service.events("demo")), "worker-reactivated")).startsWith("workers[1] were draining and are ACTIVE again");
    }

    @Test
    void testLargerResizeWhileDrainingReusesTheDrainingWorkers()
    {
        Operation scaleIn = scaleInStillDraining(2);

        Operation answered = await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(4, 1, 4)), "autoscaler").thenApply(ClusterService.Updated::operation));

        assertThat(answered.id()).as("the scale-in operation carries out the new count").isEqualTo(scaleIn.id());
        Operation done = awaitDone(scaleIn);
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(workers.get(2).state()).as("the draining worker is reused").isEqualTo(WorkerState.ACTIVE);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(4);
        assertThat(await(service.get("demo")).record().spec().workers()).isEqualTo(new Workers(4, 1, 4));
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type)
                .containsSubsequence("resize-requested", "drain-started", "scale-in-superseded", "drain-reversed", "scaled")
                .doesNotContain("count-lowered", "drain-bound-reached");
        assertThat(message(events, "scale-in-superseded")).startsWith("Resize to 4 by autoscaler supersedes the scale-in 3 -> 2 in progress");
        assertThat(message(events, "scaled")).isEqualTo("Workers scaled from 3 to 4");
        assertThat(done.steps()).extracting(Operation.Step::name).doesNotContain("stop-drained");
        assertThat(await(repository.scaleInDecision(scaleIn.id()))).as("the decision is dropped once the operation ended").isEmpty();
    }

    @Test
    void testResizeToNoMoreThanTheScaleInsTargetIsRefusedWhileItDrains()
    {
        Operation scaleIn = scaleInStillDraining(2);

        assertThat(io.prestoorchestrator.testing.Await.failure(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(1, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)))
                .isInstanceOf(io.prestoorchestrator.error.ConflictException.class)
                .hasMessageContaining("has operation " + scaleIn.id() + " in progress, a scale-in 3 -> 2: a resize to more than 2 reuses its draining workers")
                .hasMessageContaining("to 1, wait for it");
        assertThat(workers.get(2).state()).as("nothing changed").isEqualTo(WorkerState.DRAINING);
        assertThat(await(repository.scaleInDecision(scaleIn.id()))).isEmpty();
        assertThat(await(service.get("demo")).record().spec().workers().count()).isEqualTo(2);

        // not superseded: once its worker drained, the scale-in lowers the count as planned
        workers.get(2).state(WorkerState.DRAINED);
        assertThat(awaitDone(scaleIn).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
    }

    @Test
    void testResizeBetweenTheScaleInsTargetAndStartReusesPartOfTheDrain()
    {
        Operation scaleIn = scaleInStillDraining(1);

        Operation answered = await(service.autoscale("demo", 2, "scaling up because metric is 2", () -> CompletableFuture.completedFuture(null)))
                .operationId().map(id -> await(service.operation(id))).orElseThrow();

        assertThat(answered.id()).as("the scale-in operation carries out the new count").isEqualTo(scaleIn.id());
        assertThat(workers.get(1).state()).as("the draining worker Nomad keeps at 2 is ACTIVE again at once").isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(2).state()).as("the one Nomad stops at 2 keeps draining").isEqualTo(WorkerState.DRAINING);
        assertThat(await(service.get("demo")).record().spec().workers().count()).isEqualTo(2);
        assertThat(await(repository.scaleInDecision(scaleIn.id())).orElseThrow().pending()).isTrue();
        assertThat(await(service.autoscale("demo", 2, "again", () -> CompletableFuture.completedFuture(null))).changed())
                .as("the agent asking for the same count again changes nothing").isFalse();
        assertThat(io.prestoorchestrator.testing.Await.failure(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(1, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)))
                .as("the reused worker is not drained again by a lower count")
                .isInstanceOf(io.prestoorchestrator.error.ConflictException.class)
                .hasMessageContaining("a resize to more than 2 reuses its draining workers");

        workers.get(2).state(WorkerState.DRAINED);
        Operation done = awaitDone(scaleIn);
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(workers.get(1).requests()).as("the reused worker is never asked to shut down").noneMatch(request -> request.contains("SHUTTING_DOWN"));
        assertThat(await(service.get("demo")).record().spec().workers()).isEqualTo(new Workers(2, 1, 4));
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type)
                .containsSubsequence("resize-requested", "drain-started", "scale-in-retargeted", "count-lowered", "scaled")
                .contains("drain-cancelled")
                .doesNotContain("scale-in-superseded", "drain-refused", "drain-bound-reached");
        assertThat(message(events, "scale-in-retargeted"))
                .startsWith("Resize to 2 by nomad-autoscaler (scaling up because metric is 2) retargets the scale-in 3 -> 1 in progress: workers[1] back to ACTIVE");
        assertThat(message(events, "drain-cancelled")).startsWith("Worker workers[1] stopped draining after").endsWith("the resize to 2 by nomad-autoscaler keeps it, ACTIVE again");
        assertThat(message(events, "count-lowered")).startsWith("Count lowered 3 -> 2").endsWith("Nomad stops workers[2]");
        assertThat(message(events, "scaled")).isEqualTo("Workers scaled from 3 to 2");
        assertThat(await(repository.scaleInDecision(scaleIn.id()))).as("the decision is dropped once the operation ended").isEmpty();
    }

    @Test
    void testLargerResizeAfterARetargetSupersedesTheScaleIn()
    {
        Operation scaleIn = scaleInStillDraining(1);
        assertThat(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(2, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)).id()).isEqualTo(scaleIn.id());
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.DRAINING);

        assertThat(await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(4, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)).id()).isEqualTo(scaleIn.id());

        Operation done = awaitDone(scaleIn);
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(workers.subList(0, 3)).extracting(FakeTrinoWorker::state).containsOnly(WorkerState.ACTIVE);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(4);
        assertThat(await(service.get("demo")).record().spec().workers()).isEqualTo(new Workers(4, 1, 4));
        assertThat(await(service.events("demo"))).extracting(ClusterEvent::type)
                .containsSubsequence("drain-started", "scale-in-retargeted", "scale-in-superseded", "scaled")
                .doesNotContain("count-lowered");
    }

    @Test
    void testResizeAfterTheCountWasLoweredIsRefused()
    {
        Operation scaleIn = scaleInStillDraining(2);
        // what the scale-in records right before it lowers the count
        assertThat(await(repository.decideScaleIn(scaleIn.id(), ScaleInDecision.lower("test")))).isTrue();

        assertThat(io.prestoorchestrator.testing.Await.failure(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(4, 1, 4)), "ops").thenApply(ClusterService.Updated::operation)))
                .isInstanceOf(io.prestoorchestrator.error.ConflictException.class)
                .hasMessageContaining("that has lowered the count already");
        assertThat(workers.get(2).state()).as("nothing changed").isEqualTo(WorkerState.DRAINING);
        workers.get(2).state(WorkerState.DRAINED);
        Operation done = awaitDone(scaleIn);
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
        assertThat(await(service.events("demo"))).extracting(ClusterEvent::type).doesNotContain("scale-in-superseded");
    }

    @Test
    void testAutoscaleDrainsLikeAResizeAndRecordsTheAgentsReason()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(10));
        workers.get(2).drainTime(Optional.of(Duration.ofMillis(300)));
        List<String> approvals = new ArrayList<>();

        Autoscaled result = await(service.autoscale("demo", 2, "scaling down because metric is 2; signal: idle", () -> {
            // before anything changed: the spec still has 3, no operation, no worker draining
            approvals.add(await(service.get("demo")).record().spec().workers().count() + "/" + await(service.get("demo")).record().activeOperation().isPresent()
                    + "/" + workers.get(2).state());
            return CompletableFuture.completedFuture(null);
        }));

        assertThat(result.changed()).isTrue();
        assertThat(approvals).containsExactly("3/false/ACTIVE");
        Operation resize = awaitDone(await(service.operation(result.operationId().orElseThrow())));
        assertThat(resize.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(resize.requestedBy()).isEqualTo(ClusterService.AUTOSCALER);
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.DRAINED);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(2);
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type).containsSubsequence("resize-requested", "drain-started", "count-lowered", "scaled");
        assertThat(message(events, "resize-requested")).isEqualTo("workers 3 -> 2 (min 1, max 4) by nomad-autoscaler: scaling down because metric is 2; signal: idle");
        assertThat(await(memory.scalingEvents("trino-demo", "workers")).get(0).message())
                .isEqualTo("presto-orchestrator: resize by nomad-autoscaler: scaling down because metric is 2; signal: idle");

        // the count the spec has already: nothing changes, nothing is approved
        Autoscaled again = await(service.autoscale("demo", 2, "scaling down because metric is 2", () -> {
            approvals.add("again");
            return CompletableFuture.completedFuture(null);
        }));
        assertThat(again).isEqualTo(new Autoscaled(Optional.empty(), false));
        assertThat(approvals).hasSize(1);
    }

    @Test
    void testAutoscaleOutDuringTheAgentsScaleInReusesTheDrainingWorkers()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(20));
        workers.get(2).drainTime(Optional.empty());
        Autoscaled in = await(service.autoscale("demo", 2, "scaling down because metric is 2", () -> CompletableFuture.completedFuture(null)));
        // no wait before the drain starts: only its request to the fake worker is awaited, in real time
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> workers.get(2).state() == WorkerState.DRAINING);

        // the same count again while it drains: the operation in progress, nothing new
        assertThat(await(service.autoscale("demo", 2, "scaling down because metric is 2", () -> CompletableFuture.failedFuture(new AssertionError("not approved twice")))))
                .isEqualTo(new Autoscaled(in.operationId(), false));
        Autoscaled out = await(service.autoscale("demo", 3, "scaling up because metric is 3", () -> CompletableFuture.completedFuture(null)));

        assertThat(out).isEqualTo(new Autoscaled(in.operationId(), true));
        Operation done = awaitDone(await(service.operation(in.operationId().orElseThrow())));
        assertThat(done.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(workers.get(2).state()).as("the draining worker is reused").isEqualTo(WorkerState.ACTIVE);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(3);
        assertThat(await(memory.allocations("trino-demo")).stream().filter(allocation -> allocation.taskGroup().equals("workers")).count())
                .as("no new worker started").isEqualTo(3);
        List<ClusterEvent> events = await(service.events("demo"));
        assertThat(events).extracting(ClusterEvent::type).containsSubsequence("resize-requested", "drain-started", "scale-in-superseded", "drain-reversed", "scaled")
                .doesNotContain("count-lowered");
        assertThat(message(events, "scale-in-superseded")).startsWith("Resize to 3 by nomad-autoscaler (scaling up because metric is 3) supersedes the scale-in 3 -> 2");
    }

    @Test
    void testAutoscaleRefusedByItsApprovalChangesNothing()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(10));

        assertThat(io.prestoorchestrator.testing.Await.failure(service.autoscale("demo", 2, "scaling down because metric is 2",
                () -> CompletableFuture.failedFuture(new IllegalStateException("Permission denied")))))
                .hasMessageContaining("Permission denied");

        ClusterView view = await(service.get("demo"));
        assertThat(view.record().spec().workers().count()).isEqualTo(3);
        assertThat(view.record().activeOperation()).isEmpty();
        assertThat(workers.get(2).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(await(memory.job("trino-demo")).orElseThrow().groupCount("workers")).isEqualTo(3);
        assertThat(await(service.events("demo"))).extracting(ClusterEvent::type).doesNotContain("resize-requested");
    }

    @Test
    void testWatchdogFinishesOrphanedDrainsSafely()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(1));
        workers.get(1).state(WorkerState.DRAINED);
        workers.get(2).state(WorkerState.SHUTTING_DOWN);
        TestingScheduler watchdogTime = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
        DrainWatchdog watchdog = new DrainWatchdog(repository, pool, watchdogTime.clock(), watchdogTime);

        assertThat(await(watchdog.check())).isEmpty();
        // twice drain.timeout is the grace: not yet orphaned 1 ms before it
        watchdogTime.advance(Duration.ofSeconds(2).minusMillis(1));
        assertThat(await(watchdog.check())).isEmpty();
        watchdogTime.advance(Duration.ofMillis(1));
        List<ClusterEvent> found = await(watchdog.check());

        assertThat(found).extracting(ClusterEvent::type).containsExactly("drain-stuck", "drain-stuck");
        assertThat(found).extracting(ClusterEvent::message).anySatisfy(message -> assertThat(message)
                .startsWith("Worker workers[1] (alloc ").contains("has been DRAINED for").endsWith("put back to ACTIVE, since Nomad still runs it for the spec's count"));
        assertThat(found).extracting(ClusterEvent::message).anySatisfy(message -> assertThat(message)
                .startsWith("Worker workers[2]").contains("SHUTTING_DOWN cannot be cancelled"));
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(registry.get(DrainMetrics.STUCK).tags("cluster", "demo", "path", "watchdog", "reason", "orphaned").counter().count()).isEqualTo(2);
        assertThat(await(service.events("demo"))).extracting(ClusterEvent::type).contains("drain-stuck");

        assertThat(await(watchdog.check())).as("reported once").isEmpty();
    }

    @Test
    void testWatchdogLeavesClustersWithAnOperationAlone()
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(1));
        workers.get(1).state(WorkerState.DRAINED);
        ClusterRecord record = await(repository.cluster("demo")).orElseThrow().value();
        await(repository.updateCluster(record.with(ClusterState.DEPLOYING, Optional.of("someone-else"), record.updatedAt()), await(repository.cluster("demo")).orElseThrow().index()));
        TestingScheduler watchdogTime = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
        DrainWatchdog watchdog = new DrainWatchdog(repository, pool, watchdogTime.clock(), watchdogTime);

        await(watchdog.check());
        watchdogTime.advance(Duration.ofMinutes(10));

        assertThat(await(watchdog.check())).isEmpty();
        assertThat(workers.get(1).state()).isEqualTo(WorkerState.DRAINED);
    }

    /** A resize of the 3 workers to {@code count} whose workers never finish draining by themselves: the operation, once they are all DRAINING. */
    private Operation scaleInStillDraining(int count)
    {
        start(AtBound.CONTINUE, Duration.ofSeconds(20));
        for (int index = count; index < 3; index++) {
            workers.get(index).drainTime(Optional.empty());
        }
        Operation scaleIn = await(service.update("demo", TestingClusterSpecs.local().withWorkers(new Workers(count, 1, 4)), "ops").thenApply(ClusterService.Updated::operation));
        // no wait before the drains start: only their requests to the fake workers are awaited, in real time
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> workers.subList(count, 3).stream().allMatch(worker -> worker.state() == WorkerState.DRAINING));
        return scaleIn;
    }

    private static String message(List<ClusterEvent> events, String type)
    {
        return events.stream().filter(event -> event.type().equals(type)).findFirst().orElseThrow(() -> new AssertionError("no " + type + " event in " + events)).message();
    }

    /**
     * Runs the operation to its end on test time, until this replica no longer runs it (what it does
     * after recording its outcome, as dropping a scale-in decision, is done by then): each time it
     * waits for its next look, the clock moves on to it. Its looks at the workers are real requests to
     * the fake workers; while one is on its way, the clock moves by no more than a drain poll, not on
     * to the drain watchdog's next round, which is always pending.
     */
    private Operation awaitDone(Operation operation)
    {
        time.advanceUntil(() -> await(service.operation(operation.id())).state() != Operation.State.RUNNING && !service.running().contains(operation.id()),
                Duration.ofSeconds(30), DRAIN_POLL);
        return await(service.operation(operation.id()));
    }

    /** {@code delegate}, except that scaling fails as an unreachable Nomad would while {@code fails} is set. */
    private static NomadJobs failingScale(NomadJobs delegate, AtomicBoolean fails)
    {
        return (NomadJobs) Proxy.newProxyInstance(NomadJobs.class.getClassLoader(), new Class<?>[] {NomadJobs.class}, (proxy, method, arguments) -> {
            if (method.getName().equals("scale") && fails.get()) {
                return CompletableFuture.failedFuture(new DependencyException("nomad", "Nomad is unavailable: connection refused", true, null));
            }
            try {
                return method.invoke(delegate, arguments);
            }
            catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
