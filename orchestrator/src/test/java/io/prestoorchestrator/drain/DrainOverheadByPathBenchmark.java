package io.prestoorchestrator.drain;

import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingLifecycle;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 6's benchmark: per drain path, the drain overhead on real Trino (one coordinator and 3
 * workers on 3 simulated Nomad nodes) — the time from a worker reaching {@code DRAINED} to the
 * path's action completing — as min/median/max over {@code -Dbench.runs} runs (default 5).
 *
 * <ul>
 * <li>Path 1, lifecycle hook: DRAINED -> {@code CompleteLifecycleAction} sent (the node drain and
 *     the wait for its allocations to stop are inside).</li>
 * <li>Path 2, API resize down: DRAINED -> the count lowered (event {@code count-lowered}), and
 *     DRAINED -> the allocation stopped.</li>
 * <li>Path 3, count lowered in Nomad: the worker drains itself on the kill signal; DRAINED -> the
 *     task exited (Nomad's {@code Terminated} event), which is when Nomad can go on.</li>
 * <li>Path 4, restart through the API: Nomad replaces the 3 workers one at a time, each draining
 *     itself on the kill signal; per worker, DRAINED -> its task exited (then the coordinator).</li>
 * </ul>
 *
 * <p>DRAINED is the first time this benchmark sees it, polling every worker's state every 50 ms,
 * independent of the orchestrator's own poll. The workers are idle: the overhead starts where the
 * tasks end, so a query would only lengthen the wait before it. Not part of the test suite (neither
 * {@code *IT} nor {@code Test*}); run it with {@code scripts/bench-drain.sh [runs]}.
 */
class DrainOverheadByPathBenchmark
{
    private static final String CLUSTER = "bench";
    private static final String SECRET = "drain-benchmark-lifecycle-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void requireTrino()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "MOTO_SERVER_BIN");
    }

    @Test
    void benchmarkDrainOverheadPerPath()
            throws Exception
    {
        int runs = Integer.getInteger("bench.runs", 5);
        LifecycleConfig lifecycle = TestingLifecycle.config(Optional.empty(), Optional.of(SECRET));
        Map<String, List<Double>> overheads = new LinkedHashMap<>();
        try (TestingMoto moto = TestingMoto.start();
                TestingAutoScalingFront front = new TestingAutoScalingFront(moto.endpoint());
                TestingStack stack = TestingStack.onRealNomad(System.getenv(), Path.of("../job-templates").toAbsolutePath().normalize(),
                        config -> TestingLifecycle.withAws(config, front, lifecycle, config.drain()))) {
            assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
            HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(5)));

            for (int run = 1; run <= runs; run++) {
                lifecycleHook(stack, front, run, overheads);
                apiResize(stack, run, overheads);
                nomadScale(stack, run, overheads);
                rollingRestart(stack, run, overheads);
            }
        }
        System.out.printf("Drain overhead by path (real Trino 3 workers, Nomad simulator, %d run(s) each; DRAINED as first seen by a 50 ms poll):%n", runs);
        overheads.forEach((name, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            System.out.printf("  %-58s n=%d  min %.3f s  median %.3f s  max %.3f s   all %s%n", name, sorted.size(),
                    sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), values);
        });
    }

    private static void lifecycleHook(TestingStack stack, TestingAutoScalingFront front, int run, Map<String, List<Double>> overheads)
            throws Exception
    {
        String nodeId = TestingLifecycle.workerOffTheCoordinatorsNode(stack, "trino-" + CLUSTER).getString("NodeID");
        String instanceId = TestingLifecycle.instanceId(stack, nodeId);
        int completedBefore = completions(front).size();
        try (StatePoller poller = StatePoller.start(workers(stack))) {
            HttpResponse<String> accepted = TestingLifecycle.post(stack, SECRET,
                    TestingLifecycle.terminating(instanceId).replace(TestingLifecycle.MESSAGE_TOKEN, java.util.UUID.randomUUID().toString()));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            await("run %d: the lifecycle action is completed".formatted(run)).atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                    .until(() -> completions(front).size() > completedBefore);
            Instant drained = poller.firstDrained().orElseThrow(() -> new AssertionError("no worker was seen DRAINED"));
            Instant completed = completions(front).get(completedBefore).at();
            record(overheads, "path 1 lifecycle hook: DRAINED -> CompleteLifecycleAction", drained, completed);
        }
        // the instance is gone in AWS; here its node comes back (its drain record removed, or the next
        // termination of the same instance id would be a duplicate) so the next run has 3 nodes again
        HttpResponse<String> forgotten = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/lifecycle/" + instanceId)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forgotten.statusCode()).as(forgotten.body()).isEqualTo(200);
        HttpResponse<String> eligible = stack.callNomad("POST", "/v1/node/" + nodeId + "/eligibility", "{\"NodeID\":\"" + nodeId + "\",\"Eligibility\":\"eligible\"}");
        assertThat(eligible.statusCode()).as(eligible.body()).isEqualTo(200);
        awaitActiveWorkers(stack, 3);
    }

    private static void apiResize(TestingStack stack, int run, Map<String, List<Double>> overheads)
            throws Exception
    {
        Instant since = Instant.now();
        try (StatePoller poller = StatePoller.start(workers(stack))) {
            HttpResponse<String> accepted = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":2}}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(accepted, Duration.ofMinutes(5)));
            Instant drained = poller.firstDrained().orElseThrow(() -> new AssertionError("run " + run + ": no worker was seen DRAINED"));
            List<JsonObject> events = events(stack, since);
            record(overheads, "path 2 API resize: DRAINED -> count lowered", drained, at(events, "count-lowered"));
            record(overheads, "path 2 API resize: DRAINED -> allocation stopped", drained, at(events, "worker-stopped"));
        }
        HttpResponse<String> back = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":3}}");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(back, Duration.ofMinutes(5)));
    }

    private static void nomadScale(TestingStack stack, int run, Map<String, List<Double>> overheads)
            throws Exception
    {
        String jobId = "trino-" + CLUSTER;
        Set<String> before = new HashSet<>(workerAllocations(stack).stream().filter(alloc -> alloc.getString("DesiredStatus").equals("stop")).map(alloc -> alloc.getString("ID")).toList());
        try (StatePoller poller = StatePoller.start(workers(stack))) {
            HttpResponse<String> scaled = stack.callNomad("POST", "/v1/job/" + jobId + "/scale", "{\"Count\":2,\"Target\":{\"Group\":\"workers\"},\"Message\":\"drain benchmark\"}");
            assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);
            JsonObject stopped = await("run %d: a worker allocation stopped".formatted(run)).atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                    .until(() -> workerAllocations(stack).stream()
                            .filter(alloc -> !before.contains(alloc.getString("ID")) && alloc.getString("DesiredStatus").equals("stop")
                                    && List.of("complete", "failed").contains(alloc.getString("ClientStatus")))
                            .findFirst(), Optional::isPresent).orElseThrow();
            Instant drained = poller.firstDrained().orElseThrow(() -> new AssertionError("run " + run + ": the stopped worker was never seen DRAINED"));
            record(overheads, "path 3 Nomad scale (own drain): DRAINED -> task exited", drained, taskExited(stack, stopped.getString("ID")));
        }
        HttpResponse<String> back = stack.callNomad("POST", "/v1/job/" + jobId + "/scale", "{\"Count\":3,\"Target\":{\"Group\":\"workers\"},\"Message\":\"drain benchmark\"}");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        awaitActiveWorkers(stack, 3);
    }

    private static void rollingRestart(TestingStack stack, int run, Map<String, List<Double>> overheads)
            throws Exception
    {
        Map<String, String> allocations = workerAllocationIds(stack);
        try (StatePoller poller = StatePoller.start(List.copyOf(allocations.keySet()))) {
            HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(accepted, Duration.ofMinutes(20)));
            for (Map.Entry<String, String> worker : allocations.entrySet()) {
                Instant drained = poller.drained(worker.getKey()).orElseThrow(() -> new AssertionError("run " + run + ": " + worker.getKey() + " was never seen DRAINED"));
                record(overheads, "path 4 rolling restart (own drain): DRAINED -> task exited", drained, taskExited(stack, worker.getValue()));
            }
        }
        awaitActiveWorkers(stack, 3);
    }

    /** When the allocation's Trino task ended (its first Terminated or Killed event). */
    private static Instant taskExited(TestingStack stack, String allocationId)
            throws IOException, InterruptedException
    {
        JsonArray taskEvents = new JsonObject(stack.callNomad("GET", "/v1/allocation/" + allocationId, null).body())
                .getJsonObject("TaskStates").getJsonObject("trino").getJsonArray("Events");
        long exited = taskEvents.stream().map(JsonObject.class::cast).filter(event -> List.of("Terminated", "Killed").contains(event.getString("Type")))
                .mapToLong(event -> event.getLong("Time")).min().orElseThrow(() -> new AssertionError("no Terminated event: " + taskEvents));
        return Instant.ofEpochSecond(0, exited);
    }

    private static void record(Map<String, List<Double>> overheads, String name, Instant drained, Instant done)
    {
        double seconds = Duration.between(drained, done).toMillis() / 1000.0;
        System.out.printf("DrainOverheadByPathBenchmark: %s %.3f s%n", name, seconds);
        overheads.computeIfAbsent(name, ignored -> new ArrayList<>()).add(seconds);
    }

    /** Polls every given worker's {@code /v1/info/state} every 50 ms and keeps when each was first DRAINED. */
    private static final class StatePoller
            implements AutoCloseable
    {
        private final Map<String, Instant> drained = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        private StatePoller(List<String> workers)
        {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    for (String worker : workers) {
                        if (!drained.containsKey(worker) && state(worker).equals("\"DRAINED\"")) {
                            drained.put(worker, Instant.now());
                        }
                    }
                    QueryLoad.sleep(50);
                }
            }, "drain-state-poller");
            thread.setDaemon(true);
            thread.start();
        }

        static StatePoller start(List<String> workers)
        {
            assertThat(workers).as("workers to watch").isNotEmpty();
            return new StatePoller(workers);
        }

        Optional<Instant> firstDrained()
        {
            return drained.values().stream().min(Instant::compareTo);
        }

        Optional<Instant> drained(String worker)
        {
            return Optional.ofNullable(drained.get(worker));
        }

        private static String state(String worker)
        {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(worker + "/v1/info/state")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 ? response.body().strip() : "";
            }
            catch (IOException e) {
                return "";
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        @Override
        public void close()
                throws InterruptedException
        {
            stop.set(true);
            thread.join();
        }
    }

    /** The workers' base URLs, from their Consul service. */
    private static List<String> workers(TestingStack stack)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/health/service/trino-" + CLUSTER + "-worker")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonArray(response.body()).stream().map(JsonObject.class::cast).map(entry -> entry.getJsonObject("Service"))
                .map(service -> "http://" + service.getString("Address") + ":" + service.getInteger("Port")).toList();
    }

    /** Each worker's base URL and its allocation, from the Meta of its Consul service. */
    private static Map<String, String> workerAllocationIds(TestingStack stack)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/health/service/trino-" + CLUSTER + "-worker")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> allocations = new LinkedHashMap<>();
        new JsonArray(response.body()).stream().map(JsonObject.class::cast).map(entry -> entry.getJsonObject("Service"))
                .forEach(service -> allocations.put("http://" + service.getString("Address") + ":" + service.getInteger("Port"), service.getJsonObject("Meta").getString("alloc_id")));
        assertThat(allocations.values()).as("every worker names its allocation").doesNotContainNull().hasSize(3);
        return allocations;
    }

    private static void awaitActiveWorkers(TestingStack stack, int expected)
    {
        await("%d active workers".formatted(expected)).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status").getInteger("activeWorkers"),
                        active -> active != null && active == expected);
        await("%d workers in Consul".formatted(expected)).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> workers(stack).size() == expected);
    }

    private static List<TestingAutoScalingFront.Recorded> completions(TestingAutoScalingFront front)
    {
        return front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).toList();
    }

    private static List<JsonObject> workerAllocations(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER + "/allocations", null).body()).stream().map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers")).toList();
    }

    private static List<JsonObject> events(TestingStack stack, Instant since)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).filter(event -> !Instant.parse(event.getString("at")).isBefore(since)).toList();
    }

    private static Instant at(List<JsonObject> events, String type)
    {
        return Instant.parse(events.stream().filter(event -> event.getString("type").equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " event in " + events)).getString("at"));
    }
}
