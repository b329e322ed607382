package io.prestoorchestrator.api;

import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/clusters/{name}/autoscaling} and the exported metrics through the real HTTP stack
 * against the simulators. No Trino runs: a stand-in coordinator registered in Consul as
 * {@code trino-sig-coordinator} serves {@code /metrics} and {@code /v1/query} captured from a real
 * Trino 476 under load (2 running, 4 queued; 10 queries ended, one failed, one cancelled).
 */
class TestAutoscalingApi
{
    private static final Pattern TIMESTAMP = Pattern.compile("\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z)\"");
    private static final Instant STARTED = Instant.now();

    private static final Map<String, String> NO_TRINO = Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> requests = new CopyOnWriteArrayList<>();
    private static TestingStack stack;
    private static HttpServer coordinator;

    @BeforeAll
    static void start()
            throws Exception
    {
        stack = new TestingStack(NO_TRINO);
        coordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        coordinator.createContext("/", exchange -> {
            String user = exchange.getRequestHeaders().getFirst("X-Trino-User");
            requests.add(exchange.getRequestURI() + " user=" + user);
            byte[] body;
            int status = 200;
            if (user == null) {
                status = 401;
                body = "Unauthorized".getBytes(UTF_8);
            }
            else if (exchange.getRequestURI().getPath().equals("/metrics")) {
                body = resource("metrics-busy.txt");
            }
            else if (exchange.getRequestURI().getPath().equals("/v1/query")) {
                body = recent(resource("v1-query-after-load.json"));
            }
            else {
                status = 404;
                body = new byte[0];
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        coordinator.start();
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        coordinator.stop(0);
        stack.close();
    }

    @Test
    void testUnknownCluster()
            throws Exception
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/ghost/autoscaling", null, TestingStack.VIEWER_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(new JsonObject(response.body()).getString("detail")).isEqualTo("Cluster 'ghost' does not exist");
        assertThat(stack.call("GET", "/v1/clusters/ghost/autoscaling", null, "not-a-token-at-all-x").statusCode()).isEqualTo(401);
        for (String path : List.of("/v1/clusters/ghost/autoscaling/history", "/v1/clusters/ghost/workers")) {
            HttpResponse<String> missing = stack.call("GET", path, null, TestingStack.VIEWER_TOKEN);
            assertThat(missing.statusCode()).as(path + ": " + missing.body()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(new JsonObject(missing.body()).getString("detail")).isEqualTo("Cluster 'ghost' does not exist");
            assertThat(stack.call("GET", path, null, null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void testSignalFromTheCoordinator()
            throws Exception
    {
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"sig\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":4}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject before = autoscaling("sig");
        assertThat(before.getString("cluster")).isEqualTo("sig");
        assertThat(before.getString("pollInterval")).isEqualTo("5s");
        assertThat(before.getString("status")).as(before.encode()).isIn("no-data", "unavailable");
        assertThat(before.containsKey("needed")).isFalse();

        register("sig", coordinator.getAddress().getPort());
        // the timer's next round is up to 5 s away: the test runs the rounds it needs itself
        pollUntil(() -> "ok".equals(autoscaling("sig").getString("status")));
        JsonObject view = autoscaling("sig");
        // 2 running + 4 queued at the default 4 queries per worker: 2 workers; the coordinator itself is no worker
        assertThat(view.getInteger("needed")).isEqualTo(2);
        assertThat(view.getInteger("currentWorkers")).isZero();
        assertThat(view.getInteger("change")).isEqualTo(2);
        assertThat(view.getInteger("rawNeed")).isEqualTo(2);
        assertThat(view.getString("clamp")).isEqualTo("none");
        assertThat(view.getString("coordinator")).isEqualTo("http://127.0.0.1:" + coordinator.getAddress().getPort());
        assertThat(view.getString("reason")).isEqualTo("2 running + 4 queued = 6 queries at 4 per worker: 2 worker(s); 0 active: scale out by 2");
        assertThat(view.getString("computedAt")).isNotBlank();

        // the console's chart: the same computation is a point of the cluster's last hour, on this replica
        JsonObject history = new JsonObject(stack.call("GET", "/v1/clusters/sig/autoscaling/history", null, TestingStack.VIEWER_TOKEN).body());
        assertThat(history.getString("window")).isEqualTo("1h");
        assertThat(history.getString("pollInterval")).isEqualTo("5s");
        JsonObject last = history.getJsonArray("points").getJsonObject(history.getJsonArray("points").size() - 1);
        assertThat(last).isEqualTo(new JsonObject().put("at", last.getString("at")).put("status", "ok").put("needed", 2).put("activeWorkers", 0)
                .put("drainingWorkers", 0).put("runningQueries", 2).put("queuedQueries", 4));
        assertThat(Instant.parse(last.getString("at"))).isAfterOrEqualTo(STARTED.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        // no Trino runs: the simulator registers its worker, but nothing answers there, so it has no Trino state. The list
        // is the job's worker allocations in Nomad, which the create operation above places asynchronously; the signal
        // does not wait for them (a CI run read the list empty), so this waits until the simulator placed the worker
        JsonObject workers = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> new JsonObject(stack.call("GET", "/v1/clusters/sig/workers", null, TestingStack.VIEWER_TOKEN).body()),
                        listed -> !listed.getJsonArray("workers", new JsonArray()).isEmpty());
        assertThat(workers.getString("cluster")).isEqualTo("sig");
        assertThat(workers.getJsonArray("workers")).isNotEmpty();
        workers.getJsonArray("workers").stream().map(JsonObject.class::cast).forEach(worker -> {
            assertThat(worker.getString("name")).matches("workers\\[\\d+]");
            assertThat(worker.containsKey("trinoState")).isTrue();
            assertThat(worker.getValue("trinoState")).as(worker.encode()).isNull();
        });
        assertThat(view.getJsonObject("inputs")).isEqualTo(new JsonObject()
                .put("runningQueries", 2).put("queuedQueries", 4).put("waitingQueries", 0).put("fullyBlockedQueries", 0).put("busyQueries", 2)
                .put("activeWorkers", 0).put("drainingWorkers", 0).put("queriesPerWorker", 4).put("min", 1).put("max", 4));
        assertThat(requests).anySatisfy(request -> assertThat(request)
                .startsWith("/metrics?name%5B%5D=trino_execution_name_QueryManager_RunningQueries&")
                .endsWith("user=presto-orchestrator"));

        // the per-user counters name Trino users: behind a token, never on the public /metrics
        // the query list is read beside the signal, not awaited by the round: a count has finished once the next one started
        pollUntil(() -> queryListReads() >= 2);
        String metrics = stack.call("GET", "/v1/metrics/queries", null, TestingStack.VIEWER_TOKEN).body();
        assertThat(stack.call("GET", "/metrics", null, null).body())
                .contains("presto_orchestrator_cluster_workers_needed{cluster=\"sig\"} 2.0")
                .contains("presto_orchestrator_cluster_queries_queued{cluster=\"sig\"} 4.0")
                .doesNotContain("presto_orchestrator_queries_total")
                .doesNotContain("erin").doesNotContain("carol").doesNotContain("dave");
        assertThat(stack.call("GET", "/v1/metrics/queries", null, null).statusCode()).isEqualTo(401);
        assertThat(metrics)
                .contains("presto_orchestrator_queries_total{cluster=\"sig\",error_name=\"TABLE_NOT_FOUND\",error_type=\"USER_ERROR\",state=\"failed\",user=\"carol\"} 1.0")
                .contains("presto_orchestrator_queries_total{cluster=\"sig\",error_name=\"\",error_type=\"\",state=\"cancelled\",user=\"dave\"} 1.0")
                .contains("presto_orchestrator_queries_total{cluster=\"sig\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"erin\"} 3.0");
        // polled again and again (two more whole counts), still counted once
        int reads = queryListReads();
        pollUntil(() -> queryListReads() >= reads + 3);
        assertThat(stack.call("GET", "/v1/metrics/queries", null, TestingStack.VIEWER_TOKEN).body())
                .contains("presto_orchestrator_queries_total{cluster=\"sig\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"erin\"} 3.0");
        HttpResponse<String> persisted = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/query-metrics/sig?raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(persisted.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(persisted.body()).getJsonObject("queries").size()).isEqualTo(10);
    }

    @Test
    void testPrometheusTargetsAreTheCoordinatorsInConsul()
            throws Exception
    {
        // what production's consul_sd job keeps: tagged coordinator, with meta cluster
        agentRegister(new JsonObject().put("ID", "ta-coordinator-1").put("Name", "trino-ta-coordinator").put("Address", "127.0.0.1").put("Port", 18081)
                .put("Tags", List.of("coordinator", "cluster=ta")).put("Meta", new JsonObject().put("cluster", "ta").put("role", "coordinator")));
        // what it drops: the routed entry, the workers, a coordinator-tagged service of no cluster
        agentRegister(new JsonObject().put("ID", "ta-routed-1").put("Name", "trino-ta").put("Address", "127.0.0.1").put("Port", 18082)
                .put("Tags", List.of("routed")).put("Meta", new JsonObject().put("cluster", "ta")));
        agentRegister(new JsonObject().put("ID", "ta-worker-1").put("Name", "trino-ta-worker").put("Address", "127.0.0.1").put("Port", 18083)
                .put("Tags", List.of("worker", "cluster=ta")).put("Meta", new JsonObject().put("cluster", "ta").put("role", "worker")));
        agentRegister(new JsonObject().put("ID", "lone-coordinator-1").put("Name", "lone-coordinator").put("Address", "127.0.0.1").put("Port", 18084)
                .put("Tags", List.of("coordinator")));

        HttpResponse<String> response = stack.call("GET", "/v1/prometheus/targets", null, TestingStack.VIEWER_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonArray groups = new JsonArray(response.body());
        String node = new JsonArray(HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/catalog/service/trino-ta-coordinator")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getJsonObject(0).getString("Node");
        assertThat(groups.stream().map(JsonObject.class::cast).filter(group -> "ta".equals(group.getJsonObject("labels").getString("cluster"))).toList())
                .containsExactly(new JsonObject()
                        .put("targets", new JsonArray().add("127.0.0.1:18081"))
                        .put("labels", new JsonObject().put("cluster", "ta").put("node", node).put("role", "coordinator")));
        assertThat(groups.stream().map(JsonObject.class::cast).flatMap(group -> group.getJsonArray("targets").stream()).map(String.class::cast).toList())
                .doesNotContain("127.0.0.1:18082", "127.0.0.1:18083", "127.0.0.1:18084");

        assertThat(stack.call("GET", "/v1/prometheus/targets", null, "not-a-token-at-all-x").statusCode()).isEqualTo(401);
    }

    /**
     * Runs autoscaling rounds, as the poll-interval timer would, until {@code done}; fails after 200 rounds. A round reads
     * the coordinator's query list beside the signal without waiting for it, and starts no second read while one runs:
     * after each round the read in flight (async I/O to the stand-in and Consul) gets up to 250 ms to land, so that a
     * loaded machine does not spend the 200 rounds while one read is still on its way (seen: "not reached in 200 rounds").
     */
    private static void pollUntil(Callable<Boolean> done)
            throws Exception
    {
        for (int round = 0; round < 200; round++) {
            if (done.call()) {
                return;
            }
            stack.orchestrator().pollAutoscaling().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                await().atMost(Duration.ofMillis(250)).pollInterval(Duration.ofMillis(5)).until(done);
                return;
            }
            catch (ConditionTimeoutException e) {
                // not yet: the next round
            }
        }
        throw new AssertionError("not reached in 200 autoscaling rounds; coordinator requests: " + requests);
    }

    /** How often the stand-in coordinator's whole query list (the per-user counters' source) was read. */
    private static int queryListReads()
    {
        return (int) requests.stream().filter(request -> request.equals("/v1/query user=presto-orchestrator")).count();
    }

    private static void agentRegister(JsonObject service)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(service.encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static JsonObject autoscaling(String cluster)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + cluster + "/autoscaling", null, TestingStack.VIEWER_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static void register(String cluster, int port)
            throws IOException, InterruptedException
    {
        String body = new JsonObject().put("ID", "stand-in-" + cluster).put("Name", "trino-" + cluster + "-coordinator")
                .put("Address", "127.0.0.1").put("Port", port).put("Tags", List.of("coordinator")).encode();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /**
     * The captured query list with its times moved so that its last query ended a minute ago: the
     * orchestrator forgets queries older than its retention, so the sample's own times would make
     * this test depend on when it runs.
     */
    private static byte[] recent(byte[] capturedJson)
    {
        String json = new String(capturedJson, UTF_8);
        Matcher times = TIMESTAMP.matcher(json);
        Instant newest = Instant.EPOCH;
        while (times.find()) {
            Instant time = Instant.parse(times.group(1));
            newest = time.isAfter(newest) ? time : newest;
        }
        Duration shift = Duration.between(newest, STARTED.minus(Duration.ofMinutes(1)));
        return TIMESTAMP.matcher(json).replaceAll(match -> "\"" + Instant.parse(match.group(1)).plus(shift) + "\"").getBytes(UTF_8);
    }

    private static byte[] resource(String name)
    {
        return TrinoFixtures.text(name).getBytes(UTF_8);
    }
}
