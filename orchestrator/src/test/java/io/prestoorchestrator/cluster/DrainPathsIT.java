package io.prestoorchestrator.cluster;

import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.SlowScan;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingLifecycle;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.prestoorchestrator.testing.QueryLoad.sleep;
import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The drain family of issue 6 on one stack (real Nomad with AWS lifecycle hooks on: moto's SQS and
 * {@link TestingAutoScalingFront}, since moto lacks the two lifecycle actions) and one real Trino
 * cluster of 3 workers on 3 Nomad client nodes, each with an EC2 instance id. Every path removes a
 * worker while a long query ({@link QueryLoad#LONG}: a 40 s scan on every worker, {@link SlowScan}) and a short query
 * every 0.5 s run, and every query must succeed.
 * The paths run in this order on the same cluster, each starting from what the one before left:
 *
 * <ol>
 * <li>Path 1, the lifecycle hook (3 workers): a terminating-hook message for a worker's instance goes
 *     into the SQS queue (after the test notification AWS sends and a body that is nobody's event).
 *     The orchestrator marks the node ineligible, drains the worker, Nomad-drains the node and
 *     completes the action with CONTINUE; the job keeps 3 workers, so Nomad places a replacement on
 *     another node.
 * <li>Path 2, a resize 3 -> 2 through the API: the worker Nomad will stop drains first, then the
 *     count goes down; the events tell the story.
 * <li>Path 4, a restart (2 workers): the workers are replaced first, one at a time (a version where
 *     only the workers group changed; Nomad's rolling update with {@code MaxParallel} 1), each old
 *     worker draining itself on Nomad's kill signal (its own log says so), then the coordinator,
 *     once and last. Queries that meet the coordinator's own restart are not counted (issue 18).
 * <li>Path 3, the count lowered outside the orchestrator (2 -> 1 through Nomad's scale API, as the
 *     Nomad UI or nomad-autoscaler do): the worker drains on Nomad's kill signal under
 *     {@code job-templates/trino/run-with-drain.sh}.
 * <li>The coordinator's own instance terminates while another long query runs: Trino drains no coordinator,
 *     so the orchestrator stops it only once that query has ended; the action completes with CONTINUE
 *     and a new coordinator on another node serves again.
 * </ol>
 * One stack and one cluster serve all five: each former class started its own, and every Trino
 * start and idle drain costs tens of seconds on a loaded 2-core machine. The controls, the same
 * removals with the drain off losing queries, are in {@link WithoutDrainIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainPathsIT
{
    private static final String CLUSTER = "paths";
    private static final String JOB = "trino-" + CLUSTER;
    private static final String USER = "drain-paths-it";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static TestingMoto moto;
    private static TestingAutoScalingFront front;
    private static SqsClient sqs;
    private static String queueUrl;
    private static TestingStack stack;
    private static String coordinator;
    /** Set by each step that ends well: a step after a failed one would only report that failure again. */
    private static String lastStepPassed = "";

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "MOTO_SERVER_BIN");
        moto = TestingMoto.start();
        front = new TestingAutoScalingFront(moto.endpoint());
        sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(CreateQueueRequest.builder().queueName("trino-lifecycle").build()).queueUrl();
        LifecycleConfig lifecycle = TestingLifecycle.config(Optional.of(queueUrl), Optional.empty());
        stack = TestingStack.onRealNomad(System.getenv(), TestingFiles.itTemplates(), config -> TestingLifecycle.withAws(config, front, lifecycle, config.drain()));

        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", SlowScan.CATALOG_JSON).statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\",\"" + SlowScan.CATALOG + "\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3},\"rollout\":\"in-place\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(5)));
        coordinator = cluster().getJsonObject("status").getString("coordinatorUrl");
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        try (AutoCloseable closeMoto = moto; AutoCloseable closeFront = front; AutoCloseable closeSqs = sqs; AutoCloseable closeStack = stack) {
            // closed in reverse order: the stack first, moto last
        }
    }

    private static void requirePassed(String step)
    {
        assertThat(lastStepPassed).as("the step before this one on the shared cluster (%s) did not pass; see its failure", step).isEqualTo(step);
    }

    /** Path 1: the lifecycle hook of a worker's instance, while the job keeps 3 workers. */
    @Test
    @Order(1)
    void testTerminatingAWorkersInstanceDrainsItAndCompletesWithContinue()
            throws Exception
    {
        JsonObject victim = TestingLifecycle.workerOffTheCoordinatorsNode(stack, JOB);
        String nodeId = victim.getString("NodeID");
        String instanceId = TestingLifecycle.instanceId(stack, nodeId);
        assertThat(instanceId).startsWith("i-");

        QueryLoad.awaitServing(coordinator, USER, "DrainPathsIT");
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> longQuery = load.longQuery(QueryLoad.LONG);
        sleep(8_000);
        assertThat(longQuery).as("the long query still running when the instance terminates").isNotDone();

        // what AWS sends when a target is attached, a body that is nobody's event, then the termination
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.message("test-notification.json")).build());
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody("{\"not\":\"a lifecycle event\"}").build());
        Instant sent = Instant.now();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.terminating(instanceId)).build());

        // the worker reaches DRAINED once its long query's tasks end
        JsonObject record = await("the drain record is done").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                .conditionEvaluationListener(condition -> {
                    if (condition.getElapsedTimeInMS() % 30_000 < 500) {
                        System.out.printf("DrainPathsIT path 1: after %d s: long query %s, %d short queries, drain record %s%n", condition.getElapsedTimeInMS() / 1000,
                                longQuery.isDone() ? "done" : "running", load.shortQueriesSoFar(), condition.getValue());
                    }
                })
                .until(() -> drainRecord(instanceId), json -> json != null && "DONE".equals(json.getString("state")));
        TrinoStatements.Outcome longOutcome = longQuery.get();
        sleep(3_000);
        QueryLoad.Result result = load.stop();
        List<TrinoStatements.Outcome> shortQueries = result.shortQueries();
        List<TrinoStatements.Outcome> failures = result.failures();
        Instant drainedAt = Instant.parse(record.getString("workersDrainedAt"));
        Instant completedAt = Instant.parse(record.getString("completedAt"));
        TestingAutoScalingFront.Recorded complete = front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).findFirst().orElseThrow();
        long heartbeats = front.recorded().stream().filter(call -> call.action().equals("RecordLifecycleActionHeartbeat")).count();
        List<String> events = types(events(Instant.EPOCH));
        System.out.printf("DrainPathsIT path 1 (lifecycle hook): long query %s in %.1f s, %d short queries (%d failed); message sent -> workers DRAINED %.1f s; "
                        + "workers DRAINED -> CompleteLifecycleAction %d ms (record: %d ms); %d heartbeat(s); events %s%n",
                longOutcome.succeeded() ? "succeeded" : "FAILED", QueryLoad.seconds(longOutcome), shortQueries.size(), failures.size(),
                Duration.between(sent, drainedAt).toMillis() / 1000.0, Duration.between(drainedAt, complete.at()).toMillis(),
                Duration.between(drainedAt, completedAt).toMillis(), heartbeats, events);

        assertThat(failures).as("queries that failed while the instance was drained").isEmpty();
        assertThat(shortQueries).as("short queries during the drain").hasSizeGreaterThanOrEqualTo(5);
        assertThat(record.getString("result")).isEqualTo("CONTINUE");
        assertThat(complete.parameters()).containsEntry("InstanceId", instanceId).containsEntry("LifecycleActionResult", "CONTINUE")
                .containsEntry("AutoScalingGroupName", "trino-workers").containsEntry("LifecycleHookName", "trino-workers-drain")
                .containsEntry("LifecycleActionToken", TestingLifecycle.MESSAGE_TOKEN);
        assertThat(front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).count()).as("completed once").isEqualTo(1);
        assertThat(heartbeats).as("heartbeats every 5 s while the drain waited for the long query").isPositive();

        // the worker is gone: its allocation stopped, the node takes no work
        JsonObject stopped = new JsonObject(stack.callNomad("GET", "/v1/allocation/" + victim.getString("ID"), null).body());
        assertThat(stopped.getString("ClientStatus")).isIn("complete", "failed");
        assertThat(new JsonObject(stack.callNomad("GET", "/v1/node/" + nodeId, null).body()).getString("SchedulingEligibility")).isEqualTo("ineligible");
        assertThat(allocations().stream().filter(alloc -> alloc.getString("NodeID").equals(nodeId))
                .allMatch(alloc -> List.of("complete", "failed").contains(alloc.getString("ClientStatus")))).isTrue();
        assertThat(events).containsSubsequence("lifecycle-drain-started", "lifecycle-worker-drained", "lifecycle-action-completed");

        // the queue is empty: the test notification and the garbage deleted at once, the termination once completed
        await("the queue is empty").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).build()).attributes();
            return attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES).equals("0")
                    && attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).equals("0");
        });

        // the job keeps 3 workers: Nomad placed the replacement on another node, and path 2 starts from 3 active workers
        await("the replacement of the terminated worker is active").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cluster().getJsonObject("status").getInteger("activeWorkers"), active -> active != null && active == 3);
        lastStepPassed = "path 1";
    }

    /** Path 2: a resize 3 -> 2 through the API drains the worker Nomad will stop, then lowers the count. */
    @Test
    @Order(2)
    void testResizeThroughTheOrchestratorDrainsFirst()
            throws Exception
    {
        requirePassed("path 1");
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded()).as("warm-up query before the resize").isTrue();
        }
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.LONG);
        sleep(8_000);
        assertThat(q1).as("the long query still running when the resize starts").isNotDone();
        Instant requested = Instant.now();

        JsonObject operation = awaitOperation(patch(2), Duration.ofMinutes(15), requested);
        q1.get();
        sleep(3_000);
        QueryLoad.Result result = load.stop();
        assertSucceeded(operation);

        List<JsonObject> events = events(requested);
        System.out.printf("DrainPathsIT path 2 (API resize 3 -> 2): %s%n", result.summary());
        events.forEach(event -> System.out.printf("  %s %-18s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        assertThat(result.failures()).as("queries that failed while the orchestrator removed a worker").isEmpty();
        assertThat(result.shortQueries()).as("short queries during the resize").hasSizeGreaterThanOrEqualTo(5);
        assertThat(operation.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("name")).toList())
                .containsSubsequence("drain", "scale", "stop-drained", "place", "trino-ready");
        assertThat(types(events)).containsSubsequence("resize-requested", "drain-started", "worker-drained", "count-lowered", "worker-stopped", "scaled");
        assertThat(message(events, "drain-started")).startsWith("Draining worker workers[2]");
        assertThat(cluster().getJsonObject("status").getInteger("activeWorkers")).isEqualTo(2);
        assertThat(cluster().getJsonObject("status").getJsonObject("allocations").getJsonObject("workers").getInteger("running")).isEqualTo(2);

        Instant drained = at(events, "worker-drained");
        Instant lowered = at(events, "count-lowered");
        Instant stopped = at(events, "worker-stopped");
        System.out.printf("DrainPathsIT path 2 drain overhead: drain took %.1f s (started -> DRAINED), DRAINED -> count lowered %.3f s, count lowered -> allocation stopped %.3f s, "
                        + "DRAINED -> allocation stopped %.3f s%n",
                between(at(events, "drain-started"), drained), between(drained, lowered), between(lowered, stopped), between(drained, stopped));
        lastStepPassed = "path 2";
    }

    /** Path 4: a restart replaces the 2 workers one at a time, each drained, then the coordinator once and last. */
    @Test
    @Order(3)
    void testRestartReplacesTheWorkersOneAtATimeWithoutLosingAQuery()
            throws Exception
    {
        requirePassed("path 2");
        int workers = 2;
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded()).as("warm-up query before the restart").isTrue();
        }
        // System.nanoTime() (when a query started) against wall-clock times (operation steps)
        long nanoBase = System.nanoTime();
        Instant instantBase = Instant.now();
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        CompletableFuture<TrinoStatements.Outcome> q1 = load.longQuery(QueryLoad.LONG);
        sleep(8_000);
        assertThat(q1).as("the long query still running when the restart starts").isNotDone();
        Instant requested = Instant.now();
        HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        AtomicInteger mostInReplacement = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Set<String> seenHealthy = new HashSet<>();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (watching.get()) {
                mostInReplacement.accumulateAndGet(workersInReplacement(requested, seenHealthy), Math::max);
                sleep(250);
            }
        });
        JsonObject operation;
        try {
            operation = awaitOperation(accepted, Duration.ofMinutes(15), requested);
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
        // coordinator's restart and may fail by nature (issue 18); they are reported, not counted. Every
        // query started before it (the long one and the short ones while the workers were replaced one at a time)
        // and after the operation ended must succeed.
        List<TrinoStatements.Outcome> uncounted = result.shortQueries().stream()
                .filter(outcome -> outcome.startedNanos() >= phaseNanos && outcome.startedNanos() <= endedNanos).toList();
        List<TrinoStatements.Outcome> counted = new ArrayList<>(result.shortQueries());
        counted.removeAll(uncounted);
        counted.addAll(result.longQueries());
        long workersPhaseShort = result.shortQueries().stream().filter(outcome -> outcome.startedNanos() < phaseNanos).count();

        List<JsonObject> events = events(requested);
        System.out.printf("DrainPathsIT path 4 (restart): %s; counted %d queries (%d short ones started before the coordinator phase), %d failed;"
                        + " not counted (started during the coordinator phase): %d, %d of them failed; most workers in replacement at once: %d%n",
                result.summary(), counted.size(), workersPhaseShort, counted.stream().filter(outcome -> !outcome.succeeded()).count(),
                uncounted.size(), uncounted.stream().filter(outcome -> !outcome.succeeded()).count(), mostInReplacement.get());
        System.out.printf("DrainPathsIT path 4 phases: workers from %s, coordinator from %s, operation ended %s (workers phase %.1f s, coordinator phase %.1f s)%n",
                requested, coordinatorPhase, ended, between(requested, coordinatorPhase), between(coordinatorPhase, ended));
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        counted.stream().filter(outcome -> !outcome.succeeded()).forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));

        assertThat(counted.stream().filter(outcome -> !outcome.succeeded()).toList()).as("queries that failed while workers were replaced one at a time").isEmpty();
        // issue 18's control: this cluster's rollout is in-place, so the coordinator restarts in place and the
        // queries that meet it fail; ZeroDowntimeIT runs the blue-green rollout, which loses none
        assertThat(uncounted.stream().filter(outcome -> !outcome.succeeded()).toList()).as("in-place control: queries that met the coordinator's restart").isNotEmpty();
        assertThat(q1.get().succeeded()).isTrue();
        assertThat(QueryLoad.seconds(q1.get())).as("the long query ran while the first worker was drained").isGreaterThan(8.0);
        assertThat(workersPhaseShort).as("short queries during the workers phase").isGreaterThanOrEqualTo(10);
        List<String> workerEvents = types(events).stream().filter(type -> type.startsWith("worker-replac")).toList();
        List<String> oneAtATime = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            oneAtATime.addAll(List.of("worker-replacing", "worker-replaced"));
        }
        assertThat(workerEvents).as("one worker replaced at a time: each replaced before the next drains").isEqualTo(oneAtATime);
        assertThat(mostInReplacement.get()).as("worker names with an old allocation stopping or a new one not yet healthy, at once").isEqualTo(1);
        assertThat(types(events)).as("the coordinator restarts last, after every worker, and the events say so")
                .containsSubsequence("restart-requested", "worker-replaced", "worker-replaced", "coordinator-restarting", "coordinator-restarted", "deploy-succeeded");
        List<JsonObject> replaced = stoppedWorkerAllocations(requested);
        assertThat(replaced).as("worker allocations the restart replaced").hasSize(workers);
        for (JsonObject alloc : replaced) {
            assertThat(stack.allocationLog(alloc.getString("ID"), "trino.stderr.0")).as("the own log of replaced worker %s", alloc.getString("Name"))
                    .contains("run-with-drain: stop signal received").contains("run-with-drain: DRAINED");
        }
        System.out.printf("DrainPathsIT path 4: %s%n", message(events, "coordinator-restarted"));
        events.stream().filter(event -> event.getString("type").equals("worker-replaced"))
                .forEach(event -> System.out.printf("DrainPathsIT path 4: %s%n", event.getString("message")));
        lastStepPassed = "path 4";
    }

    /** Path 3: the count lowered outside the orchestrator (Nomad's scale API, 2 -> 1); the worker drains on Nomad's kill signal. */
    @Test
    @Order(4)
    void testScaleInOutsideTheOrchestratorDrainsOnTheKillSignal()
            throws Exception
    {
        requirePassed("path 4");
        QueryLoad.awaitServing(coordinator, USER, "DrainPathsIT");
        Set<String> stoppedBefore = new HashSet<>(workerAllocations().stream().filter(alloc -> alloc.getString("DesiredStatus").equals("stop"))
                .map(alloc -> alloc.getString("ID")).toList());
        QueryLoad load = QueryLoad.start(coordinator, USER, Duration.ofMillis(500));
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, USER, QueryLoad.SHORT).succeeded()).as("warm-up query before the removal").isTrue();
        }
        CompletableFuture<TrinoStatements.Outcome> longQuery = load.longQuery(QueryLoad.LONG);
        sleep(8_000);
        assertThat(longQuery).as("the long query still running when the worker is removed").isNotDone();

        // outside the orchestrator: Nomad's own scale API, as the Nomad UI or nomad-autoscaler call it
        HttpResponse<String> scaled = stack.callNomad("POST", "/v1/job/" + JOB + "/scale", "{\"Count\":1,\"Target\":{\"Group\":\"workers\"},\"Message\":\"DrainPathsIT\"}");
        assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);
        // the worker drains for as long as the long query runs on it, up to the drain bound (drain_timeout_seconds 270 in
        // local.yaml), and then stops
        JsonObject stopped = await("a worker allocation stopped").atMost(Duration.ofSeconds(270 + 90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> workerAllocations().stream()
                        .filter(alloc -> !stoppedBefore.contains(alloc.getString("ID")))
                        .filter(alloc -> alloc.getString("DesiredStatus").equals("stop") && List.of("complete", "failed").contains(alloc.getString("ClientStatus")))
                        .findFirst(), Optional::isPresent).orElseThrow();

        longQuery.get();
        sleep(3_000);
        QueryLoad.Result outcomes = load.stop();

        String allocId = stopped.getString("ID");
        JsonArray taskEvents = new JsonObject(stack.callNomad("GET", "/v1/allocation/" + allocId, null).body()).getJsonObject("TaskStates").getJsonObject("trino").getJsonArray("Events");
        long killing = eventTime(taskEvents, "Killing");
        long dead = Math.max(eventTime(taskEvents, "Terminated"), eventTime(taskEvents, "Killed"));
        String taskLog = stack.allocationLog(allocId, "trino.stderr.0");
        Integer active = await("the coordinator counts 1 worker").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cluster().getJsonObject("status").getInteger("activeWorkers"), count -> count != null && count == 1);
        TrinoStatements.Outcome longOutcome = outcomes.longQueries().get(0);
        System.out.printf("DrainPathsIT path 3 (Nomad scale 2 -> 1): long query %s in %.1f s, %d short queries (%d failed), worker stop (kill signal -> task dead) %.1f s%n",
                longOutcome.succeeded() ? "succeeded" : "FAILED", QueryLoad.seconds(longOutcome), outcomes.shortQueries().size(),
                outcomes.shortQueries().stream().filter(outcome -> !outcome.succeeded()).count(), killing > 0 && dead > 0 ? (dead - killing) / 1e9 : -1.0);

        assertThat(outcomes.failures()).as("queries that failed while a worker was removed with the drain on").isEmpty();
        assertThat(outcomes.shortQueries()).as("short queries during the removal").hasSizeGreaterThanOrEqualTo(5);
        assertThat(taskLog).as("the worker's own log of its stop")
                .contains("run-with-drain: stop signal received").contains("DRAINING accepted").contains("run-with-drain: DRAINED");
        assertThat(active).isEqualTo(1);
        lastStepPassed = "path 3";
    }

    /** The coordinator's instance terminates while a long query runs on it: the query ends first, then the coordinator moves to another node. */
    @Test
    @Order(5)
    void testTerminatingTheCoordinatorsInstanceWaitsForItsQueries()
            throws Exception
    {
        requirePassed("path 3");
        JsonObject coordinatorAlloc = allocations().stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                .findFirst().orElseThrow();
        String nodeId = coordinatorAlloc.getString("NodeID");
        String instanceId = TestingLifecycle.instanceId(stack, nodeId);
        QueryLoad.awaitServing(coordinator, USER, "DrainPathsIT");
        AtomicReference<Instant> longQueryEnded = new AtomicReference<>();
        CompletableFuture<TrinoStatements.Outcome> longQuery = CompletableFuture.supplyAsync(() -> SlowScan.run(coordinator, USER, QueryLoad.LONG))
                .whenComplete((outcome, failure) -> longQueryEnded.set(Instant.now()));
        sleep(8_000);
        assertThat(longQuery).as("the long query still running when the coordinator's instance terminates").isNotDone();
        Instant sent = Instant.now();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.terminating(instanceId)).build());

        JsonObject record = await("the coordinator's drain record is done").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                .until(() -> drainRecord(instanceId), json -> json != null && "DONE".equals(json.getString("state")));
        TrinoStatements.Outcome longOutcome = longQuery.get();
        // the cluster keeps its coordinator port, so the new coordinator answers on the same URL
        JsonObject newCoordinator = await("a new coordinator runs on another node").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> allocations().stream()
                        .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                        .findFirst().orElse(null), alloc -> alloc != null && !alloc.getString("ID").equals(coordinatorAlloc.getString("ID")));
        QueryLoad.awaitServing(coordinator, USER, "DrainPathsIT");
        Instant serving = Instant.now();
        List<JsonObject> events = events(sent);
        System.out.printf("DrainPathsIT coordinator's instance: long query %s in %.1f s; message sent -> action completed %.1f s; completed -> new coordinator serving %.1f s; events %s%n",
                longOutcome.succeeded() ? "succeeded" : "FAILED", QueryLoad.seconds(longOutcome),
                Duration.between(sent, Instant.parse(record.getString("completedAt"))).toMillis() / 1000.0,
                Duration.between(Instant.parse(record.getString("completedAt")), serving).toMillis() / 1000.0, types(events));

        assertThat(longOutcome.succeeded()).as("the long query on the terminating coordinator: %s", longOutcome.error()).isTrue();
        assertThat(record.getString("result")).isEqualTo("CONTINUE");
        assertThat(front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction")).map(call -> call.parameters().get("InstanceId")))
                .contains(instanceId);
        assertThat(types(events)).containsSubsequence("lifecycle-coordinator-on-node", "lifecycle-coordinator-queries-ended", "lifecycle-action-completed");
        JsonObject queriesEnded = events.stream().filter(event -> event.getString("type").equals("lifecycle-coordinator-queries-ended")).findFirst().orElseThrow();
        // the client sees the query end a moment after the coordinator does: 2 s of slack
        assertThat(Instant.parse(queriesEnded.getString("at"))).as("the wait ended after the long query did").isAfter(longQueryEnded.get().minusSeconds(2));
        assertThat(newCoordinator.getString("NodeID")).isNotEqualTo(nodeId);
    }

    private static JsonObject drainRecord(String instanceId)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/kv/presto-orchestrator/lifecycle/" + instanceId + "?raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
    }

    private static List<JsonObject> allocations()
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/" + JOB + "/allocations", null).body()).stream().map(JsonObject.class::cast).toList();
    }

    private static List<JsonObject> workerAllocations()
            throws IOException, InterruptedException
    {
        return allocations().stream().filter(alloc -> alloc.getString("TaskGroup").equals("workers")).toList();
    }

    private static long eventTime(JsonArray events, String type)
    {
        return events.stream().map(JsonObject.class::cast).filter(event -> event.getString("Type").equals(type))
                .mapToLong(event -> event.getLong("Time")).max().orElse(0);
    }
    /**
     * How many worker names (workers[i]) are being replaced now: an allocation that Nomad told to
     * stop and that still runs, or one placed since {@code since} that was never seen healthy (the
     * coordinator phase updates the new workers in place, and their health is checked again).
     */
    private static int workersInReplacement(Instant since, Set<String> seenHealthy)
    {
        try {
            Set<String> names = new HashSet<>();
            new JsonArray(stack.callNomad("GET", "/v1/job/" + JOB + "/allocations", null).body()).stream()
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
    private static List<JsonObject> stoppedWorkerAllocations(Instant since)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/" + JOB + "/allocations", null).body()).stream()
                .map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("DesiredStatus").equals("stop"))
                .filter(alloc -> alloc.getLong("ModifyTime") / 1_000_000 >= since.toEpochMilli())
                .toList();
    }

    private static HttpResponse<String> patch(int workers)
            throws IOException, InterruptedException
    {
        HttpResponse<String> accepted = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":" + workers + "}}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return accepted;
    }

    /** The operation once it ended; when it does not end in time, what it and the events show before failing. */
    private static JsonObject awaitOperation(HttpResponse<String> accepted, Duration timeout, Instant since)
            throws IOException, InterruptedException
    {
        try {
            return stack.awaitOperation(accepted, timeout);
        }
        catch (RuntimeException e) {
            String location = accepted.headers().firstValue("Location").orElseThrow();
            System.out.printf("DrainPathsIT: operation still running after %s: %s%n", timeout, stack.call("GET", location, null).body());
            events(since).forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
            throw e;
        }
    }

    private static JsonObject cluster()
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }

    private static List<JsonObject> events(Instant since)
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
