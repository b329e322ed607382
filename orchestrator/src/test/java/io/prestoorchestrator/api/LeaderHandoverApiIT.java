package io.prestoorchestrator.api;

import io.prestoorchestrator.app.Orchestrator;
import io.prestoorchestrator.testing.FakeTrinoProcess;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two orchestrator replicas against one Consul simulator and one Nomad simulator: the one holding
 * the Consul lock runs every operation, whichever replica took the request, and when it stops the
 * other takes over and finishes what it left. No Trino: the tasks are {@link FakeTrinoProcess}, whose
 * /v1/info passes the allocations' Consul checks (so Nomad's deployment becomes healthy) and whose
 * coordinator counts a worker only when the test wants the operation to finish.
 * <p>An integration test: the replicas, the simulators and the fake Trino processes run in real time, and the takeover
 * and the resumed operation take what their timers take (issue 19: unit tests do not wait for time to pass). The lock's
 * and the runner's decisions are unit-tested on the testing clock ({@code TestConsulLeaderLock}, {@code TestOperationLeadership}).
 */
class LeaderHandoverApiIT
{
    private Path trinoHome;
    private TestingStack stack;

    @BeforeEach
    void setUp()
            throws Exception
    {
        trinoHome = Files.createTempDirectory("fake-trino");
        FakeTrinoProcess.install(trinoHome);
        stack = new TestingStack(Map.of("TRINO_HOME", trinoHome.toString(), "TRINO_JAVA_HOME", trinoHome.toString()));
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
    }

    @AfterEach
    void tearDown()
            throws Exception
    {
        stack.close();
    }

    @Test
    void testTheLeaderRunsOperationsAndTheOtherReplicaFinishesThemWhenItStops()
            throws Exception
    {
        Orchestrator first = stack.orchestrator();
        await().atMost(Duration.ofSeconds(15)).until(() -> info(first).getBoolean("leader"));
        Orchestrator second = stack.startReplica(Optional.of("replica-b"));
        assertThat(info(second).getBoolean("leader")).isFalse();
        assertThat(info(second).getString("replica")).isEqualTo("replica-b");
        assertThat(metrics(first)).contains("orchestrator_leader{replica=\"" + first.replicaId() + "\"} 1.0");
        assertThat(metrics(second)).contains("orchestrator_leader{replica=\"replica-b\"} 0.0");

        // asked through the replica that does not lead: the leader runs it, up to waiting for Trino
        HttpResponse<String> accepted = stack.call(second, "POST", "/v1/clusters", "{\"name\":\"handover\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> lastStep(stack.call(second, "GET", location, null)).equals("trino-ready:RUNNING"));
        assertThat(json(stack.call(second, "GET", location, null)).getString("runner")).isEqualTo(first.replicaId());

        // the leader goes away (it releases the lock): the other replica takes over and resumes the operation
        stack.stopReplica(first);
        await().atMost(Duration.ofSeconds(15)).until(() -> info(second).getBoolean("leader"));
        await().atMost(Duration.ofSeconds(30)).until(() -> json(stack.call(second, "GET", location, null)).getString("runner").equals("replica-b")
                && lastStep(stack.call(second, "GET", location, null)).equals("trino-ready:RUNNING"));

        FakeTrinoProcess.serveCoordinatorMetrics(trinoHome, 1);
        JsonObject done = stack.awaitOperation(second, accepted, Duration.ofSeconds(60));

        assertThat(done.getString("state")).as(done.encode()).isEqualTo("SUCCEEDED");
        assertThat(done.getString("runner")).isEqualTo("replica-b");
        List<JsonObject> steps = done.getJsonArray("steps").stream().map(JsonObject.class::cast).toList();
        assertThat(steps).extracting(step -> step.getString("name")).containsSubsequence("register", "deploy", "trino-ready", "resume", "register", "deploy", "trino-ready", "routable");
        assertThat(steps).filteredOn(step -> step.getString("name").equals("resume")).singleElement()
                .satisfies(step -> assertThat(step.getString("detail")).contains("resumed by replica-b after leader change"));
        assertThat(new JsonObject(nomad("/v1/job/trino-handover/versions")).getJsonArray("Versions").size()).as("job versions").isEqualTo(1);
        List<String> events = json(stack.call(second, "GET", "/v1/clusters/handover/events", null)).getJsonArray("events").stream()
                .map(JsonObject.class::cast).map(event -> event.getString("type")).toList();
        assertThat(events).containsExactly("create-requested", "operation-resumed", "deploy-succeeded");
        assertThat(json(stack.call(second, "GET", "/v1/clusters/handover", null)).getString("state")).isEqualTo("running");
    }

    private JsonObject info(Orchestrator replica)
            throws Exception
    {
        return json(stack.call(replica, "GET", "/v1/info", null));
    }

    private String metrics(Orchestrator replica)
            throws Exception
    {
        return stack.call(replica, "GET", "/metrics", null).body();
    }

    private static String lastStep(HttpResponse<String> operation)
    {
        JsonArray steps = json(operation).getJsonArray("steps");
        if (steps.isEmpty()) {
            return "";
        }
        JsonObject last = steps.getJsonObject(steps.size() - 1);
        return last.getString("name") + ":" + last.getString("state");
    }

    private static JsonObject json(HttpResponse<String> response)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private String nomad(String path)
            throws Exception
    {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(URI.create(stack.nomad().address() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
