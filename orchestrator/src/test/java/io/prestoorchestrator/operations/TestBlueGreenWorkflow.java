package io.prestoorchestrator.operations;

import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.Rollout;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.testing.Await;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18's blue-green rollout against the in-memory Nomad (which places canaries and promotes
 * them as Nomad does), Consul as Nomad's client fills it (one instance per running coordinator,
 * tagged with its side), and fake coordinators whose running queries the test sets.
 */
class TestBlueGreenWorkflow
{
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of(), Map.of());
    private static final String JOB = "trino-demo";

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final InMemoryNomadJobs nomad = new InMemoryNomadJobs();
    private final ClusterRepository repository = new ClusterRepository(new InMemoryKvStore());
    private final InMemoryKvStore traefik = new InMemoryKvStore();
    private final PublicRoutes routes = new PublicRoutes(traefik);
    /** Queries the side-blue coordinator still runs: each look at its query list ends one. */
    private final AtomicInteger blueQueries = new AtomicInteger();
    /** The routes' active side at each look at the blue coordinator's queries. */
    private final List<String> activeWhileBlueCounted = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The operations' waits and clock: {@link #awaitDone} moves it on to each look an operation waits for. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));
    /**
     * The call of Nomad's ({@code nomad.<method>}) or Traefik's KV ({@code traefik.<method>}) right after which
     * {@link #service} loses leadership, as a leader killed then: what it did is done, nothing after it is.
     */
    private volatile Predicate<String> leaderDiesAfter = call -> false;
    private final List<ClusterService> replicas = new ArrayList<>();
    private JobRenderer renderer;
    /** replica-1, the leader; {@link #resumeOn} starts another replica that leads after it. */
    private ClusterService service;

    @BeforeEach
    void setUp()
            throws Exception
    {
        // no Traefik to wait for here: switch_settle_seconds 0
        renderer = new JobRenderer(TestingFiles.templatesWith("local.yaml", "switch_settle_seconds: 5", "switch_settle_seconds: 0"));
        service = replica("replica-1", intercept(NomadJobs.class, nomad, "nomad."), intercept(KvStore.class, traefik, "traefik."));
        service.leadership().gained();
        join(service.createCatalog(TPCH));
    }

    @AfterEach
    void tearDown()
    {
        replicas.forEach(replica -> replica.leadership().lost("test over"));
        executor.shutdownNow();
    }

    @Test
    void testRestartStartsTheNewSideBesideTheOldOneAndSwitchesOnlyOnceItIsReady()
            throws Exception
    {
        create();
        assertThat(join(routes.active("demo"))).contains("blue");
        List<String> blueAllocations = running().stream().map(AllocationStub::id).toList();
        blueQueries.set(3);

        Operation restart = awaitDone(join(service.restart("demo", "ops")));

        assertThat(restart.state()).as(restart.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(restart.steps()).extracting(Operation.Step::name)
                .containsSubsequence("blue-green", "register", "new-side", "new-side-gate", "switch", "old-side-queries", "promote", "deploy", "trino-ready", "routable");
        assertThat(events()).containsSubsequence("restart-requested", "blue-green-started", "traffic-switched", "old-side-idle", "old-side-stopped", "deploy-succeeded");
        // the old side's queries were counted only after new queries went to green, and promoted only once none ran
        assertThat(activeWhileBlueCounted).isNotEmpty().containsOnly("green");
        assertThat(blueQueries.get()).isZero();
        assertThat(nomad.promotions()).hasSize(1);
        assertThat(join(routes.active("demo"))).contains("green");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side blue's router removed").containsExactly("green");
        List<AllocationStub> now = running();
        assertThat(now).as("one coordinator and two workers, all new").hasSize(3).noneMatch(allocation -> blueAllocations.contains(allocation.id()));
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).isEqualTo("green");

        // the next restart goes back to blue
        Operation again = awaitDone(join(service.restart("demo", "ops")));
        assertThat(again.state()).as(again.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(routes.active("demo"))).contains("blue");
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).isEqualTo("blue");
    }

    @Test
    void testANewSideThatFailsIsRevertedAndTheOldSideKeepsEverything()
            throws Exception
    {
        create();
        List<String> blueAllocations = running().stream().map(AllocationStub::id).sorted().toList();
        long blueVersion = join(nomad.job(JOB)).orElseThrow().version();
        nomad.failTasksWhere((group, task) -> group.equals("coordinator"));

        Operation restart = awaitDone(join(service.restart("demo", "ops")));

        assertThat(restart.state()).isEqualTo(Operation.State.FAILED);
        assertThat(restart.steps()).extracting(Operation.Step::name).contains("revert").doesNotContain("switch", "promote");
        assertThat(events()).contains("blue-green-reverted").doesNotContain("traffic-switched");
        assertThat(nomad.promotions()).isEmpty();
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side green's router removed").containsExactly("blue");
        assertThat(running().stream().map(AllocationStub::id).sorted().toList()).as("side blue's allocations untouched, the canaries stopped").isEqualTo(blueAllocations);
        NomadJob job = join(nomad.job(JOB)).orElseThrow();
        assertThat(side(job)).isEqualTo("blue");
        assertThat(job.version()).as("reverted: a new version with blue's spec").isEqualTo(blueVersion + 2);
    }

    @Test
    void testInPlaceRolloutReplacesWorkersFirstWithoutCanaries()
            throws Exception
    {
        create(Rollout.IN_PLACE);

        Operation restart = awaitDone(join(service.restart("demo", "ops")));

        assertThat(restart.state()).as(restart.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(restart.steps()).extracting(Operation.Step::name).contains("register-workers", "deploy-workers").doesNotContain("blue-green", "switch");
        assertThat(nomad.promotions()).isEmpty();
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).as("in place: the side stays").isEqualTo("blue");
        assertThat(join(routes.active("demo"))).contains("blue");
    }

    @Test
    void testStopTakesThePublicHostOffAndWaitsForTheRunningQueries()
            throws Exception
    {
        create();
        blueQueries.set(2);

        Operation stop = awaitDone(join(service.stop("demo", "ops")));

        assertThat(stop.state()).as(stop.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(stop.steps()).extracting(Operation.Step::name).containsSubsequence("unroute", "queries-end", "deregister");
        assertThat(blueQueries.get()).as("the stop waited for the running queries").isZero();
        assertThat(activeWhileBlueCounted).as("no public router while the queries ended").containsOnly("none");
        assertThat(events()).contains("unrouted");

        Operation start = awaitDone(join(service.start("demo", "ops")));
        assertThat(start.state()).as(start.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(join(routes.active("demo"))).as("a start routes the public host again").contains("blue");
    }

    @Test
    void testForcedStopDoesNotWaitForRunningQueries()
            throws Exception
    {
        create();
        blueQueries.set(1_000);

        Operation stop = awaitDone(join(service.stop("demo", "ops", true)));

        assertThat(stop.state()).as(stop.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(stop.steps()).extracting(Operation.Step::name).contains("unroute").doesNotContain("queries-end");
        assertThat(blueQueries.get()).isEqualTo(1_000);
        assertThat(join(routes.routes("demo"))).isEmpty();
    }

    /**
     * The leader dies right after it promoted a restart's new side; Nomad ends the deployment alone before another
     * replica leads. The resumed restart finds nothing to replace but side blue's router, left in Traefik's KV.
     */
    @Test
    void testAResumedRestartRemovesTheOldSidesRouterWhenNomadEndedTheDeploymentAlone()
    {
        create();
        leaderDiesAfter = call -> call.equals("nomad.promote");
        Operation restart = join(service.restart("demo", "ops"));
        int versions = awaitLeaderDied(restart);
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("the leader died before it removed side blue's router").containsExactly("green", "blue");

        Operation done = resumeOn("replica-2", restart);

        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-2");
        assertThat(events()).containsSubsequence("operation-resumed", "old-route-removed", "deploy-succeeded");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side blue's router removed").containsExactly("green");
        assertThat(join(routes.active("demo"))).contains("green");
        assertThat(join(nomad.versions(JOB))).as("resumed, the restart registers nothing").hasSize(versions);
        assertThat(nomad.promotions()).hasSize(1);
        assertThat(running()).hasSize(3);
    }

    /**
     * The same window in an update that goes blue-green (a Trino property: Nomad's plan replaces every allocation).
     * Resumed, Nomad's plan finds the job as wanted, so it is registered in place; the old side's router goes first.
     */
    @Test
    void testAResumedUpdateRemovesTheOldSidesRouterWhenNomadEndedTheDeploymentAlone()
    {
        create();
        leaderDiesAfter = call -> call.equals("nomad.promote");
        Operation update = join(service.update("demo", changedProperty(), "ops")).started().orElseThrow();
        int versions = awaitLeaderDied(update);
        assertThat(operation(update).steps()).extracting(Operation.Step::name).containsSubsequence("plan", "blue-green", "register", "switch", "promote");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("the leader died before it removed side blue's router").containsExactly("green", "blue");

        Operation done = resumeOn("replica-2", update);

        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(done.runner()).contains("replica-2");
        List<Operation.Step> resumed = done.steps().subList(done.steps().stream().map(Operation.Step::name).toList().indexOf("resume"), done.steps().size());
        assertThat(resumed).extracting(Operation.Step::name).as("resumed: in place, no second side").contains("plan", "register").doesNotContain("blue-green", "switch", "promote");
        assertThat(events()).containsSubsequence("update-requested", "blue-green-started", "traffic-switched", "operation-resumed", "old-route-removed", "deploy-succeeded");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side blue's router removed").containsExactly("green");
        assertThat(join(routes.active("demo"))).contains("green");
        assertThat(join(nomad.versions(JOB))).as("resumed, the update registers nothing again").hasSize(versions);
        assertThat(nomad.promotions()).hasSize(1);
        NomadJob job = join(nomad.job(JOB)).orElseThrow();
        assertThat(side(job)).isEqualTo("green");
        assertThat(running()).as("one coordinator and two workers, on side green").hasSize(3).allMatch(allocation -> allocation.jobVersion() == job.version());
    }

    /** The leader dies right after it removed side blue's router: the resumed update has no router to remove, and says none. */
    @Test
    void testAResumedUpdateWhoseOldSidesRouterIsGoneRemovesNothing()
    {
        create();
        leaderDiesAfter = call -> call.equals("traefik.delete") && join(routes.routes("demo")).stream().noneMatch(route -> route.side().equals("blue"));
        Operation update = join(service.update("demo", changedProperty(), "ops")).started().orElseThrow();
        int versions = awaitLeaderDied(update);
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).containsExactly("green");

        Operation done = resumeOn("replica-2", update);

        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(events()).contains("operation-resumed", "deploy-succeeded").doesNotContain("old-route-removed");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).containsExactly("green");
        assertThat(join(nomad.versions(JOB))).hasSize(versions);
    }

    /**
     * The leader dies right after it registered the new side, whose canaries fail: the deployment of the job's version
     * failed, side blue still serves every query, and the resumed restart leaves its router alone (it removes side
     * green's: {@link #testAResumedRestartFinishesTheRevertWhenTheNewSideFailed}).
     */
    @Test
    void testAResumedRestartKeepsTheOldSidesRouterWhenTheNewSideFailed()
    {
        create();
        nomad.failTasksWhere((group, task) -> group.equals("coordinator"));
        leaderDiesAfter = call -> call.equals("nomad.register");
        Operation restart = join(service.restart("demo", "ops"));
        awaitLeaderDied(restart);
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).isEqualTo("green");
        assertThat(join(nomad.latestDeployment(JOB)).orElseThrow().status()).isEqualTo("failed");

        Operation done = resumeOn("replica-2", restart);

        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.FAILED);
        assertThat(events()).doesNotContain("old-route-removed");
        assertThat(join(routes.active("demo"))).as("side blue keeps the public host").contains("blue");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side blue's router kept").contains("blue");
        assertThat(nomad.promotions()).isEmpty();
    }

    /**
     * The leader dies right after it registered the new side, whose canaries fail before it reverted: Nomad ends the
     * deployment alone (failed), and the job stays at side green's version. The resumed restart finishes the revert as
     * that leader would have: the job back at side blue's spec, side green's router removed, the operation failed.
     */
    @Test
    void testAResumedRestartFinishesTheRevertWhenTheNewSideFailed()
    {
        create();
        NomadJob blue = join(nomad.job(JOB)).orElseThrow();
        List<String> blueAllocations = running().stream().map(AllocationStub::id).sorted().toList();
        nomad.failTasksWhere((group, task) -> group.equals("coordinator"));
        leaderDiesAfter = call -> call.equals("nomad.register");
        Operation restart = join(service.restart("demo", "ops"));
        int versions = awaitLeaderDied(restart);
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).as("the leader died before it reverted").isEqualTo("green");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).containsExactlyInAnyOrder("blue", "green");

        Operation done = resumeOn("replica-2", restart);

        assertThatRevertWasFinished(done, blue, blueAllocations, versions + 1);
        assertThat(events()).containsSubsequence("restart-requested", "blue-green-started", "operation-resumed", "blue-green-reverted");
    }

    /** The same window in an update that goes blue-green (a Trino property: Nomad's plan replaces every allocation). */
    @Test
    void testAResumedUpdateFinishesTheRevertWhenTheNewSideFailed()
    {
        create();
        NomadJob blue = join(nomad.job(JOB)).orElseThrow();
        List<String> blueAllocations = running().stream().map(AllocationStub::id).sorted().toList();
        nomad.failTasksWhere((group, task) -> group.equals("coordinator"));
        leaderDiesAfter = call -> call.equals("nomad.register");
        Operation update = join(service.update("demo", changedProperty(), "ops")).started().orElseThrow();
        int versions = awaitLeaderDied(update);
        assertThat(operation(update).steps()).extracting(Operation.Step::name).containsSubsequence("plan", "blue-green", "register");
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).as("the leader died before it reverted").isEqualTo("green");
        assertThat(join(nomad.latestDeployment(JOB)).orElseThrow().status()).isEqualTo("failed");

        Operation done = resumeOn("replica-2", update);

        assertThatRevertWasFinished(done, blue, blueAllocations, versions + 1);
        assertThat(events()).containsSubsequence("update-requested", "blue-green-started", "operation-resumed", "blue-green-reverted");
        List<Operation.Step> resumed = done.steps().subList(done.steps().stream().map(Operation.Step::name).toList().indexOf("resume"), done.steps().size());
        assertThat(resumed).extracting(Operation.Step::name).as("resumed: nothing registered again").doesNotContain("plan", "register", "register-workers");
    }

    /**
     * The leader dies right after Nomad's revert, before it removed side green's router: the resumed restart reverts
     * nothing again (no new job version, no second blue-green run) and removes the router.
     */
    @Test
    void testAResumedRestartWhoseRevertWasMadeOnlyRemovesTheFailedSidesRouter()
    {
        create();
        NomadJob blue = join(nomad.job(JOB)).orElseThrow();
        List<String> blueAllocations = running().stream().map(AllocationStub::id).sorted().toList();
        nomad.failTasksWhere((group, task) -> group.equals("coordinator"));
        leaderDiesAfter = call -> call.equals("nomad.revert");
        Operation restart = join(service.restart("demo", "ops"));
        int versions = awaitLeaderDied(restart);
        assertThat(side(join(nomad.job(JOB)).orElseThrow())).as("the leader reverted").isEqualTo("blue");
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("the leader died before it removed side green's router")
                .containsExactlyInAnyOrder("blue", "green");

        Operation done = resumeOn("replica-2", restart);

        assertThatRevertWasFinished(done, blue, blueAllocations, versions);
        assertThat(events()).containsSubsequence("restart-requested", "blue-green-started", "operation-resumed", "blue-green-reverted")
                .containsOnlyOnce("blue-green-started");
        List<Operation.Step> resumed = done.steps().subList(done.steps().stream().map(Operation.Step::name).toList().indexOf("resume"), done.steps().size());
        assertThat(resumed).extracting(Operation.Step::name).as("resumed: nothing registered again").doesNotContain("blue-green", "register");
    }

    /** A resumed operation ended as an unresumed failed blue-green run does: side blue's spec and allocations, its router alone, no promotion. */
    private void assertThatRevertWasFinished(Operation done, NomadJob blue, List<String> blueAllocations, int versions)
    {
        assertThat(done.state()).as(done.toString()).isEqualTo(Operation.State.FAILED);
        assertThat(done.runner()).contains("replica-2");
        assertThat(done.error()).as(done.toString()).hasValueSatisfying(error -> assertThat(error).contains("side green").contains("revert"));
        assertThat(done.steps()).extracting(Operation.Step::name).contains("resume", "revert").doesNotContain("switch", "promote");
        assertThat(join(service.events("demo"))).filteredOn(event -> event.operation().equals(Optional.of(done.id()))).extracting(ClusterEvent::type)
                .doesNotContain("traffic-switched", "old-route-removed", "deploy-succeeded");
        assertThat(join(service.events("demo"))).filteredOn(event -> event.type().equals("blue-green-reverted")).singleElement()
                .satisfies(event -> assertThat(event.message()).contains("Side green stopped before the switch").contains("finished after a leader change"));
        assertThat(nomad.promotions()).isEmpty();
        assertThat(join(routes.routes("demo"))).extracting(PublicRoutes.Route::side).as("side green's router removed").containsExactly("blue");
        assertThat(join(routes.active("demo"))).as("side blue keeps the public host").contains("blue");
        assertThat(running().stream().map(AllocationStub::id).sorted().toList()).as("side blue's allocations untouched, the canaries stopped").isEqualTo(blueAllocations);
        NomadJob job = join(nomad.job(JOB)).orElseThrow();
        assertThat(side(job)).isEqualTo("blue");
        assertThat(job.spec().path("Meta")).as("reverted to side blue's spec").isEqualTo(blue.spec().path("Meta"));
        assertThat(job.spec().path("TaskGroups")).isEqualTo(blue.spec().path("TaskGroups"));
        assertThat(join(nomad.versions(JOB))).as("one revert, no second run").hasSize(versions);
    }

    private static ClusterSpec changedProperty()
    {
        return TestingClusterSpecs.local().withRollout(Rollout.BLUE_GREEN).withProperties(Map.of("query.max-run-time", "1h"));
    }

    /** Runs {@code operation} on test time until {@link #service} lost leadership at {@link #leaderDiesAfter}; answers how many job versions Nomad has then. */
    private int awaitLeaderDied(Operation operation)
    {
        time.advanceUntil(() -> !service.isLeader(), Duration.ofSeconds(60));
        Operation left = operation(operation);
        assertThat(left.state()).as(left.toString()).isEqualTo(Operation.State.RUNNING);
        assertThat(left.runner()).contains("replica-1");
        return join(nomad.versions(JOB)).size();
    }

    /** Another replica leads and resumes what {@link #service} left: runs {@code operation} to its end. */
    private Operation resumeOn(String id, Operation operation)
    {
        ClusterService next = replica(id, nomad, traefik);
        next.leadership().gained();
        return awaitDone(operation);
    }

    private Operation operation(Operation operation)
    {
        return join(service.operation(operation.id()));
    }

    private ClusterService replica(String id, NomadJobs jobs, KvStore traefikKv)
    {
        ClusterService replica = new ClusterService(repository, jobs, renderer, Optional.empty(), "/presto-orchestrator",
                (flavour, coordinator) -> nomad.allocations(JOB).thenApply(allocations -> OptionalInt.of((int) allocations.stream()
                        .filter(allocation -> allocation.taskGroup().equals("workers") && "running".equals(allocation.clientStatus()) && "run".equals(allocation.desiredStatus()))
                        .count())),
                this::instances, executor, time, time.clock(), () -> 18001,
                Map.of("TRINO_HOME", "/opt/trino", "TRINO_JAVA_HOME", "/opt/jdk"), "test", new ClustersConfig("../job-templates", Duration.ofSeconds(10)),
                id, Duration.ofSeconds(30), Duration.ofMillis(200));
        replica.useBlueGreen(new PublicRoutes(traefikKv), new Coordinators());
        replicas.add(replica);
        return replica;
    }

    /** {@code target} behind an interface: {@link #service} loses leadership once the call {@link #leaderDiesAfter} names ({@code prefix} and the method) is done. */
    private <T> T intercept(Class<T> type, T target, String prefix)
    {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            }
            catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!(result instanceof CompletionStage<?> stage) || !leaderDiesAfter.test(prefix + method.getName())) {
                return result;
            }
            return stage.thenApply(value -> {
                service.leadership().lost("killed after " + method.getName());
                return value;
            });
        }));
    }

    private void create()
    {
        create(Rollout.BLUE_GREEN);
    }

    private void create(Rollout rollout)
    {
        Operation created = awaitDone(join(service.create(TestingClusterSpecs.local().withRollout(rollout), "ops")));
        assertThat(created.state()).as(created.toString()).isEqualTo(Operation.State.SUCCEEDED);
    }

    private List<AllocationStub> running()
    {
        return join(nomad.allocations(JOB)).stream().filter(allocation -> !allocation.terminal()).toList();
    }

    private static String side(NomadJob job)
    {
        return job.spec().path("Meta").path("orchestrator_side").asText();
    }

    /** Consul as Nomad's client fills it: the routed and discovery services of each running coordinator, tagged with its side. */
    private CompletionStage<List<ServiceHealth.Instance>> instances(String serviceName)
    {
        if (!serviceName.equals(JOB) && !serviceName.equals(JOB + "-coordinator")) {
            return CompletableFuture.completedFuture(List.of());
        }
        return nomad.versions(JOB).thenCombine(nomad.allocations(JOB), (versions, allocations) -> {
            Map<Long, String> sides = versions.stream().collect(Collectors.toMap(NomadJob::version, TestBlueGreenWorkflow::side, (a, b) -> a));
            return allocations.stream()
                    .filter(allocation -> allocation.taskGroup().equals("coordinator") && "running".equals(allocation.clientStatus()) && "run".equals(allocation.desiredStatus()))
                    .map(allocation -> {
                        String side = sides.getOrDefault(allocation.jobVersion(), "blue");
                        return new ServiceHealth.Instance("_nomad-task-" + allocation.id(), "node-1", "127.0.0.1", side.equals("blue") ? 18001 : 18002,
                                List.of(serviceName.equals(JOB) ? "routed" : "coordinator", "side-" + side), Map.of("public_url", "http://demo.trino.localhost:8000"),
                                List.of(new ServiceHealth.Check("routing readiness gate", "passing", "ready")));
                    })
                    .toList();
        });
    }

    /** Coordinators at 127.0.0.1:18001 (blue) and :18002 (green); blue runs {@link #blueQueries} queries. */
    private final class Coordinators
            implements CoordinatorClient
    {
        @Override
        public CompletionStage<String> metrics(String coordinatorUrl)
        {
            return CompletableFuture.completedFuture("");
        }

        @Override
        public CompletionStage<String> queries(String coordinatorUrl)
        {
            if (!coordinatorUrl.endsWith(":18001")) {
                return CompletableFuture.completedFuture("[]");
            }
            return routes.active("demo").thenApply(active -> {
                activeWhileBlueCounted.add(active.orElse("none"));
                int running = Math.max(0, blueQueries.getAndUpdate(left -> Math.max(0, left - 1)));
                return java.util.stream.IntStream.range(0, running)
                        .mapToObj(i -> "{\"queryId\":\"q" + i + "\",\"state\":\"RUNNING\",\"session\":{\"user\":\"u\"}}")
                        .collect(Collectors.joining(",", "[", "]"));
            });
        }

        @Override
        public CompletionStage<String> waitingQueries(String coordinatorUrl)
        {
            return CompletableFuture.completedFuture("[]");
        }

        @Override
        public CompletionStage<String> clusterStats(String coordinatorUrl)
        {
            return CompletableFuture.completedFuture("{}");
        }
    }

    private List<String> events()
    {
        return join(service.events("demo")).stream().map(ClusterEvent::type).toList();
    }

    /**
     * Runs the operation to its end on test time: its steps run on the executor, and each time it
     * waits for its next look the clock moves on to it, so no poll interval passes in real time.
     */
    private Operation awaitDone(Operation operation)
    {
        time.advanceUntil(() -> join(service.operation(operation.id())).state() != Operation.State.RUNNING, Duration.ofSeconds(60));
        return join(service.operation(operation.id()));
    }

    private static <T> T join(CompletionStage<T> stage)
    {
        return Await.await(stage, Duration.ofSeconds(20));
    }
}
