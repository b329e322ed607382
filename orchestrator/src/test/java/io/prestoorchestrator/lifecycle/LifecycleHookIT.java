package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drain path 1 with real Trino and moto's SQS: a cluster of 3 workers on 3 simulated Nomad nodes
 * (each with an EC2 instance id); while TPC-H Q1 on sf10 and a short query every 0.5 s run, a
 * terminating-hook message for one worker's instance goes into the SQS queue. The orchestrator
 * marks the node ineligible, drains the worker, Nomad-drains the node and completes the action with
 * CONTINUE: every query succeeds, the worker is gone, the events tell the story.
 *
 * <p>The orchestrator's AWS endpoint is {@link TestingAutoScalingFront}: moto lacks the two lifecycle actions.
 */
class LifecycleHookIT
{
    private static final String Q1 = QueryLoad.Q1;
    private static final String SHORT = QueryLoad.SHORT;
    private static final String CLUSTER = "hooked";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void requireTrino()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "MOTO_SERVER_BIN");
    }

    @Test
    void testTerminatingInstanceIsDrainedAndCompletedWithContinue()
            throws Exception
    {
        try (TestingMoto moto = TestingMoto.start();
                TestingAutoScalingFront front = new TestingAutoScalingFront(moto.endpoint());
                SqsClient sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            String queueUrl = sqs.createQueue(CreateQueueRequest.builder().queueName("trino-lifecycle").build()).queueUrl();
            LifecycleConfig lifecycle = new LifecycleConfig(true, Optional.of(queueUrl), Optional.empty(), "X-Lifecycle-Secret", Duration.ofSeconds(2), Duration.ofSeconds(30),
                    Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(2), Result.CONTINUE);
            try (TestingStack stack = new TestingStack(System.getenv(), Path.of("../job-templates").toAbsolutePath().normalize(),
                    config -> new OrchestratorConfig(config.http(), config.nomad(), config.consul(),
                            new AwsConfig(true, "us-east-1", Optional.of(front.endpoint()), "/presto-orchestrator", Duration.ofSeconds(10)),
                            config.auth(), config.logging(), config.clusters(), config.leader(), config.autoscaling(), lifecycle, config.drain()))) {
                run(stack, sqs, queueUrl, front);
            }
        }
    }

    private static void run(TestingStack stack, SqsClient sqs, String queueUrl, TestingAutoScalingFront front)
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(created, Duration.ofMinutes(5));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        String coordinator = cluster(stack).getJsonObject("status").getString("coordinatorUrl");
        String jobId = "trino-" + CLUSTER;

        // a worker on a node without the coordinator (a node drain stops everything on its node)
        List<JsonObject> allocations = allocations(stack, jobId);
        Set<String> coordinatorNodes = new java.util.HashSet<>(allocations.stream().filter(alloc -> alloc.getString("TaskGroup").equals("coordinator"))
                .map(alloc -> alloc.getString("NodeID")).toList());
        JsonObject victim = allocations.stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("ClientStatus").equals("running"))
                .filter(alloc -> !coordinatorNodes.contains(alloc.getString("NodeID")))
                .findFirst().orElseThrow(() -> new AssertionError("every worker shares a node with the coordinator: " + allocations));
        String nodeId = victim.getString("NodeID");
        String instanceId = new JsonObject(nomad(stack, "GET", "/v1/node/" + nodeId).body()).getJsonObject("Attributes").getString(NomadNodes.INSTANCE_ID_ATTRIBUTE);
        assertThat(instanceId).startsWith("i-");

        // the cluster serves before anything is removed: a query failing here is no drain's doing, so it
        // is shown and retried (bounded), and the measured stream starts only after three in a row succeed
        List<TrinoStatements.Outcome> warmUp = new java.util.ArrayList<>();
        await("three short queries in a row succeed before the termination").atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    TrinoStatements.Outcome outcome = TrinoStatements.run(coordinator, "lifecycle-it", SHORT);
                    if (!outcome.succeeded()) {
                        System.out.printf("LifecycleHookIT: warm-up query failed: %s%n", outcome.error().orElseThrow());
                    }
                    warmUp.add(outcome);
                    return warmUp.size() >= 3 && warmUp.subList(warmUp.size() - 3, warmUp.size()).stream().allMatch(TrinoStatements.Outcome::succeeded);
                });
        List<TrinoStatements.Outcome> shortQueries = new CopyOnWriteArrayList<>();
        AtomicBoolean stopShort = new AtomicBoolean();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            while (!stopShort.get()) {
                shortQueries.add(TrinoStatements.run(coordinator, "lifecycle-it", SHORT));
                sleep(500);
            }
        });
        CompletableFuture<TrinoStatements.Outcome> longQuery = CompletableFuture.supplyAsync(() -> TrinoStatements.run(coordinator, "lifecycle-it", Q1));
        sleep(8_000);
        assertThat(longQuery).as("Q1 on sf10 still running when the instance terminates").isNotDone();

        // what AWS sends when a target is attached, a body that is nobody's event, then the termination
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestLifecycleMessages.resource("test-notification.json")).build());
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody("{\"not\":\"a lifecycle event\"}").build());
        Instant sent = Instant.now();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl)
                .messageBody(TestLifecycleMessages.resource("direct-terminating.json").replace("i-0abc1234def567890", instanceId)).build());

        // Q1 takes 31-36 s on an idle machine; the worker reaches DRAINED once its Q1 tasks end
        JsonObject record = await("the drain record is done").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                .conditionEvaluationListener(condition -> {
                    if (condition.getElapsedTimeInMS() % 30_000 < 500) {
                        System.out.printf("LifecycleHookIT: after %d s: long query %s, %d short queries, drain record %s%n", condition.getElapsedTimeInMS() / 1000,
                                longQuery.isDone() ? "done" : "running", shortQueries.size(), condition.getValue());
                    }
                })
                .until(() -> drainRecord(stack, instanceId), json -> json != null && "DONE".equals(json.getString("state")));
        TrinoStatements.Outcome longOutcome = longQuery.get();
        sleep(3_000);
        stopShort.set(true);
        stream.get();

        List<TrinoStatements.Outcome> failures = new java.util.ArrayList<>(shortQueries.stream().filter(outcome -> !outcome.succeeded()).toList());
        if (!longOutcome.succeeded()) {
            failures.add(longOutcome);
        }
        Instant drainedAt = Instant.parse(record.getString("workersDrainedAt"));
        Instant completedAt = Instant.parse(record.getString("completedAt"));
        TestingAutoScalingFront.Recorded complete = front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).findFirst().orElseThrow();
        long heartbeats = front.recorded().stream().filter(call -> call.action().equals("RecordLifecycleActionHeartbeat")).count();
        List<String> events = events(stack);
        System.out.printf("LifecycleHookIT: long query %s in %.1f s, %d short queries (%d failed); message sent -> workers DRAINED %.1f s; "
                        + "workers DRAINED -> CompleteLifecycleAction %d ms (record: %d ms); %d heartbeat(s); events %s%n",
                longOutcome.succeeded() ? "succeeded" : "FAILED", (longOutcome.endedNanos() - longOutcome.startedNanos()) / 1e9, shortQueries.size(), failures.size(),
                Duration.between(sent, drainedAt).toMillis() / 1000.0, Duration.between(drainedAt, complete.at()).toMillis(),
                Duration.between(drainedAt, completedAt).toMillis(), heartbeats, events);

        assertThat(failures).as("queries that failed while the instance was drained").isEmpty();
        assertThat(shortQueries).as("short queries during the drain").hasSizeGreaterThanOrEqualTo(5);
        assertThat(record.getString("result")).isEqualTo("CONTINUE");
        assertThat(complete.parameters()).containsEntry("InstanceId", instanceId).containsEntry("LifecycleActionResult", "CONTINUE")
                .containsEntry("AutoScalingGroupName", "trino-workers").containsEntry("LifecycleHookName", "trino-workers-drain")
                .containsEntry("LifecycleActionToken", "bd8e8f7e-2a5c-4a33-9b55-8a9b5b9c1e01");
        assertThat(front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).count()).as("completed once").isEqualTo(1);
        assertThat(heartbeats).as("heartbeats every 5 s while the drain waited for Q1").isPositive();

        // the worker is gone: its allocation stopped, its process no longer answers, the node takes no work
        JsonObject stopped = new JsonObject(nomad(stack, "GET", "/v1/allocation/" + victim.getString("ID")).body());
        assertThat(stopped.getString("ClientStatus")).isIn("complete", "failed");
        assertThat(new JsonObject(nomad(stack, "GET", "/v1/node/" + nodeId).body()).getString("SchedulingEligibility")).isEqualTo("ineligible");
        assertThat(allocations(stack, jobId).stream().filter(alloc -> alloc.getString("NodeID").equals(nodeId))
                .allMatch(alloc -> List.of("complete", "failed").contains(alloc.getString("ClientStatus")))).isTrue();

        assertThat(events).containsSubsequence("lifecycle-drain-started", "lifecycle-worker-drained", "lifecycle-action-completed");

        // the queue is empty: the test notification and the garbage deleted at once, the termination once completed
        await("the queue is empty").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).build()).attributes();
            return attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES).equals("0")
                    && attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).equals("0");
        });
    }

    private static JsonObject drainRecord(TestingStack stack, String instanceId)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/lifecycle/" + instanceId + "?raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
    }

    private static List<String> events(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).map(event -> event.getString("type")).toList();
    }

    private static List<JsonObject> allocations(TestingStack stack, String jobId)
            throws IOException, InterruptedException
    {
        return new JsonArray(nomad(stack, "GET", "/v1/job/" + jobId + "/allocations").body()).stream().map(JsonObject.class::cast).toList();
    }

    private static JsonObject cluster(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }

    private static HttpResponse<String> nomad(TestingStack stack, String method, String path)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.nomad().address() + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
