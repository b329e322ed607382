package io.prestoorchestrator.api;

import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.app.Orchestrator;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two orchestrator replicas against one Consul simulator and one Nomad simulator: the one holding
 * the Consul lock runs every operation, whichever replica took the request, and when it stops the
 * other takes over and finishes what it left. No Trino: the tasks are a process that sleeps, and
 * the test answers as the coordinator (its /metrics) when it wants the operation to finish.
 */
class TestLeaderHandoverApi
{
    private Path trinoHome;
    private TestingStack stack;
    private HttpServer coordinator;

    @BeforeEach
    void setUp()
            throws Exception
    {
        trinoHome = Files.createTempDirectory("fake-trino");
        Path launcher = Files.createDirectories(trinoHome.resolve("bin")).resolve("launcher");
        Files.writeString(launcher, "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        stack = new TestingStack(Map.of("TRINO_HOME", trinoHome.toString(), "TRINO_JAVA_HOME", trinoHome.toString()));
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
    }

    @AfterEach
    void tearDown()
            throws Exception
    {
        if (coordinator != null) {
            coordinator.stop(0);
        }
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

        String coordinatorUrl = json(stack.call(second, "GET", "/v1/clusters/handover", null)).getJsonObject("status").getString("coordinatorUrl");
        serveCoordinatorMetrics(URI.create(coordinatorUrl).getPort(), 1);
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

    /** Answers as a coordinator that counts {@code workers} active workers (Trino counts itself too). */
    private void serveCoordinatorMetrics(int port, int workers)
            throws Exception
    {
        coordinator = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        coordinator.createContext("/metrics", exchange -> {
            byte[] body = ("trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount " + (workers + 1) + ".0\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // the routing readiness gate (a script check in the coordinator task) also asks /v1/info
        coordinator.createContext("/v1/info", exchange -> {
            byte[] body = "{\"coordinator\":true,\"starting\":false}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        coordinator.start();
    }
}
