package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingLifecycle;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingFiles;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static io.prestoorchestrator.testing.QueryLoad.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drain path 1 with real Trino and moto's SQS: a cluster of 3 workers on 3 simulated Nomad nodes
 * (each with an EC2 instance id); while TPC-H Q1 on sf10 and a short query every 0.5 s run, a
 * terminating-hook message for one worker's instance goes into the SQS queue. The orchestrator
 * marks the node ineligible, drains the worker, Nomad-drains the node and completes the action with
 * CONTINUE: every query succeeds, the worker is gone, the events tell the story.
 *
 * <p>Then the coordinator's own instance terminates while another Q1 runs: Trino drains no
 * coordinator, so the orchestrator stops it only once that Q1 has ended. Q1 succeeds, the action
 * completes with CONTINUE, and a new coordinator on another node serves again.
 *
 * <p>The orchestrator's AWS endpoint is {@link TestingAutoScalingFront}: moto lacks the two lifecycle actions.
 */
class LifecycleHookIT
{
    private static final String Q1 = QueryLoad.Q1;
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
            LifecycleConfig lifecycle = TestingLifecycle.config(Optional.of(queueUrl), Optional.empty());
            try (TestingStack stack = TestingStack.onRealNomad(System.getenv(), TestingFiles.itTemplates(),
                    config -> TestingLifecycle.withAws(config, front, lifecycle, config.drain()))) {
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

        JsonObject victim = TestingLifecycle.workerOffTheCoordinatorsNode(stack, jobId);
        String nodeId = victim.getString("NodeID");
        String instanceId = TestingLifecycle.instanceId(stack, nodeId);
        assertThat(instanceId).startsWith("i-");

        QueryLoad.awaitServing(coordinator, "lifecycle-it", "LifecycleHookIT");
        QueryLoad load = QueryLoad.start(coordinator, "lifecycle-it", Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> longQuery = load.longQuery(Q1);
        sleep(8_000);
        assertThat(longQuery).as("Q1 on sf10 still running when the instance terminates").isNotDone();

        // what AWS sends when a target is attached, a body that is nobody's event, then the termination
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.message("test-notification.json")).build());
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody("{\"not\":\"a lifecycle event\"}").build());
        Instant sent = Instant.now();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl)
                .messageBody(TestingLifecycle.terminating(instanceId)).build());

        // Q1 takes 31-36 s on an idle machine; the worker reaches DRAINED once its Q1 tasks end
        JsonObject record = await("the drain record is done").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                .conditionEvaluationListener(condition -> {
                    if (condition.getElapsedTimeInMS() % 30_000 < 500) {
                        System.out.printf("LifecycleHookIT: after %d s: long query %s, %d short queries, drain record %s%n", condition.getElapsedTimeInMS() / 1000,
                                longQuery.isDone() ? "done" : "running", load.shortQueriesSoFar(), condition.getValue());
                    }
                })
                .until(() -> drainRecord(stack, instanceId), json -> json != null && "DONE".equals(json.getString("state")));
        TrinoStatements.Outcome longOutcome = longQuery.get();
        sleep(3_000);
        QueryLoad.Result result = load.stop();
        List<TrinoStatements.Outcome> shortQueries = result.shortQueries();
        List<TrinoStatements.Outcome> failures = result.failures();
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
                .containsEntry("LifecycleActionToken", TestingLifecycle.MESSAGE_TOKEN);
        assertThat(front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).count()).as("completed once").isEqualTo(1);
        assertThat(heartbeats).as("heartbeats every 5 s while the drain waited for Q1").isPositive();

        // the worker is gone: its allocation stopped, its process no longer answers, the node takes no work
        JsonObject stopped = new JsonObject(stack.callNomad("GET", "/v1/allocation/" + victim.getString("ID"), null).body());
        assertThat(stopped.getString("ClientStatus")).isIn("complete", "failed");
        assertThat(new JsonObject(stack.callNomad("GET", "/v1/node/" + nodeId, null).body()).getString("SchedulingEligibility")).isEqualTo("ineligible");
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

        terminateTheCoordinatorsInstance(stack, sqs, queueUrl, front, jobId, coordinator);
    }

    /** The coordinator's instance terminates while Q1 runs on it: Q1 ends first, then the coordinator moves to another node. */
    private static void terminateTheCoordinatorsInstance(TestingStack stack, SqsClient sqs, String queueUrl, TestingAutoScalingFront front, String jobId, String coordinator)
            throws Exception
    {
        JsonObject coordinatorAlloc = allocations(stack, jobId).stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                .findFirst().orElseThrow();
        String nodeId = coordinatorAlloc.getString("NodeID");
        String instanceId = TestingLifecycle.instanceId(stack, nodeId);
        QueryLoad.awaitServing(coordinator, "lifecycle-it", "LifecycleHookIT");
        AtomicReference<Instant> longQueryEnded = new AtomicReference<>();
        CompletableFuture<TrinoStatements.Outcome> longQuery = CompletableFuture.supplyAsync(() -> TrinoStatements.run(coordinator, "lifecycle-it", Q1))
                .whenComplete((outcome, failure) -> longQueryEnded.set(Instant.now()));
        sleep(8_000);
        assertThat(longQuery).as("Q1 on sf10 still running when the coordinator's instance terminates").isNotDone();
        Instant sent = Instant.now();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.terminating(instanceId)).build());

        JsonObject record = await("the coordinator's drain record is done").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                .until(() -> drainRecord(stack, instanceId), json -> json != null && "DONE".equals(json.getString("state")));
        TrinoStatements.Outcome longOutcome = longQuery.get();
        // the cluster keeps its coordinator port, so the new coordinator answers on the same URL
        JsonObject newCoordinator = await("a new coordinator runs on another node").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> allocations(stack, jobId).stream()
                        .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                        .findFirst().orElse(null), alloc -> alloc != null && !alloc.getString("ID").equals(coordinatorAlloc.getString("ID")));
        QueryLoad.awaitServing(coordinator, "lifecycle-it", "LifecycleHookIT");
        Instant serving = Instant.now();
        List<JsonObject> events = eventObjects(stack);
        System.out.printf("LifecycleHookIT: coordinator's instance: Q1 %s in %.1f s; message sent -> action completed %.1f s; completed -> new coordinator serving %.1f s; events %s%n",
                longOutcome.succeeded() ? "succeeded" : "FAILED", QueryLoad.seconds(longOutcome),
                Duration.between(sent, Instant.parse(record.getString("completedAt"))).toMillis() / 1000.0,
                Duration.between(Instant.parse(record.getString("completedAt")), serving).toMillis() / 1000.0,
                events.stream().map(event -> event.getString("type")).toList());

        assertThat(longOutcome.succeeded()).as("Q1 on the terminating coordinator: %s", longOutcome.error()).isTrue();
        assertThat(record.getString("result")).isEqualTo("CONTINUE");
        assertThat(front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).map(call -> call.parameters().get("InstanceId")))
                .contains(instanceId);
        assertThat(events.stream().map(event -> event.getString("type")).toList())
                .containsSubsequence("lifecycle-coordinator-on-node", "lifecycle-coordinator-queries-ended", "lifecycle-action-completed");
        JsonObject ended = events.stream().filter(event -> event.getString("type").equals("lifecycle-coordinator-queries-ended")).findFirst().orElseThrow();
        // the client sees Q1 end a moment after the coordinator does: 2 s of slack
        assertThat(Instant.parse(ended.getString("at"))).as("the wait ended after Q1 did").isAfter(longQueryEnded.get().minusSeconds(2));
        assertThat(newCoordinator.getString("NodeID")).isNotEqualTo(nodeId);
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
        return eventObjects(stack).stream().map(event -> event.getString("type")).toList();
    }

    private static List<JsonObject> eventObjects(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).toList();
    }

    private static List<JsonObject> allocations(TestingStack stack, String jobId)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/" + jobId + "/allocations", null).body()).stream().map(JsonObject.class::cast).toList();
    }

    private static JsonObject cluster(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }
}
