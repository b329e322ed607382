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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
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
 * <p>Path 4: a restart replaces the workers first, one at a time (a version where only the workers
 * group changed; Nomad's rolling update with {@code MaxParallel} 1), each old worker draining
 * itself on Nomad's kill signal (its own log says so), then the coordinator, once and last (the
 * full version). Q1 and the short queries run before and while the workers are replaced and all
 * succeed; the workers never overlap in replacement (Nomad's allocations, sampled, and the
 * events); the events tell each replacement and the coordinator's restart. Queries that meet the
 * coordinator's own restart are not counted (see {@link #restart}).
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
        try (TestingStack stack = TestingStack.onRealNomad(System.getenv())) {
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
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded()).as("warm-up query before the restart").isTrue();
        }
        // System.nanoTime() (when a query started) against wall-clock times (operation steps)
        long nanoBase = System.nanoTime();
        Instant instantBase = Instant.now();
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.Q1);
        sleep(8_000);
        assertThat(q1).as("Q1 on sf10 still running when the restart starts").isNotDone();
        Instant requested = Instant.now();
        HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        AtomicInteger mostInReplacement = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Set<String> seenHealthy = new HashSet<>();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (watching.get()) {
                mostInReplacement.accumulateAndGet(workersInReplacement(stack, requested, seenHealthy), Math::max);
                sleep(250);
            }
        });
        JsonObject operation;
        try {
            operation = awaitOperation(stack, accepted, Duration.ofMinutes(15), requested);
        }
        finally {
            watching.set(false);
            watcher.get();
        }
        Instant ended = Instant.now();
        sleep(3_000);
        QueryLoad.Result result = load.stop();
        assertSucceeded(operation);

        List<String> steps = operation.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("name")).toList();
        assertThat(steps).containsSubsequence("register-workers", "deploy-workers", "register", "deploy", "trino-ready", "routable");
        Instant coordinatorPhase = operation.getJsonArray("steps").stream().map(JsonObject.class::cast)
                .filter(step -> step.getString("name").equals("register")).map(step -> Instant.parse(step.getString("at"))).findFirst().orElseThrow();
        long phaseNanos = nanoBase + Duration.between(instantBase, coordinatorPhase).toNanos();
        long endedNanos = nanoBase + Duration.between(instantBase, ended).toNanos();
        // A query cannot outlive the coordinator that runs it: queries started once the coordinator
        // phase began (phase 2, after every worker was replaced) until the operation ended meet the
        // coordinator's restart and may fail by nature; they are reported, not counted. Every query
        // started before it (Q1 and the short ones while the workers were replaced one at a time)
        // and after the operation ended must succeed.
        List<TrinoStatements.Outcome> uncounted = result.shortQueries().stream()
                .filter(outcome -> outcome.startedNanos() >= phaseNanos && outcome.startedNanos() <= endedNanos).toList();
        List<TrinoStatements.Outcome> counted = new ArrayList<>(result.shortQueries());
        counted.removeAll(uncounted);
        counted.addAll(result.longQueries());
        long workersPhaseShort = result.shortQueries().stream().filter(outcome -> outcome.startedNanos() < phaseNanos).count();

        List<JsonObject> events = events(stack, requested);
        System.out.printf("DrainPathsIT path 4 (restart): %s; counted %d queries (%d short ones started before the coordinator phase), %d failed;"
                        + " not counted (started during the coordinator phase): %d, %d of them failed; most workers in replacement at once: %d%n",
                result.summary(), counted.size(), workersPhaseShort, counted.stream().filter(outcome -> !outcome.succeeded()).count(),
                uncounted.size(), uncounted.stream().filter(outcome -> !outcome.succeeded()).count(), mostInReplacement.get());
        System.out.printf("DrainPathsIT path 4 phases: workers from %s, coordinator from %s, operation ended %s (workers phase %.1f s, coordinator phase %.1f s)%n",
                requested, coordinatorPhase, ended, between(requested, coordinatorPhase), between(coordinatorPhase, ended));
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        counted.stream().filter(outcome -> !outcome.succeeded()).forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));

        assertThat(counted.stream().filter(outcome -> !outcome.succeeded()).toList()).as("queries that failed while workers were replaced one at a time").isEmpty();
        assertThat(q1.get().succeeded()).isTrue();
        assertThat(QueryLoad.seconds(q1.get())).as("Q1 ran while the first worker was drained").isGreaterThan(8.0);
        assertThat(workersPhaseShort).as("short queries during the workers phase").isGreaterThanOrEqualTo(10);
        List<String> workerEvents = types(events).stream().filter(type -> type.startsWith("worker-replac")).toList();
        assertThat(workerEvents).as("one worker replaced at a time: each replaced before the next drains")
                .containsExactly("worker-replacing", "worker-replaced", "worker-replacing", "worker-replaced", "worker-replacing", "worker-replaced");
        assertThat(mostInReplacement.get()).as("worker names with an old allocation stopping or a new one not yet healthy, at once").isEqualTo(1);
        assertThat(types(events)).as("the coordinator restarts last, after every worker, and the events say so")
                .containsSubsequence("restart-requested", "worker-replaced", "worker-replaced", "worker-replaced", "coordinator-restarting", "coordinator-restarted", "deploy-succeeded");
        for (JsonObject replaced : stoppedWorkerAllocations(stack, requested)) {
            String allocId = replaced.getString("ID");
            assertThat(stack.allocationLog(allocId, "trino.stderr.0")).as("the own log of replaced worker %s", replaced.getString("Name"))
                    .contains("run-with-drain: stop signal received").contains("run-with-drain: DRAINED");
        }
        System.out.printf("DrainPathsIT path 4: %s%n", message(events, "coordinator-restarted"));
        events.stream().filter(event -> event.getString("type").equals("worker-replaced"))
                .forEach(event -> System.out.printf("DrainPathsIT path 4: %s%n", event.getString("message")));
    }

    /**
     * How many worker names (workers[i]) are being replaced now: an allocation that Nomad told to
     * stop and that still runs, or one placed since {@code since} that was never seen healthy (the
     * coordinator phase updates the new workers in place, and their health is checked again).
     */
    private static int workersInReplacement(TestingStack stack, Instant since, Set<String> seenHealthy)
    {
        try {
            Set<String> names = new HashSet<>();
            new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER + "/allocations", null).body()).stream()
                    .map(JsonObject.class::cast)
                    .filter(alloc -> alloc.getString("TaskGroup").equals("workers"))
                    .forEach(alloc -> {
                        boolean stopping = alloc.getString("DesiredStatus").equals("stop") && alloc.getString("ClientStatus").matches("pending|running");
                        JsonObject health = alloc.getJsonObject("DeploymentStatus");
                        if (health != null && Boolean.TRUE.equals(health.getBoolean("Healthy"))) {
                            seenHealthy.add(alloc.getString("ID"));
                        }
                        boolean fresh = alloc.getLong("CreateTime") / 1_000_000 >= since.toEpochMilli() && alloc.getString("DesiredStatus").equals("run")
                                && !seenHealthy.contains(alloc.getString("ID"));
                        if (stopping || fresh) {
                            names.add(alloc.getString("Name"));
                        }
                    });
            return names.size();
        }
        catch (IOException e) {
            return 0;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
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
