package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.prestoorchestrator.testing.QueryLoad.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drain paths 2 and 4 of issue 6 with real Trino (one coordinator, 3 workers on 3 simulated nodes),
 * under TPC-H Q1 on sf10 plus a short query every 0.5 s.
 *
 * <p>Path 2: a resize 3 -> 2 through the API drains the worker Nomad will stop, then lowers the
 * count; every query succeeds, the worker is gone, and the events tell the story.
 *
 * <p>Path 4: a restart replaces every allocation; each old worker drains itself on Nomad's kill
 * signal (its own log says so), and the events tell each replacement and the coordinator's
 * restart. Real Nomad replaces one allocation per group at a time ({@code MaxParallel} 1); the
 * Nomad simulator replaces them all at once (simulators/nomad/README.md), together with the
 * coordinator. A query cannot outlive the coordinator that runs it, so queries running when the
 * coordinator restarts fail by nature and are not measured: the load is measured from when the
 * restarted coordinator serves again until the operation ends, and every query in it must succeed.
 */
class DrainPathsIT
{
    private static final String CLUSTER = "paths";
    private static final String USER = "drain-paths-it";

    @BeforeAll
    static void requireTrino()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME");
    }

    @Test
    void testScaleInAndRestartThroughTheOrchestratorLoseNoQuery()
            throws Exception
    {
        try (TestingStack stack = new TestingStack(System.getenv())) {
            assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
            HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(5)));
            String coordinator = cluster(stack).getJsonObject("status").getString("coordinatorUrl");

            scaleIn(stack, coordinator);

            assertSucceeded(stack.awaitOperation(patch(stack, 3), Duration.ofMinutes(5)));
            restart(stack, coordinator);
        }
    }

    private static void scaleIn(TestingStack stack, String coordinator)
            throws Exception
    {
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded()).as("warm-up query before the resize").isTrue();
        }
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.Q1);
        sleep(8_000);
        assertThat(q1).as("Q1 on sf10 still running when the resize starts").isNotDone();
        Instant requested = Instant.now();

        JsonObject operation = awaitOperation(stack, patch(stack, 2), Duration.ofMinutes(15), requested);
        q1.get();
        sleep(3_000);
        QueryLoad.Result result = load.stop();
        assertSucceeded(operation);

        List<JsonObject> events = events(stack, requested);
        System.out.printf("DrainPathsIT path 2 (API resize 3 -> 2): %s%n", result.summary());
        events.forEach(event -> System.out.printf("  %s %-18s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        assertThat(result.failures()).as("queries that failed while the orchestrator removed a worker").isEmpty();
        assertThat(result.shortQueries()).as("short queries during the resize").hasSizeGreaterThanOrEqualTo(5);
        assertThat(operation.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("name")).toList())
                .containsSubsequence("drain", "scale", "stop-drained", "place", "trino-ready");
        assertThat(types(events)).containsSubsequence("resize-requested", "drain-started", "worker-drained", "count-lowered", "worker-stopped", "scaled");
        assertThat(message(events, "drain-started")).startsWith("Draining worker workers[2]");
        assertThat(cluster(stack).getJsonObject("status").getInteger("activeWorkers")).isEqualTo(2);
        assertThat(cluster(stack).getJsonObject("status").getJsonObject("allocations").getJsonObject("workers").getInteger("running")).isEqualTo(2);

        Instant drained = at(events, "worker-drained");
        Instant lowered = at(events, "count-lowered");
        Instant stopped = at(events, "worker-stopped");
        System.out.printf("DrainPathsIT path 2 drain overhead: drain took %.1f s (started -> DRAINED), DRAINED -> count lowered %.3f s, count lowered -> allocation stopped %.3f s, "
                        + "DRAINED -> allocation stopped %.3f s%n",
                between(at(events, "drain-started"), drained), between(drained, lowered), between(lowered, stopped), between(drained, stopped));
    }

    private static void restart(TestingStack stack, String coordinator)
            throws Exception
    {
        Instant requested = Instant.now();
        HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        await("the restarted coordinator is healthy").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> types(events(stack, requested)).contains("coordinator-restarted"));
        await("the restarted coordinator schedules on a worker").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster(stack).getJsonObject("status").getInteger("activeWorkers"), active -> active != null && active >= 1);
        for (int i = 0; i < 30 && !TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded(); i++) {
            sleep(1_000);
        }
        Instant measured = Instant.now();
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.Q1);

        JsonObject operation = awaitOperation(stack, accepted, Duration.ofMinutes(15), requested);
        q1.get();
        QueryLoad.Result result = load.stop();

        List<JsonObject> events = events(stack, requested);
        System.out.printf("DrainPathsIT path 4 (restart), load from %s: %s%n", measured, result.summary());
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        result.failures().forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        assertSucceeded(operation);
        assertThat(types(events)).filteredOn("worker-replacing"::equals).as("every worker drained for replacement").hasSize(3);
        assertThat(types(events)).filteredOn("worker-replaced"::equals).as("every worker replaced").hasSize(3);
        assertThat(types(events)).containsSubsequence("restart-requested", "coordinator-restarting", "coordinator-restarted", "deploy-succeeded");
        for (JsonObject replaced : stoppedWorkerAllocations(stack, requested)) {
            String allocId = replaced.getString("ID");
            Path log = stack.dataDir().resolve("nomad").resolve("alloc").resolve(allocId).resolve("alloc").resolve("logs").resolve("trino.stderr.0");
            assertThat(Files.exists(log) ? Files.readString(log) : "").as("the own log of replaced worker %s", replaced.getString("Name"))
                    .contains("run-with-drain: stop signal received").contains("run-with-drain: DRAINED");
        }
        assertThat(result.failures()).as("queries that failed while workers were replaced one at a time").isEmpty();
        assertThat(result.shortQueries()).hasSizeGreaterThanOrEqualTo(5);
        System.out.printf("DrainPathsIT path 4: %s%n", message(events, "coordinator-restarted"));
        events.stream().filter(event -> event.getString("type").equals("worker-replaced"))
                .forEach(event -> System.out.printf("DrainPathsIT path 4: %s%n", event.getString("message")));
    }

    /** The worker allocations Nomad stopped since {@code since} (the restart's replaced ones). */
    private static List<JsonObject> stoppedWorkerAllocations(TestingStack stack, Instant since)
            throws IOException, InterruptedException
    {
        List<JsonObject> stopped = new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER + "/allocations", null).body()).stream()
                .map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("DesiredStatus").equals("stop"))
                .filter(alloc -> alloc.getLong("ModifyTime") / 1_000_000 >= since.toEpochMilli())
                .toList();
        assertThat(stopped).as("worker allocations the restart replaced").hasSize(3);
        return stopped;
    }

    private static HttpResponse<String> patch(TestingStack stack, int workers)
            throws IOException, InterruptedException
    {
        HttpResponse<String> accepted = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":" + workers + "}}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return accepted;
    }

    /** The operation once it ended; when it does not end in time, what it and the events show before failing. */
    private static JsonObject awaitOperation(TestingStack stack, HttpResponse<String> accepted, Duration timeout, Instant since)
            throws IOException, InterruptedException
    {
        try {
            return stack.awaitOperation(accepted, timeout);
        }
        catch (RuntimeException e) {
            String location = accepted.headers().firstValue("Location").orElseThrow();
            System.out.printf("DrainPathsIT: operation still running after %s: %s%n", timeout, stack.call("GET", location, null).body());
            events(stack, since).forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
            throw e;
        }
    }

    private static void assertSucceeded(JsonObject operation)
    {
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
    }

    private static JsonObject cluster(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }

    private static List<JsonObject> events(TestingStack stack, Instant since)
            throws IOException, InterruptedException
    {
        JsonArray events = new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events");
        return events.stream().map(JsonObject.class::cast).filter(event -> !Instant.parse(event.getString("at")).isBefore(since.minusSeconds(1))).toList();
    }

    private static List<String> types(List<JsonObject> events)
    {
        return events.stream().map(event -> event.getString("type")).toList();
    }

    private static String message(List<JsonObject> events, String type)
    {
        return events.stream().filter(event -> event.getString("type").equals(type)).findFirst().orElseThrow(() -> new AssertionError("no " + type + " event")).getString("message");
    }

    private static Instant at(List<JsonObject> events, String type)
    {
        return Instant.parse(events.stream().filter(event -> event.getString("type").equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " event")).getString("at"));
    }

    private static double between(Instant from, Instant to)
    {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
