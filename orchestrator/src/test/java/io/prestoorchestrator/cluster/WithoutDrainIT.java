package io.prestoorchestrator.cluster;

import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.SlowScan;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingLifecycle;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The controls of issue 6's drain ITs: the same scenarios as {@link DrainPathsIT} (paths 1 to 4) — a long query ({@link QueryLoad#LONG}) plus a
 * short query every 0.5 s while a worker is removed — with draining switched off ({@code
 * drain.enabled: false}, and {@code drain_on_stop: false} so the worker's launcher gets Nomad's kill
 * signal directly). Each removal must lose queries; that the drained versions lose none is then the
 * drain's doing, not the scenario's. One cluster of 3 workers serves all four removals in turn, in
 * {@code DrainPathsIT}'s order: 1, 2, 4, 3.
 */
class WithoutDrainIT
{
    private static final String CLUSTER = "undrained";
    private static final String USER = "without-drain-it";
    private static final String SECRET = "without-drain-it-lifecycle-secret";
    private static final String MAX_ERROR_DURATION = "20s";

    @BeforeAll
    static void requireTrino()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "MOTO_SERVER_BIN");
    }

    @Test
    void testEveryRemovalPathLosesQueriesWithoutTheDrain()
            throws Exception
    {
        Path templates = TestingFiles.itTemplates(Map.of("drain_on_stop: true", "drain_on_stop: false"));
        LifecycleConfig lifecycle = TestingLifecycle.config(Optional.empty(), Optional.of(SECRET));
        DrainConfig off = new DrainConfig(false, DrainConfig.DEFAULTS.timeout(), DrainConfig.DEFAULTS.atBound(), DrainConfig.DEFAULTS.pollInterval(), DrainConfig.DEFAULTS.watchdogInterval(), DrainConfig.DEFAULTS.requestTimeout(),
                DrainConfig.DEFAULTS.goneAfter(), DrainConfig.DEFAULTS.queryLookInterval());
        try (TestingMoto moto = TestingMoto.start();
                TestingAutoScalingFront front = new TestingAutoScalingFront(moto.endpoint());
                TestingStack stack = TestingStack.onRealNomad(System.getenv(), templates, config -> TestingLifecycle.withAws(config, front, lifecycle, off))) {
            assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
            assertThat(stack.call("POST", "/v1/catalogs", SlowScan.CATALOG_JSON).statusCode()).isEqualTo(201);
            // Trino fails a query once a worker has not answered for query.remote-task.max-error-duration (1 m by
            // default): 20 s here, so that each removal's queries fail sooner; the drained ITs keep the default
            HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\",\"" + SlowScan.CATALOG + "\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3},"
                    + "\"rollout\":\"in-place\",\"properties\":{\"query.remote-task.max-error-duration\":\"" + MAX_ERROR_DURATION + "\"}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(5)));
            String coordinator = cluster(stack).getJsonObject("status").getString("coordinatorUrl");
            QueryLoad.awaitServing(coordinator, USER, "WithoutDrainIT");

            // path 1: the lifecycle hook's node, while the job keeps 3 workers (Nomad places a replacement elsewhere)
            String instanceId = TestingLifecycle.instanceId(stack, TestingLifecycle.workerOffTheCoordinatorsNode(stack, "trino-" + CLUSTER).getString("NodeID"));
            QueryLoad.Result hook = removeDuringLoad(coordinator, "path 1 (lifecycle hook)", () -> {
                HttpResponse<String> accepted = TestingLifecycle.post(stack, SECRET, TestingLifecycle.terminating(instanceId));
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                await("the lifecycle action is completed").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> front.recorded().stream().anyMatch(call -> call.action().equals("CompleteLifecycleAction")));
            });
            assertThat(types(stack)).containsSubsequence("lifecycle-drain-started", "lifecycle-worker-not-drained", "lifecycle-action-completed");
            assertThat(hook.failures()).as("without the drain, terminating a busy worker's instance must fail queries").isNotEmpty();
            await("the replacement of the terminated worker is active").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> cluster(stack).getJsonObject("status").getInteger("activeWorkers"), active -> active != null && active == 3);

            // path 2: a resize through the orchestrator lowers the count without draining first
            QueryLoad.Result resize = removeDuringLoad(coordinator, "path 2 (API resize 3 -> 2)", () -> {
                HttpResponse<String> accepted = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":2}}");
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                assertSucceeded(stack.awaitOperation(accepted, Duration.ofMinutes(5)));
            });
            assertThat(types(stack)).doesNotContain("drain-started", "worker-drained");
            assertThat(resize.failures()).as("without the drain, a resize down under load must fail queries").isNotEmpty();

            // path 4: a restart replaces the 2 workers one at a time, then the coordinator (before path 3, so that the
            // restart has no count to restore first and kills a worker at once)
            restartDuringLongQuery(stack, coordinator);

            // path 3: the count lowered outside the orchestrator, as the Nomad UI or nomad-autoscaler do
            QueryLoad.Result scale = removeDuringLoad(coordinator, "path 3 (Nomad scale 2 -> 1)", () -> {
                HttpResponse<String> scaled = stack.callNomad("POST", "/v1/job/trino-" + CLUSTER + "/scale",
                        "{\"Count\":1,\"Target\":{\"Group\":\"workers\"},\"Message\":\"WithoutDrainIT\"}");
                assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);
                await("a worker is removed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> cluster(stack).getJsonObject("status").getInteger("activeWorkers"), active -> active != null && active == 1);
            });
            assertThat(scale.failures()).as("without the drain, lowering the count in Nomad under load must fail queries").isNotEmpty();
        }
    }

    /**
     * The long query on the 2 workers while the cluster restarts: without the drain, Nomad's kill signal ends the
     * first worker it replaces under it. The query must fail, and that worker must have got the kill signal
     * before the query ended. (Its process may exit seconds after the query already failed on it, as in one CI run: Q1
     * failed fetching results from the shutting-down worker 5 s before the task's FinishedAt.) Trino
     * notices a dead worker only after its remote-task error timeout ({@link #MAX_ERROR_DURATION} here).
     */
    private static void restartDuringLongQuery(TestingStack stack, String coordinator)
            throws Exception
    {
        List<String> workers = new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER + "/allocations", null).body()).stream().map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("ClientStatus").equals("running"))
                .map(alloc -> alloc.getString("ID")).toList();
        assertThat(workers).as("the workers path 2 left").hasSize(2);
        AtomicReference<Instant> q1Ended = new AtomicReference<>();
        CompletableFuture<TrinoStatements.Outcome> q1 = CompletableFuture.supplyAsync(() -> SlowScan.run(coordinator, USER, QueryLoad.LONG))
                .whenComplete((outcome, failure) -> q1Ended.set(Instant.now()));
        QueryLoad.sleep(8_000);
        assertThat(q1).as("the long query still running when the restart starts (path 4)").isNotDone();
        HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(accepted, Duration.ofMinutes(10)));
        TrinoStatements.Outcome outcome = q1.get();
        // Nomad's "Killing" task event: the kill signal was sent (the task's exit can come seconds after the query already failed on it)
        Instant firstKill = null;
        String killed = null;
        for (String worker : workers) {
            JsonObject task = new JsonObject(stack.callNomad("GET", "/v1/allocation/" + worker, null).body()).getJsonObject("TaskStates").getJsonObject("trino");
            Instant killSignal = task.getJsonArray("Events").stream().map(JsonObject.class::cast).filter(event -> "Killing".equals(event.getString("Type")))
                    .map(event -> Instant.EPOCH.plusNanos(event.getLong("Time"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no Killing event for the replaced worker's task: " + task.encode()));
            if (firstKill == null || killSignal.isBefore(firstKill)) {
                firstKill = killSignal;
                killed = worker + " (exited " + task.getString("FinishedAt") + ")";
            }
        }
        System.out.printf("WithoutDrainIT path 4 (restart): long query %s after %.1f s (%s); the first worker replaced, %s, got the kill signal at %s, it ended at %s%n",
                outcome.succeeded() ? "succeeded" : "FAILED", QueryLoad.seconds(outcome), outcome.error().orElse(""), killed, firstKill, q1Ended.get());
        assertThat(outcome.succeeded()).as("without the drain, replacing a worker under the long query must fail it").isFalse();
        assertThat(firstKill).as("the first worker replaced was stopped under the running long query").isBefore(q1Ended.get());
        await("both new workers are active").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cluster(stack).getJsonObject("status").getInteger("activeWorkers"), active -> active != null && active == 2);
    }

    /** The long query and a short query every 0.5 s; {@code removal} 8 s into the long query; the load's outcomes once it ended. */
    private static QueryLoad.Result removeDuringLoad(String coordinator, String path, Removal removal)
            throws Exception
    {
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.LONG);
        QueryLoad.sleep(8_000);
        assertThat(q1).as("the long query still running when the worker is removed (%s)", path).isNotDone();
        removal.run();
        q1.get();
        QueryLoad.sleep(3_000);
        QueryLoad.Result result = load.stop();
        System.out.printf("WithoutDrainIT %s: %s; failed: %s%n", path, result.summary(), result.failures().stream().map(outcome -> outcome.error().orElseThrow()).toList());
        return result;
    }

    @FunctionalInterface
    private interface Removal
    {
        void run()
                throws Exception;
    }

    private static JsonObject cluster(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }

    private static List<String> types(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).map(event -> event.getString("type")).toList();
    }
}
