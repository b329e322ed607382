package io.prestoorchestrator.cluster;

import io.prestoorchestrator.flavour.FlavourChecks;
import io.prestoorchestrator.testing.SlowScan;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TestingTraefik;
import io.prestoorchestrator.testing.TrinoCli;
import io.prestoorchestrator.testing.TrinoStatements;
import io.prestoorchestrator.trino.RunningTrinoWorker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The lifecycle family on real Trino 476 run by real Nomad 1.6.1, behind real Traefik on the
 * Consul simulator: one stack and one cluster, {@code alpha}, walked through its whole life, with a
 * second, small cluster {@code beta} for as long as routing needs two side by side. In order:
 * <ol>
 * <li>create (1 worker): Traefik never routes alpha while its coordinator counts no active worker
 * (sampled while it comes up), then routes it at its host; a query;</li>
 * <li>the scaling signal and the query counters: eight concurrent slow scans ({@link SlowScan}) make
 * {@code GET /v1/clusters/{name}/autoscaling} ask for more than one worker (8 busy queries at the
 * default 4 per worker: 2), it falls back to {@code workers.min} once they end, and
 * {@code presto_orchestrator_queries_total} counts exactly the queries run, by user, including one
 * failed and one cancelled query;</li>
 * <li>the readiness gate seen for sure: the only worker DRAINING and the coordinator restarted in
 * place: the restarted coordinator counts no active worker and stays unrouted until the worker is
 * ACTIVE again;</li>
 * <li>resize to 2 (2 active workers);</li>
 * <li>beta side by side: each host served by its own coordinator, {@code nextUri} on the public
 * URL, a multi-page CLI query through Traefik (every nextUri hop in Traefik's access log);</li>
 * <li>stop alpha: its host answers 404 within Traefik's refresh interval while beta keeps serving,
 * none of alpha's processes is left, the spec is kept;</li>
 * <li>the drain's Trino worker contract ({@link RunningTrinoWorker}) on beta's only worker, which its
 * last check stops; then beta is deleted and no task process at all is left;</li>
 * <li>start (2 workers) -> query; a catalog property change restarts the cluster with the new catalog
 * file (attach and detach are live: {@link ZeroDowntimeIT}) -> query; delete: nothing left in Nomad, Consul or KV.</li>
 * </ol>
 * Steps 1 and 2 run the flavour contracts' checks ({@link FlavourChecks}) on real Trino, as
 * {@code PrestoDbClusterIT} runs them on real PrestoDB.
 * Each step builds on the one before; once one fails, the later ones are skipped rather than fail
 * for that reason. Two workers at most in alpha, one in beta: every worker a restart replaces costs
 * a drain and a Trino start.
 *
 * <p>Templates: {@link TestingFiles#quickReplacementTemplates()} (Trino's shutdown.grace-period 5 s,
 * Nomad's min_healthy_time 2 s), not the 20 s grace of {@link TestingFiles#itTemplates()}: the grace
 * period must exceed the coordinator's view lag only for a query that runs while a worker of its
 * cluster drains, and no query does here. The stop drains alpha's workers while queries run on
 * beta, whose workers keep running; the readiness gate check drains alpha's only worker while its
 * coordinator is down, so no query can start; the worker contract drains beta's worker once alpha
 * is stopped and no query runs on beta; the catalog change's worker replacements and the deletes
 * run no query. The gate check holds with the quick drain too: the idle worker reaches
 * DRAINED about 10 s after the PUT (two grace periods) instead of 40 s, so the restarted coordinator
 * finds it DRAINED rather than DRAINING (the step prints which); DRAINED keeps the process running,
 * is no active worker to the coordinator either (the step waits for the gate's "0 of 1 required"),
 * and goes back to ACTIVE on the PUT like DRAINING does (FACTS.md). Each idle drain (two workers at
 * the stop, two in the restart, three in the worker contract) takes 10 s instead of 40 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleIT
{
    private static final String EXPECTED_LINEITEM = "6001215";
    private static final String DOMAIN = "trino.localhost";
    /** The cluster walked through its life. */
    private static final String ALPHA = "alpha";
    /** The second cluster routed beside alpha, created for that and deleted once alpha is stopped. */
    private static final String BETA = "beta";
    /**
     * The signal step's load: eight of these at once on alpha's one worker. A Black Hole scan ({@link SlowScan}) runs its
     * 20 s at almost no CPU; the signal counts running queries, not CPU. The step ran eight TPC-H aggregations on sf1 before
     * (about 115 s of both cores, issue 17).
     */
    private static final Duration SCAN_LENGTH = Duration.ofSeconds(20);
    private static final String SCAN = SlowScan.query(SCAN_LENGTH);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static TestingStack stack;
    private static TestingTraefik traefik;
    private static volatile boolean earlierStepFailed;

    @RegisterExtension
    static final TestWatcher STEPS = new TestWatcher()
    {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause)
        {
            earlierStepFailed = true;
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause)
        {
            earlierStepFailed = true;
        }
    };

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "TRINO_CLI_JAR", "TRAEFIK_BIN");
        int webPort = TestingTraefik.freePort();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("PRESTO_ORCH_PUBLIC_PORT", Integer.toString(webPort));
        environment.put("PRESTO_ORCH_ROUTE_DOMAIN", DOMAIN);
        // no query runs on a cluster while one of its workers drains: quick drains and rolling updates (see above)
        stack = TestingStack.onRealNomad(environment, TestingFiles.quickReplacementTemplates(), UnaryOperator.identity());
        traefik = TestingTraefik.start(stack.consul().baseUri(), webPort, Path.of("target", "cluster-lifecycle-it"));
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        try {
            if (traefik != null) {
                traefik.close();
            }
        }
        finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @BeforeEach
    void requireEarlierSteps()
    {
        assumeFalse(earlierStepFailed, "an earlier step failed; this one builds on it");
    }

    @Test
    @Order(1)
    void testCreateRoutesTheClusterOnlyOnceItsCoordinatorCountsAWorker()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.splits-per-node\":\"4\"}}").statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", SlowScan.CATALOG_JSON).statusCode()).isEqualTo(201);

        // watch alpha come up; Traefik must not route it before the coordinator counts a worker
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"alpha\",\"catalogs\":[\"tpch\",\"" + SlowScan.CATALOG + "\"],\"workers\":{\"count\":1,\"min\":1,\"max\":4}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<JsonObject> operation = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.awaitOperation(created, Duration.ofMinutes(4));
            }
            finally {
                done.set(true);
            }
        });
        while (!done.get()) {
            samples.add(sample(ALPHA));
            Thread.sleep(250);
        }
        assertSucceeded(operation.join());
        samples.add(sample(ALPHA));

        assertThat(samples).as("Traefik routed alpha while its coordinator counted no active worker: %s", samples)
                .noneMatch(sample -> sample.traefikStatus() == 200 && sample.activeWorkersAfter() < 1);
        await("alpha routed after its deploy").atMost(Duration.ofSeconds(10)).until(() -> traefikStatus(ALPHA) == 200);
        JsonObject routing = cluster(ALPHA).getJsonObject("status").getJsonObject("routing");
        assertThat(routing.getBoolean("routable")).as(routing.encode()).isTrue();
        assertThat(routing.getString("url")).isEqualTo(publicUrl(ALPHA));
        assertThat(routing.getString("reason")).startsWith("ready: the coordinator counts 1 active worker(s), 1 required");

        awaitActiveWorkers(1);
        // the lifecycle contract's check on the real coordinator (LifecycleContract runs it on a fake)
        FlavourChecks.assertCountsActiveWorkers(Flavour.TRINO, cluster(ALPHA).getJsonObject("status").getString("coordinatorUrl"), 1);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);
    }

    @Test
    @Order(2)
    void testSignalRisesUnderLoadAndFallsAfterIt()
            throws Exception
    {
        String coordinator = cluster(ALPHA).getJsonObject("status").getString("coordinatorUrl");

        JsonObject idle = await("the signal of the idle cluster").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(ClusterLifecycleIT::autoscaling, view -> "ok".equals(view.getString("status")) && view.getInteger("currentWorkers") == 1);
        assertThat(idle.getInteger("needed")).as(idle.encode()).isEqualTo(1);

        // the scans' table, made by a user the counters below do not look at (Black Hole keeps it in the coordinator's memory)
        TrinoStatements.Outcome table = TrinoStatements.run(coordinator, "lifecycle-it", SlowScan.create(SCAN_LENGTH));
        assertThat(table.succeeded()).as(table.error().orElse("")).isTrue();
        long loadStarted = System.nanoTime();
        Instant loadStartedAt = Instant.now();
        List<CompletableFuture<TrinoStatements.Outcome>> load = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String user = i % 2 == 0 ? "alice" : "bob";
            load.add(CompletableFuture.supplyAsync(() -> TrinoStatements.run(coordinator, user, SCAN)));
        }
        // every computation seen until the signal rises: when the coordinator counted the load, and when the signal moved
        List<String> timeline = new ArrayList<>();
        String lastComputedAt = "";
        double firstCounted = -1;
        JsonObject busy = null;
        while (System.nanoTime() - loadStarted < Duration.ofSeconds(90).toNanos()) {
            JsonObject view = autoscaling();
            double at = (System.nanoTime() - loadStarted) / 1e9;
            if ("ok".equals(view.getString("status")) && !view.getString("computedAt").equals(lastComputedAt)) {
                lastComputedAt = view.getString("computedAt");
                JsonObject inputs = view.getJsonObject("inputs");
                double computed = Duration.between(loadStartedAt, Instant.parse(view.getString("computedAt"))).toMillis() / 1e3;
                timeline.add("computed %5.1f s, seen %5.1f s: %s".formatted(computed, at, view.getString("reason")));
                if (firstCounted < 0 && load(inputs) > 0) {
                    firstCounted = at;
                }
                if (view.getInteger("needed") > 1) {
                    busy = view;
                    break;
                }
            }
            Thread.sleep(100);
        }
        double riseSeconds = (System.nanoTime() - loadStarted) / 1e9;
        System.out.println("ClusterLifecycleIT: signal computations after the load was submitted:\n  " + String.join("\n  ", timeline));
        assertThat(busy).as("the signal rose above 1 within 90 s: " + timeline).isNotNull();
        boolean loadStillRunning = load.stream().anyMatch(future -> !future.isDone());

        TrinoStatements.Outcome failed = TrinoStatements.run(coordinator, "carol", "SELECT * FROM tpch.tiny.nosuchtable");
        String cancelled = runAndCancel(coordinator, "dave", "SELECT count(*) FROM tpch.sf100.lineitem");

        List<TrinoStatements.Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<TrinoStatements.Outcome> query : load) {
            outcomes.add(query.get());
        }
        long loadEnded = System.nanoTime();
        JsonObject after = await("the signal falls back to workers.min").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(ClusterLifecycleIT::autoscaling, view -> "ok".equals(view.getString("status")) && view.getInteger("needed") == 1);
        double fallSeconds = (System.nanoTime() - loadEnded) / 1e9;

        String metrics = await("the counters count every query").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.call("GET", "/v1/metrics/queries", null).body(), body -> count(body, "finished", "alice", "", "") + count(body, "finished", "bob", "", "") == 8
                        && count(body, "failed", "carol", "USER_ERROR", "TABLE_NOT_FOUND") == 1 && count(body, "cancelled", "dave", "", "") == 1);
        Thread.sleep(6_000);
        String later = stack.call("GET", "/v1/metrics/queries", null).body();

        System.out.printf("ClusterLifecycleIT: load submitted -> first computation counting it %.1f s -> signal %d (from 1) %.1f s (poll interval %s; %s); load ended -> signal back to %d in %.1f s%n",
                firstCounted, busy.getInteger("needed"), riseSeconds, busy.getString("pollInterval"), busy.getString("reason"), after.getInteger("needed"), fallSeconds);
        System.out.printf("ClusterLifecycleIT: counted finished alice=%d bob=%d, failed carol=%d (%s), cancelled dave=%d (query %s)%n",
                count(later, "finished", "alice", "", ""), count(later, "finished", "bob", "", ""), count(later, "failed", "carol", "USER_ERROR", "TABLE_NOT_FOUND"),
                failed.error().orElse("-"), count(later, "cancelled", "dave", "", ""), cancelled);

        assertThat(outcomes).as("the load queries").allSatisfy(outcome -> assertThat(outcome.succeeded()).as(outcome.error().orElse("")).isTrue());
        assertThat(loadStillRunning).as("the signal rose while the load ran").isTrue();
        assertThat(busy.getInteger("needed")).isBetween(2, 4);
        assertThat(load(busy.getJsonObject("inputs"))).as("queries of the load the signal counted: %s", busy.encode()).isGreaterThan(4);
        assertThat(failed.error()).hasValueSatisfying(error -> assertThat(error).startsWith("TABLE_NOT_FOUND"));
        assertThat(count(later, "finished", "alice", "", "")).isEqualTo(4);
        assertThat(count(later, "finished", "bob", "", "")).isEqualTo(4);
        assertThat(count(later, "failed", "carol", "USER_ERROR", "TABLE_NOT_FOUND")).isEqualTo(1);
        assertThat(count(later, "cancelled", "dave", "", "")).isEqualTo(1);
        assertThat(count(later, "finished", "alice", "", "") + count(later, "finished", "bob", "", ""))
                .as("polled again after the counts were complete: still counted once")
                .isEqualTo(count(metrics, "finished", "alice", "", "") + count(metrics, "finished", "bob", "", ""));
        // the signal is on the public /metrics (the per-user counters are not: they name Trino users): the signal contract's check
        await("the signal on /metrics").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> FlavourChecks.assertSignalExported(stack.call("GET", "/metrics", null, null).body(), "alpha", 1));
    }

    @Test
    @Order(3)
    void testReadinessGateHoldsARestartedCoordinatorUntilItsWorkerIsActive()
            throws Exception
    {
        // the gate holding, seen for sure: whether the sampling at the create caught alpha's coordinator up before its
        // worker was active is a race (under load the worker can be active by the time the coordinator answers).
        // So: alpha's only worker DRAINING, then its coordinator restarted in place. Unrouted while it is down
        // (the gate drops a coordinator that does not answer), it comes back counting no active worker, and the
        // gate must hold it unrouted until the worker is ACTIVE again
        String worker = onlyWorker(ALPHA);
        putWorkerState(worker, "DRAINING");
        JsonObject coordinatorAlloc = allocations(ALPHA).stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                .findFirst().orElseThrow();
        HttpResponse<String> restarted = stack.callNomad("POST", "/v1/client/allocation/" + coordinatorAlloc.getString("ID") + "/restart", "{}");
        assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
        await("Nomad restarted alpha's coordinator task").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> new JsonObject(stack.callNomad("GET", "/v1/allocation/" + coordinatorAlloc.getString("ID"), null).body())
                        .getJsonObject("TaskStates").getJsonObject("trino").getInteger("Restarts", 0) > 0);
        List<Sample> held = new ArrayList<>();
        await("alpha's coordinator back, counting no active worker, unrouted").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    held.add(sample(ALPHA));
                    return held.get(held.size() - 1).coordinatorStarted();
                });
        await("the coordinator's view of its draining worker").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster(ALPHA).getJsonObject("status").getJsonObject("routing").getString("reason").contains("0 of 1 required active worker(s)"));
        // Trino 476's coordinator counts a worker that has announced itself but whose state it has not read yet as ACTIVE
        // (DiscoveryNodeManager.getNodeState: orElse(ACTIVE)), so "0 active" above may be from before the worker announced.
        // The gate is judged once the coordinator has read the worker's own state: it counts it draining or drained
        String coordinatorUrl = cluster(ALPHA).getJsonObject("status").getString("coordinatorUrl");
        await("the restarted coordinator has read its worker's state").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> drainingOrDrained(coordinatorUrl) >= 1);
        // two gate intervals and Traefik's refresh: the gate has run on the started coordinator and Traefik has read it
        long until = System.nanoTime() + Duration.ofSeconds(4).plus(TestingTraefik.REFRESH_INTERVAL).toNanos();
        while (System.nanoTime() < until) {
            held.add(sample(ALPHA));
            Thread.sleep(250);
        }
        assertThat(held).as("Traefik routed alpha while its started coordinator counted no active worker: %s", held)
                .noneMatch(sample -> sample.traefikStatus() == 200 && sample.activeWorkersAfter() < 1);
        assertThat(held.get(held.size() - 1)).as("the coordinator up, no worker active, alpha unrouted: %s", held).isEqualTo(new Sample(true, 404, 0));
        System.out.println("ClusterLifecycleIT: alpha's worker was " + get(worker + "/v1/info/state").body() + " while its restarted coordinator was held unrouted");
        putWorkerState(worker, "ACTIVE");
        await("alpha routed again once its worker is active").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> traefikStatus(ALPHA) == 200);
    }

    @Test
    @Order(4)
    void testResizeToTwoWorkers()
            throws Exception
    {
        HttpResponse<String> resized = stack.call("PATCH", "/v1/clusters/alpha", "{\"workers\":{\"count\":2}}");
        assertThat(resized.statusCode()).as(resized.body()).isEqualTo(202);
        assertThat(new JsonObject(resized.body()).getString("kind")).isEqualTo("resize");
        assertSucceeded(stack.awaitOperation(resized, Duration.ofMinutes(4)));
        awaitActiveWorkers(2);
    }

    @Test
    @Order(5)
    void testTwoClustersAreRoutedSideBySideByHost()
            throws Exception
    {
        // beta side by side; each host is served by its own coordinator
        HttpResponse<String> beta = stack.call("POST", "/v1/clusters", "{\"name\":\"beta\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(beta.statusCode()).as(beta.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(beta, Duration.ofMinutes(4)));
        await("beta routed").atMost(Duration.ofSeconds(10)).until(() -> traefikStatus(BETA) == 200);
        String alphaCoordinator = cluster(ALPHA).getJsonObject("status").getString("coordinatorUrl");
        String betaCoordinator = cluster(BETA).getJsonObject("status").getString("coordinatorUrl");
        assertThat(alphaCoordinator).isNotEqualTo(betaCoordinator);
        assertThat(servingCoordinator(ALPHA)).isEqualTo(alphaCoordinator);
        assertThat(servingCoordinator(BETA)).isEqualTo(betaCoordinator);

        // nextUri points at the coordinator's own side's host behind Traefik (issue 18: the pinned host keeps a query on
        // its coordinator across a blue-green switch), so clients stay behind Traefik
        HttpResponse<String> statement = traefik.client().send(HttpRequest.newBuilder(URI.create(publicUrl(ALPHA) + "/v1/statement"))
                .header("X-Trino-User", "routing-it")
                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(statement.statusCode()).as(statement.body()).isEqualTo(200);
        assertThat(new JsonObject(statement.body()).getString("nextUri")).startsWith("http://" + ALPHA + "--blue." + DOMAIN + ":" + traefik.webPort() + "/v1/statement/");

        // a multi-page query through Traefik with the Trino CLI
        int before = executingHops(ALPHA);
        TrinoCli.Result count = cli(ALPHA, "SELECT count(*) FROM tpch.sf1.lineitem");
        assertThat(count.exitCode()).as(count.output()).isZero();
        assertThat(count.lastLine()).isEqualTo("\"" + EXPECTED_LINEITEM + "\"");
        assertThat(executingHops(ALPHA) - before).as("nextUri hops of the CLI's query through Traefik").isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(6)
    void testStopUnroutesTheClusterWhileTheOtherServesAndLeavesNoProcess()
            throws Exception
    {
        // the stop purges the job, and its allocations with it: their ids are taken now, to find their processes after it
        Set<String> alphaAllocations = allocations(ALPHA).stream().map(alloc -> alloc.getString("ID")).collect(Collectors.toSet());
        assertThat(taskProcesses(alphaAllocations)).as("alpha's processes before the stop").isNotEmpty();

        // stop alpha: its host goes 404 within the refresh interval; beta keeps serving throughout
        HttpResponse<String> stopped = stack.call("POST", "/v1/clusters/alpha/stop", null);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(202);
        List<TrinoCli.Result> betaQueries = new ArrayList<>();
        await("alpha's routed service deregistered").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
            betaQueries.add(cli(BETA, "SELECT count(*) FROM tpch.tiny.nation"));
            return consulInstances("trino-alpha") == 0;
        });
        await("alpha answers 404 from Traefik").atMost(TestingTraefik.REFRESH_INTERVAL.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> traefikStatus(ALPHA) == 404);
        assertSucceeded(stack.awaitOperation(stopped, Duration.ofMinutes(4)));
        betaQueries.add(cli(BETA, "SELECT count(*) FROM tpch.tiny.nation"));
        assertThat(betaQueries).allSatisfy(result -> {
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.lastLine()).isEqualTo("\"25\"");
        });
        assertThat(traefikStatus(BETA)).isEqualTo(200);

        // stopped: none of alpha's processes left, the spec kept, unrouted
        await("alpha's processes gone").atMost(Duration.ofMinutes(1)).until(() -> taskProcesses(alphaAllocations).isEmpty());
        JsonObject afterStop = cluster(ALPHA);
        assertThat(afterStop.getString("state")).isEqualTo("stopped");
        assertThat(afterStop.getJsonObject("spec").getJsonObject("workers").getInteger("count")).isEqualTo(2);
        JsonObject stoppedRouting = afterStop.getJsonObject("status").getJsonObject("routing");
        assertThat(stoppedRouting.getBoolean("routable")).isFalse();
        assertThat(stoppedRouting.getString("reason")).contains("stopped");
    }

    @Test
    @Order(7)
    void testBetasWorkerMeetsTheWorkerContractThenBetaIsDeleted()
            throws Exception
    {
        // issue 19: the drain's worker contract, held so far by the fake only, on a real Trino 476 worker run by Nomad:
        // beta's only worker, idle, which this step can lose (its last check stops it, and beta is deleted next)
        URI worker = URI.create(onlyWorker(BETA));
        Vertx vertx = Vertx.vertx();
        try {
            long started = System.nanoTime();
            // settle: an idle worker reaches DRAINED after two of these templates' 5 s grace periods
            new RunningTrinoWorker(WebClient.create(vertx), worker, Duration.ofSeconds(30)).checkAll();
            System.out.printf("ClusterLifecycleIT: beta's worker %s met the Trino worker contract in %.1f s%n", worker, (System.nanoTime() - started) / 1e9);
        }
        finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }

        // beta has served its purpose: deleted, no task process of the stack is left
        HttpResponse<String> betaDeleted = stack.call("DELETE", "/v1/clusters/beta", null);
        assertSucceeded(stack.awaitOperation(betaDeleted, Duration.ofMinutes(4)));
        assertThat(stack.call("GET", "/v1/clusters/beta", null).statusCode()).isEqualTo(404);
        await("no task process left").atMost(Duration.ofMinutes(1)).until(() -> taskProcesses().isEmpty());
    }

    @Test
    @Order(8)
    void testStartBringsTheClusterBackAsItWas()
            throws Exception
    {
        HttpResponse<String> startedAgain = stack.call("POST", "/v1/clusters/alpha/start", null);
        assertSucceeded(stack.awaitOperation(startedAgain, Duration.ofMinutes(4)));
        awaitActiveWorkers(2);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);
    }

    @Test
    @Order(9)
    void testCatalogChangeRestartsTheClusterWithTheNewCatalog()
            throws Exception
    {
        HttpResponse<String> changed = stack.call("PUT", "/v1/catalogs/tpch", "{\"connectorName\":\"tpch\",\"properties\":{\"tpch.splits-per-node\":\"2\"}}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonArray restarts = new JsonObject(changed.body()).getJsonArray("restarts");
        assertThat(restarts).hasSize(1);
        String restartId = restarts.getJsonObject(0).getString("id");
        // Nomad replaces the 2 workers one at a time, each drained first (an idle drain, about 10 s with
        // these templates) and then a new Trino started, then the coordinator
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !"RUNNING".equals(new JsonObject(stack.call("GET", "/v1/operations/" + restartId, null).body()).getString("state")));
        assertSucceeded(new JsonObject(stack.call("GET", "/v1/operations/" + restartId, null).body()));
        // a property change still restarts (no ALTER CATALOG in Trino 476: docs/catalogs.md); the catalog file is in the coordinator's catalog Variable
        assertThat(new JsonObject(get(stack.nomadAddress() + "/v1/var/nomad/jobs/trino-alpha/coordinator").body()).getJsonObject("Items").getString("tpch.properties"))
                .contains("tpch.splits-per-node=2");
        awaitActiveWorkers(2);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);
    }

    @Test
    @Order(10)
    void testDeleteLeavesNothing()
            throws Exception
    {
        JsonArray events = new JsonObject(stack.call("GET", "/v1/clusters/alpha/events", null).body()).getJsonArray("events");
        assertThat(events.stream().map(JsonObject.class::cast).map(event -> event.getString("type")).toList())
                .containsSubsequence("create-requested", "deploy-succeeded", "resize-requested", "scaled", "stop-requested", "stopped",
                        "start-requested", "deploy-succeeded", "restart-requested", "deploy-succeeded");

        // delete -> nothing left in Nomad, Consul or KV, of alpha nor of beta
        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/alpha", null);
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(4)));
        for (String cluster : List.of(ALPHA, BETA)) {
            assertThat(stack.call("GET", "/v1/clusters/" + cluster, null).statusCode()).as(cluster).isEqualTo(404);
            assertThat(get(stack.nomadAddress() + "/v1/job/trino-" + cluster).statusCode()).as(cluster).isEqualTo(404);
            assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/trino-" + cluster).statusCode()).as(cluster).isEqualTo(404);
            assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/trino-" + cluster + "/coordinator").statusCode()).as(cluster).isEqualTo(404);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(new JsonObject(get(stack.consul().baseUri() + "/v1/catalog/services").body()).fieldNames()).noneMatch(name -> name.startsWith("trino-alpha") || name.startsWith("trino-beta")));
        HttpResponse<String> kv = get(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/?keys");
        assertThat(kv.body()).doesNotContain("presto-orchestrator/clusters/alpha").doesNotContain("presto-orchestrator/events/alpha/")
                .doesNotContain("presto-orchestrator/clusters/beta").doesNotContain("presto-orchestrator/events/beta/");
        // the autoscaling collector and the scaling-event recorder drop their state of a deleted cluster at their next poll
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/?keys").body())
                .doesNotContain("/alpha\"").doesNotContain("/alpha/").doesNotContain("/beta\"").doesNotContain("/beta/"));
        await().atMost(Duration.ofMinutes(1)).until(() -> taskProcesses().isEmpty());
    }

    /** The workers the coordinator counts DRAINING or DRAINED, from its own metrics. */
    private static int drainingOrDrained(String coordinator)
            throws IOException, InterruptedException
    {
        int count = 0;
        for (String state : List.of("Draining", "Drained")) {
            String name = "trino_metadata_name_DiscoveryNodeManager_" + state + "NodeCount";
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/metrics?name%5B%5D=" + name)).timeout(Duration.ofSeconds(5))
                    .header("X-Trino-User", "lifecycle-it").build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return 0;
            }
            Matcher matcher = Pattern.compile("(?m)^" + name + "\\s+(\\S+)").matcher(response.body());
            count += matcher.find() ? (int) Double.parseDouble(matcher.group(1)) : 0;
        }
        return count;
    }

    private record Sample(boolean coordinatorStarted, int traefikStatus, int activeWorkersAfter) {}

    /** The coordinator's own view, then Traefik's answer, then the worker count again (it only grows while creating). */
    private static Sample sample(String cluster)
            throws IOException, InterruptedException
    {
        JsonObject status = cluster(cluster).getJsonObject("status");
        String coordinator = status.getString("coordinatorUrl");
        boolean started = false;
        if (coordinator != null) {
            try {
                HttpResponse<String> info = HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/info")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                started = info.statusCode() == 200 && info.body().contains("\"starting\":false");
            }
            catch (IOException e) {
                started = false;
            }
        }
        int routed = traefikStatus(cluster);
        Integer active = cluster(cluster).getJsonObject("status").getInteger("activeWorkers");
        return new Sample(started, routed, active == null ? 0 : active);
    }

    private static JsonObject cluster(String name)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + name, null).body());
    }

    private static void awaitActiveWorkers(int expected)
    {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonObject status = cluster(ALPHA).getJsonObject("status");
            assertThat(status.getValue("activeWorkers")).as(status.encode()).isEqualTo(expected);
        });
    }

    /** sf1's lineitem counted on alpha's coordinator directly (not through Traefik). */
    private static String lineitemCount()
            throws Exception
    {
        String coordinator = cluster(ALPHA).getJsonObject("status").getString("coordinatorUrl");
        TrinoCli.Result result = TrinoCli.execute(System.getenv("TRINO_CLI_JAR"), coordinator, "lifecycle-it", "SELECT count(*) FROM tpch.sf1.lineitem");
        assertThat(result.exitCode()).as("trino CLI against %s said:%n%s%ncluster: %s", coordinator, result.output(), cluster(ALPHA).encodePrettily()).isZero();
        return result.lastLine().replace("\"", "");
    }

    private static List<JsonObject> allocations(String cluster)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + cluster + "/allocations", null).body()).stream().map(JsonObject.class::cast).toList();
    }

    /** Processes whose command line points into Nomad's allocation directories (not the Nomad agents: their configs are beside them). */
    private static List<ProcessHandle> taskProcesses()
    {
        String dir = stack.dataDir().toString();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(dir) && line.contains("/alloc/")).orElse(false))
                .toList();
    }

    /** The task processes of the allocations with these ids (each runs below {@code alloc/<id>/}). */
    private static List<ProcessHandle> taskProcesses(Set<String> allocationIds)
    {
        return taskProcesses().stream()
                .filter(process -> process.info().commandLine().map(line -> allocationIds.stream().anyMatch(id -> line.contains("/alloc/" + id + "/"))).orElse(false))
                .toList();
    }

    /** The http_uri of the cluster's one worker, from the nodes its coordinator reports. */
    private static String onlyWorker(String cluster)
            throws Exception
    {
        TrinoCli.Result result = cli(cluster, "SELECT http_uri FROM system.runtime.nodes WHERE NOT coordinator");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.lastLine().replace("\"", "");
    }

    /** PUT /v1/info/state as the orchestrator's Trino user, the one the rendered worker access control allows. */
    private static void putWorkerState(String worker, String state)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(worker + "/v1/info/state")).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").header("X-Trino-User", "presto-orchestrator")
                        .PUT(HttpRequest.BodyPublishers.ofString("\"" + state + "\"")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT %s on %s: %s", state, worker, response.body()).isBetween(200, 299);
    }

    private static int traefikStatus(String cluster)
            throws IOException, InterruptedException
    {
        return traefik.client().send(HttpRequest.newBuilder(URI.create(publicUrl(cluster) + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The coordinator that serves the cluster's host, from the nodes Trino itself reports. */
    private static String servingCoordinator(String cluster)
            throws Exception
    {
        TrinoCli.Result result = cli(cluster, "SELECT http_uri FROM system.runtime.nodes WHERE coordinator");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.lastLine().replace("\"", "");
    }

    /** A CLI query at the cluster's public URL, through Traefik as its HTTP proxy. */
    private static TrinoCli.Result cli(String cluster, String sql)
            throws IOException, InterruptedException
    {
        return TrinoCli.execute(System.getenv("TRINO_CLI_JAR"), publicUrl(cluster), "routing-it", sql, List.of("--http-proxy", "127.0.0.1:" + traefik.webPort()));
    }

    private static int executingHops(String cluster)
            throws IOException
    {
        return (int) traefik.accessLog().stream()
                // issue 18: the service of the cluster's side (trino-<cluster>-blue/green), reached by the public KV router or the pinned host
                .filter(line -> line.contains("/v1/statement/executing/") && line.matches(".*\"trino-" + cluster + "-(blue|green)@consulcatalog\".*"))
                .count();
    }

    private static int consulInstances(String service)
            throws IOException, InterruptedException
    {
        return new JsonArray(get(stack.consul().baseUri().resolve("/v1/health/service/" + service).toString()).body()).size();
    }

    private static String publicUrl(String cluster)
    {
        return "http://" + cluster + "." + DOMAIN + ":" + traefik.webPort();
    }

    /** Submits {@code sql}, waits until the coordinator runs it, then cancels it as a client does (DELETE on the next URI); returns the query id. */
    private static String runAndCancel(String coordinator, String user, String sql)
            throws IOException, InterruptedException
    {
        JsonObject body = new JsonObject(HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/statement")).header("X-Trino-User", user)
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString()).body());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"RUNNING".equals(body.getJsonObject("stats", new JsonObject()).getString("state")) && System.nanoTime() < deadline) {
            assertThat(body.getString("nextUri")).as("query ended before it could be cancelled: " + body.encode()).isNotNull();
            body = new JsonObject(HTTP.send(HttpRequest.newBuilder(URI.create(body.getString("nextUri"))).header("X-Trino-User", user).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(URI.create(body.getString("nextUri"))).header("X-Trino-User", user).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as(cancel.body()).isBetween(200, 299);
        return body.getString("id");
    }

    private static JsonObject autoscaling()
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/alpha/autoscaling", null, TestingStack.VIEWER_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static int count(String metrics, String state, String user, String errorType, String errorName)
    {
        return FlavourChecks.queriesCounted(metrics, "alpha", state, user, errorType, errorName);
    }

    /**
     * The queries of the load a computation counted: running, queued, and waiting for workers. A
     * coordinator short of CPU drops a worker from its active count for a few seconds when its node
     * state requests time out (seen in a CI run on this 2-core machine: the 8 scans waited for
     * workers at the first poll after they were submitted), and the signal counts those queries as
     * waiting: they are the same demand.
     */
    private static int load(JsonObject inputs)
    {
        return inputs.getInteger("runningQueries") + inputs.getInteger("queuedQueries") + inputs.getInteger("waitingQueries");
    }

    private static HttpResponse<String> get(String url)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
