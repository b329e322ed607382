package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lifecycle walk with real Trino 476 run by the Nomad simulator's raw_exec driver:
 * create (1 worker) -> query -> resize to 2 (2 active workers) -> stop (no processes left) -> start
 * -> query -> catalog change (restart) -> delete (nothing left in Nomad, Consul or KV). Two workers
 * at most: every worker a restart replaces costs a drain and a Trino start (~95 s here).
 */
class ClusterLifecycleIT
{
    private static final String EXPECTED_LINEITEM = "6001215";
    private static TestingStack stack;

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "TRINO_CLI_JAR");
        // no query runs while a worker is replaced here: quick drains and rolling updates
        stack = TestingStack.onRealNomad(System.getenv(), TestingFiles.quickReplacementTemplates(), UnaryOperator.identity());
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void testLifecycleWithRealTrino()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.splits-per-node\":\"4\"}}").statusCode()).isEqualTo(201);

        // create -> query
        HttpResponse<String> created = stack.call("POST", "/v1/clusters",
                "{\"name\":\"demo\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":4}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(4)));
        awaitActiveWorkers(1);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);

        // resize to 2 -> 2 active workers
        HttpResponse<String> resized = stack.call("PATCH", "/v1/clusters/demo", "{\"workers\":{\"count\":2}}");
        assertThat(resized.statusCode()).as(resized.body()).isEqualTo(202);
        assertThat(new JsonObject(resized.body()).getString("kind")).isEqualTo("resize");
        assertSucceeded(stack.awaitOperation(resized, Duration.ofMinutes(4)));
        awaitActiveWorkers(2);

        // stop -> no processes left, spec kept
        HttpResponse<String> stopped = stack.call("POST", "/v1/clusters/demo/stop", null);
        assertSucceeded(stack.awaitOperation(stopped, Duration.ofMinutes(4)));
        await().atMost(Duration.ofMinutes(1)).until(() -> taskProcesses().isEmpty());
        JsonObject afterStop = cluster();
        assertThat(afterStop.getString("state")).isEqualTo("stopped");
        assertThat(afterStop.getJsonObject("spec").getJsonObject("workers").getInteger("count")).isEqualTo(2);

        // start -> query
        HttpResponse<String> startedAgain = stack.call("POST", "/v1/clusters/demo/start", null);
        assertSucceeded(stack.awaitOperation(startedAgain, Duration.ofMinutes(4)));
        awaitActiveWorkers(2);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);

        // catalog change -> the cluster restarts with the new catalog file
        HttpResponse<String> changed = stack.call("PUT", "/v1/catalogs/tpch", "{\"connectorName\":\"tpch\",\"properties\":{\"tpch.splits-per-node\":\"2\"}}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonArray restarts = new JsonObject(changed.body()).getJsonArray("restarts");
        assertThat(restarts).hasSize(1);
        String restartId = restarts.getJsonObject(0).getString("id");
        // Nomad replaces the 2 workers one at a time, each drained first (~95 s each here, most of it
        // the idle worker's drain and a new Trino starting), then the coordinator
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !"RUNNING".equals(new JsonObject(stack.call("GET", "/v1/operations/" + restartId, null).body()).getString("state")));
        assertSucceeded(new JsonObject(stack.call("GET", "/v1/operations/" + restartId, null).body()));
        assertThat(stack.call("GET", "/v1/clusters/demo/job", null).body()).contains("tpch.splits-per-node=2");
        awaitActiveWorkers(2);
        assertThat(lineitemCount()).isEqualTo(EXPECTED_LINEITEM);

        JsonArray events = new JsonObject(stack.call("GET", "/v1/clusters/demo/events", null).body()).getJsonArray("events");
        assertThat(events.stream().map(JsonObject.class::cast).map(event -> event.getString("type")).toList())
                .containsSubsequence("create-requested", "deploy-succeeded", "resize-requested", "scaled", "stop-requested", "stopped",
                        "start-requested", "deploy-succeeded", "restart-requested", "deploy-succeeded");

        // delete -> nothing left in Nomad, Consul or KV
        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/demo", null);
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(4)));
        assertThat(stack.call("GET", "/v1/clusters/demo", null).statusCode()).isEqualTo(404);
        assertThat(get(stack.nomadAddress() + "/v1/job/trino-demo").statusCode()).isEqualTo(404);
        assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/trino-demo").statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(new JsonObject(get(stack.consul().baseUri() + "/v1/catalog/services").body()).fieldNames()).noneMatch(name -> name.startsWith("trino-demo")));
        HttpResponse<String> kv = get(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/?keys");
        assertThat(kv.body()).doesNotContain("presto-orchestrator/clusters/demo").doesNotContain("presto-orchestrator/events/demo/");
        // the autoscaling collector and the scaling-event recorder drop their state of a deleted cluster at their next poll
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/?keys").body())
                .doesNotContain("/demo\"").doesNotContain("/demo/"));
        await().atMost(Duration.ofMinutes(1)).until(() -> taskProcesses().isEmpty());
    }

    private static JsonObject cluster()
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/demo", null).body());
    }

    private static void awaitActiveWorkers(int expected)
    {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonObject status = cluster().getJsonObject("status");
            assertThat(status.getValue("activeWorkers")).as(status.encode()).isEqualTo(expected);
        });
    }

    private static String lineitemCount()
            throws Exception
    {
        String coordinator = cluster().getJsonObject("status").getString("coordinatorUrl");
        TrinoCli.Result result = TrinoCli.execute(System.getenv("TRINO_CLI_JAR"), coordinator, "lifecycle-it", "SELECT count(*) FROM tpch.sf1.lineitem");
        assertThat(result.exitCode()).as("trino CLI against %s said:%n%s%ncluster: %s", coordinator, result.output(), cluster().encodePrettily()).isZero();
        return result.lastLine().replace("\"", "");
    }

    /** Processes whose command line points into Nomad's allocation directories (not the Nomad agents: their configs are beside them). */
    private static List<ProcessHandle> taskProcesses()
    {
        String dir = stack.dataDir().toString();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(dir) && line.contains("/alloc/")).orElse(false))
                .toList();
    }

    private static HttpResponse<String> get(String url)
            throws IOException, InterruptedException
    {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
