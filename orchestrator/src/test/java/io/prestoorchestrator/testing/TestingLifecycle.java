package io.prestoorchestrator.testing;

import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.nio.charset.StandardCharsets.UTF_8;

/** What the real-Trino lifecycle-hook tests share: the orchestrator's settings, the hook's messages, the node to terminate. */
public final class TestingLifecycle
{
    public static final String SECRET_HEADER = "X-Lifecycle-Secret";
    /** The instance id in {@code lifecycle/direct-terminating.json}. */
    public static final String MESSAGE_INSTANCE_ID = "i-0abc1234def567890";
    /** The lifecycle action token in {@code lifecycle/direct-terminating.json}. */
    public static final String MESSAGE_TOKEN = "bd8e8f7e-2a5c-4a33-9b55-8a9b5b9c1e01";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private TestingLifecycle() {}

    /**
     * Lifecycle hooks on, with events from {@code queueUrl} and/or {@code POST /v1/lifecycle/events}
     * with {@code secret}: 2 s long polls, heartbeats every 5 s, bounds (5 min drain, 2 min node drain)
     * that Q1 on sf10 fits on a loaded 2-core machine, CONTINUE at a bound.
     */
    public static LifecycleConfig config(Optional<String> queueUrl, Optional<String> secret)
    {
        return new LifecycleConfig(true, queueUrl, secret.map(Secret::of), SECRET_HEADER, Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(2), LifecycleConfig.Result.CONTINUE,
                Duration.ofMillis(250), Duration.ofSeconds(1));
    }

    /** {@code config} with AWS at {@code front}, {@code lifecycle}, and {@code drain} for its drain settings. */
    public static OrchestratorConfig withAws(OrchestratorConfig config, TestingAutoScalingFront front, LifecycleConfig lifecycle, DrainConfig drain)
    {
        return new OrchestratorConfig(config.http(), config.nomad(), config.consul(),
                new AwsConfig(true, "us-east-1", Optional.of(front.endpoint()), "/presto-orchestrator", Duration.ofSeconds(10)),
                config.auth(), config.logging(), config.clusters(), config.leader(), config.autoscaling(), lifecycle, drain);
    }

    /** A lifecycle message from {@code src/test/resources/lifecycle/}. */
    public static String message(String name)
    {
        try (InputStream in = TestingLifecycle.class.getClassLoader().getResourceAsStream("lifecycle/" + name)) {
            return new String(in.readAllBytes(), UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hook's own terminating message (as SQS delivers it) for {@code instanceId}. */
    public static String terminating(String instanceId)
    {
        return message("direct-terminating.json").replace(MESSAGE_INSTANCE_ID, instanceId);
    }

    /** {@code POST /v1/lifecycle/events} with the shared secret, as an EventBridge API destination sends it. */
    public static HttpResponse<String> post(TestingStack stack, String secret, String body)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.orchestrator().port() + "/v1/lifecycle/events"))
                .header(SECRET_HEADER, secret)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A running worker of {@code jobId} on a node no coordinator allocation is on (a node drain stops everything on its node). */
    public static JsonObject workerOffTheCoordinatorsNode(TestingStack stack, String jobId)
            throws IOException, InterruptedException
    {
        List<JsonObject> allocations = new JsonArray(stack.callNomad("GET", "/v1/job/" + jobId + "/allocations", null).body()).stream().map(JsonObject.class::cast).toList();
        Set<String> coordinatorNodes = new HashSet<>(allocations.stream().filter(alloc -> alloc.getString("TaskGroup").equals("coordinator"))
                .map(alloc -> alloc.getString("NodeID")).toList());
        return allocations.stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("ClientStatus").equals("running"))
                .filter(alloc -> !coordinatorNodes.contains(alloc.getString("NodeID")))
                .findFirst().orElseThrow(() -> new AssertionError("every worker shares a node with the coordinator: " + allocations));
    }

    /** The EC2 instance id of a Nomad node of a stack on real Nomad (its client's meta). */
    public static String instanceId(TestingStack stack, String nodeId)
            throws IOException, InterruptedException
    {
        return stack.realNomad().instanceId(nodeId);
    }
}
