package io.prestoorchestrator.app;

import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.FakeTrinoProcess;
import io.prestoorchestrator.testing.TestingAutoScalingFront;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingLifecycle;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingNomad;
import io.prestoorchestrator.testing.TestingOrchestratorProcess;
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
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20's fault injection, with real processes: two orchestrator replicas, each its own JVM
 * from the built jar ({@link TestingOrchestratorProcess}), on real Nomad 1.6.1 (one server, three
 * clients) and the Consul simulator, lifecycle hooks on moto's SQS with {@link TestingAutoScalingFront}
 * answering {@code CompleteLifecycleAction}. No real Trino: the coordinator and workers are
 * {@link FakeTrinoProcess} (a worker's state API, simulated queries, a journal of what happened to
 * each process), so that the orchestrator's own code paths, Nomad and Consul are what is under test
 * and the class takes a few minutes. The faults, in order, on one cluster of 3 workers:
 * <ol>
 *   <li>SIGKILL of the leader replica while a scale-in 3 -> 2 drains a busy worker;</li>
 *   <li>SIGKILL of the leader replica while a terminating instance's worker drains (lifecycle hook);</li>
 *   <li>the Consul simulator restarted (5 s down, state kept) while a resize 2 -> 3 runs;</li>
 *   <li>the Nomad server stopped for 30 s while a scale-in 3 -> 2 drains a busy worker;</li>
 *   <li>SIGKILL of the leader replica as it promotes a blue-green restart's new side, just after the switch (issue 18: a
 *       leader change in the middle resumes, the old side's router goes, and the public host never has no router or two
 *       at the top: sampled every 100 ms).</li>
 * </ol>
 * After each: the operation finished or failed with a reason, and nothing is half-done (spec,
 * Nomad's counts and the running workers agree, every worker ACTIVE, no operation RUNNING, no
 * scale-in decision or unfinished lifecycle drain left in KV, no node ineligible or draining
 * without a lifecycle record that says why), and no query failed: no simulated query ended
 * with its worker, and no worker stopped without having reached DRAINED (the fake's journal).
 * The lifecycle action is completed exactly once. Timings are printed per scenario.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT
{
    private static final String CLUSTER = "faults";
    private static final String JOB = "trino-" + CLUSTER;
    private static final String TOKEN = "fault-admin-token-5c2e8a17";
    private static final String PREFIX = "presto-orchestrator/";
    private static final Duration QUERY = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private static Path dir;
    private static Path trinoHome;
    private static ConsulSimulator consul;
    private static TestingNomad nomad;
    private static TestingMoto moto;
    private static TestingAutoScalingFront front;
    private static SqsClient sqs;
    private static String queueUrl;
    private static final Map<String, TestingOrchestratorProcess> replicas = new LinkedHashMap<>();
    private static final List<String> summary = new ArrayList<>();
    private static long classStart;

    @BeforeAll
    static void startStack()
            throws Exception
    {
        classStart = System.nanoTime();
        dir = Files.createTempDirectory("fault-injection");
        trinoHome = Files.createDirectories(dir.resolve("fake-trino"));
        FakeTrinoProcess.install(trinoHome);
        FakeTrinoProcess.serveAnnouncedWorkers(trinoHome);
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        nomad = TestingNomad.start(dir.resolve("nomad"), consul);
        moto = TestingMoto.start();
        front = new TestingAutoScalingFront(moto.endpoint());
        sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(CreateQueueRequest.builder().queueName("fault-lifecycle").build()).queueUrl();
        Path templates = TestingFiles.itTemplates();
        startReplica("replica-a", templates);
        startReplica("replica-b", templates);
        await("a leader").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> leader().isPresent());

        long created = System.nanoTime();
        HttpResponse<String> catalog = leader().orElseThrow().call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}", TOKEN);
        assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(201);
        HttpResponse<String> accepted = leader().orElseThrow().call("POST", "/v1/clusters",
                "{\"name\":\"" + CLUSTER + "\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3}}", TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonObject operation = awaitOperation(location(accepted), Duration.ofMinutes(3));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        assertNothingHalfDone(3);
        System.out.printf("FaultInjectionIT: stack up in %.1f s, cluster of 3 fake workers created in %.1f s%n", seconds(classStart, created), seconds(created, System.nanoTime()));
    }

    @AfterAll
    static void stopStack()
            throws Exception
    {
        summary.forEach(line -> System.out.println("FaultInjectionIT: " + line));
        System.out.printf("FaultInjectionIT: whole class %.1f s%n", seconds(classStart, System.nanoTime()));
        try (AutoCloseable closeMoto = moto; AutoCloseable closeFront = front; AutoCloseable closeSqs = sqs; AutoCloseable closeConsul = consul; AutoCloseable closeNomad = nomad) {
            // closed in reverse order: the replicas first, then Nomad (and every task below its directory), Consul, moto last
            for (TestingOrchestratorProcess replica : replicas.values()) {
                replica.close();
            }
        }
    }

    @Test
    @Order(1)
    void leaderKilledDuringScaleIn()
            throws Exception
    {
        long start = System.nanoTime();
        busyWorkers();
        TestingOrchestratorProcess leader = leader().orElseThrow();
        TestingOrchestratorProcess survivor = other(leader);
        HttpResponse<String> accepted = survivor.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":2}}", TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        awaitWorkerIn("DRAINING", Duration.ofSeconds(30));
        long killed = System.nanoTime();
        leader.kill();
        Timings timings;
        try {
            timings = awaitOutcome(survivor, location(accepted), Duration.ofMinutes(2));
        }
        finally {
            restart(leader);
        }
        JsonObject operation = timings.operation();
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        assertThat(operation.getString("runner")).isEqualTo(survivor.replicaId());
        assertThat(stepNames(operation)).startsWith("drain:INTERRUPTED", "resume:DONE").contains("scale:DONE");
        assertNothingHalfDone(2);
        summary.add("kill -9 of leader %s during a scale-in 3 -> 2: killed %.1f s after the PATCH (a worker DRAINING), %s leader %.1f s after the kill, operation %s %.1f s after the kill; steps %s"
                .formatted(leader.replicaId(), seconds(start, killed), survivor.replicaId(), seconds(killed, timings.leaderAt()), operation.getString("state"),
                        seconds(killed, timings.doneAt()), stepNames(operation)));
    }

    @Test
    @Order(2)
    void leaderKilledDuringLifecycleDrain()
            throws Exception
    {
        JsonObject victim = workerOffTheCoordinatorsNode();
        String nodeId = victim.getString("NodeID");
        String instanceId = nomad.instanceId(nodeId);
        String victimUrl = workers().get(victim.getString("ID"));
        assertThat(victimUrl).as("the victim's address in Consul").isNotNull();
        assertThat(query(victimUrl, QUERY)).isNotEqualTo("refused");
        TestingOrchestratorProcess leader = leader().orElseThrow();
        TestingOrchestratorProcess survivor = other(leader);
        long start = System.nanoTime();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(TestingLifecycle.terminating(instanceId)).build());
        await("the terminating instance's worker DRAINING").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> "DRAINING".equals(state(victimUrl)));
        long killed = System.nanoTime();
        leader.kill();
        long[] leaderAt = {0};
        long[] completedAt = {0};
        try {
            await("CompleteLifecycleAction for " + instanceId).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (leaderAt[0] == 0 && survivor.isLeader(TOKEN)) {
                    leaderAt[0] = System.nanoTime();
                }
                completedAt[0] = System.nanoTime();
                return completions(instanceId) > 0;
            });
        }
        finally {
            restart(leader);
        }
        long completed = completedAt[0];
        JsonObject record = await("the drain record DONE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> kv("lifecycle/" + instanceId).orElse(new JsonObject()), found -> "DONE".equals(found.getString("state")));
        // a resumed drain that completed the action a second time would do so at once: give it time to show
        Thread.sleep(5000);
        List<TestingAutoScalingFront.Recorded> completions = front.recorded().stream()
                .filter(call -> call.action().equals("CompleteLifecycleAction") && instanceId.equals(call.parameters().get("InstanceId"))).toList();
        assertThat(completions).as("CompleteLifecycleAction for %s, exactly once", instanceId).hasSize(1);
        assertThat(completions.get(0).parameters()).containsEntry("LifecycleActionResult", "CONTINUE");
        assertThat(record.getString("runner", "")).isEqualTo(survivor.replicaId());
        // the node stays drained and ineligible, which its DONE record explains; the worker it ran was replaced elsewhere
        assertNothingHalfDone(2);
        summary.add("kill -9 of leader %s during a lifecycle drain of %s: killed %.1f s after the message (its worker DRAINING), %s leader %.1f s after the kill, CompleteLifecycleAction CONTINUE once %.1f s after the kill (record DONE by %s)"
                .formatted(leader.replicaId(), instanceId, seconds(start, killed), survivor.replicaId(), seconds(killed, leaderAt[0]), seconds(killed, completed), record.getString("runner")));
        // the Auto Scaling group's replacement instance: the node takes allocations again
        HttpResponse<String> eligible = nomad.call("POST", "/v1/node/" + nodeId + "/eligibility", "{\"Eligibility\":\"eligible\"}");
        assertThat(eligible.statusCode()).as(eligible.body()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void consulRestartedDuringResize()
            throws Exception
    {
        TestingOrchestratorProcess leader = leader().orElseThrow();
        long start = System.nanoTime();
        HttpResponse<String> accepted = leader.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":3}}", TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        // in the middle: Nomad places the third worker while the operation waits for it
        await("Nomad's count raised").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> workersGroup().getInteger("Desired") == 3);
        long down = System.nanoTime();
        consul.restart(Duration.ofSeconds(5));
        long up = System.nanoTime();
        Timings timings = awaitOutcome(leader, location(accepted), Duration.ofMinutes(2));
        JsonObject operation = timings.operation();
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isIn("SUCCEEDED", "FAILED");
        if (operation.getString("state").equals("FAILED")) {
            assertThat(operation.getString("error")).as("a failed operation says why").isNotBlank();
        }
        int expected = specCount();
        assertNothingHalfDone(expected);
        summary.add("Consul restarted (%.1f s down) %.1f s after a resize 2 -> 3 was accepted: operation %s %.1f s after Consul was back, by %s%s; steps %s"
                .formatted(seconds(down, up), seconds(start, down), operation.getString("state"), seconds(up, timings.doneAt()), operation.getString("runner"),
                        operation.getString("error") == null ? "" : " (" + operation.getString("error") + ")", stepNames(operation)));
        assertThat(expected).as("the resize ended at the count it asked for").isEqualTo(operation.getString("state").equals("SUCCEEDED") ? 3 : expected);
    }

    @Test
    @Order(4)
    void nomadStoppedDuringScaleIn()
            throws Exception
    {
        assertThat(specCount()).as("the previous scenario left 3 workers").isEqualTo(3);
        busyWorkers();
        TestingOrchestratorProcess leader = leader().orElseThrow();
        long start = System.nanoTime();
        HttpResponse<String> accepted = leader.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":2}}", TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        awaitWorkerIn("DRAINING", Duration.ofSeconds(30));
        long stopped = System.nanoTime();
        nomad.stopServer();
        long stoppedDone = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(30).minusNanos(stoppedDone - stopped).toMillis());
        long restarting = System.nanoTime();
        nomad.startServer();
        long back = System.nanoTime();
        Timings timings = awaitOutcome(leader(), location(accepted), Duration.ofMinutes(3));
        JsonObject operation = timings.operation();
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isIn("SUCCEEDED", "FAILED");
        if (operation.getString("state").equals("FAILED")) {
            assertThat(operation.getString("error")).as("a failed operation says why").contains("Nomad").endsWith("the count stays 3");
        }
        int expected = specCount();
        assertThat(expected).as("the spec after a %s scale-in", operation.getString("state")).isEqualTo(operation.getString("state").equals("SUCCEEDED") ? 2 : 3);
        assertNothingHalfDone(expected);
        summary.add("Nomad server stopped %.1f s after a scale-in 3 -> 2 was accepted (a worker DRAINING), down %.1f s (leader again %.1f s after its start): operation %s %.1f s after Nomad was back, by %s%s; steps %s"
                .formatted(seconds(start, stopped), seconds(stopped, restarting), seconds(restarting, back), operation.getString("state"), seconds(back, timings.doneAt()),
                        operation.getString("runner"), operation.getString("error") == null ? "" : " (" + operation.getString("error") + ")", stepNames(operation)));
    }

    @Test
    @Order(5)
    void leaderKilledDuringBlueGreenRestart()
            throws Exception
    {
        int workers = specCount();
        List<String> sidesBefore = completeRouters();
        assertThat(sidesBefore).as("one public router before the restart").hasSize(1);
        busyWorkers();
        RouteSampler sampler = RouteSampler.start();
        TestingOrchestratorProcess leader = leader().orElseThrow();
        TestingOrchestratorProcess survivor = other(leader);
        long start = System.nanoTime();
        HttpResponse<String> accepted = survivor.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null, TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        // new queries already go to the new side, and the leader is promoting it (the fake old coordinator runs no query, so
        // the promotion follows the switch within milliseconds): Nomad may finish the deployment before anyone leads again
        await("the blue-green promotion started").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> stepNames(new JsonObject(survivor.call("GET", location(accepted), null, TOKEN).body())).stream().anyMatch(step -> step.startsWith("promote:")));
        long killed = System.nanoTime();
        leader.kill();
        Timings timings;
        List<String> samples;
        try {
            timings = awaitOutcome(survivor, location(accepted), Duration.ofMinutes(4));
        }
        finally {
            samples = sampler.stop();
            restart(leader);
        }
        JsonObject operation = timings.operation();
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        assertThat(operation.getString("runner")).isEqualTo(survivor.replicaId());
        assertThat(stepNames(operation)).contains("switch:DONE", "resume:DONE");
        // one cluster, one public URL at every moment: never no complete router, never two at the top
        assertThat(samples).as("public routers of %s sampled every 100 ms through the restart and the kill", CLUSTER).isNotEmpty()
                .allSatisfy(sample -> assertThat(sample).startsWith("one top router: "));
        List<String> sidesAfter = completeRouters();
        assertThat(sidesAfter).as("the old side's router removed").hasSize(1).doesNotContainAnyElementsOf(sidesBefore);
        assertNothingHalfDone(workers);
        summary.add("kill -9 of leader %s as it promotes a blue-green restart's new side: killed %.1f s after the POST, %s leader %.1f s after the kill, operation %s %.1f s after the kill; public router %s -> %s, %d samples each with one top router; steps %s"
                .formatted(leader.replicaId(), seconds(start, killed), survivor.replicaId(), seconds(killed, timings.leaderAt()), operation.getString("state"),
                        seconds(killed, timings.doneAt()), sidesBefore, sidesAfter, samples.size(), stepNames(operation)));
    }

    @Test
    @Order(6)
    void journalDetectsAWorkerStoppedWithoutADrain()
            throws Exception
    {
        // the control of every "no query failed" above: a worker stopped by a signal while it runs a query is a failure in its journal
        Map<String, String> running = workers();
        String url = running.values().iterator().next();
        String allocId = running.keySet().iterator().next();
        assertThat(query(url, Duration.ofSeconds(60))).isNotEqualTo("refused");
        Path journal = FakeTrinoProcess.journalDir(trinoHome).resolve("workers-" + allocId + ".log");
        long pid = Long.parseLong(Files.readAllLines(journal).get(0).replaceFirst(".* pid=(\\d+) .*", "$1"));
        ProcessHandle.of(pid).orElseThrow().destroy();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
        assertThat(journalFailures()).anySatisfy(failure -> assertThat(failure).contains(allocId).contains("FAILED"));
    }

    // ---- what "nothing half-done" means

    private static void assertNothingHalfDone(int workers)
            throws Exception
    {
        await("Nomad, Consul and the workers agree on " + workers + " workers").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonObject cluster = cluster();
            assertThat(cluster.getJsonObject("spec").getJsonObject("workers").getInteger("count")).as("the spec's count").isEqualTo(workers);
            assertThat(cluster.getString("state")).as("the cluster's state").isEqualTo("running");
            assertThat(cluster.getString("activeOperation")).as("the cluster's active operation").isNull();
            JsonObject group = workersGroup();
            assertThat(group.getInteger("Desired")).as("Nomad's count").isEqualTo(workers);
            assertThat(group.getInteger("Running")).as("running worker allocations").isEqualTo(workers);
            Map<String, String> registered = workers();
            assertThat(registered).as("workers registered in Consul").hasSize(workers);
            for (String url : registered.values()) {
                assertThat(state(url)).as("worker at %s", url).isEqualTo("ACTIVE");
            }
        });
        for (JsonObject operation : kvList("operations/")) {
            assertThat(operation.getString("state")).as("operation %s", operation.getString("id")).isNotEqualTo("RUNNING");
        }
        assertThat(kvKeys("scale-in/")).as("scale-in decisions left in KV").isEmpty();
        for (JsonObject record : kvList("lifecycle/")) {
            assertThat(record.getString("state")).as("lifecycle drain %s", record.encode()).isEqualTo("DONE");
        }
        JsonArray nodes = new JsonArray(nomad.call("GET", "/v1/nodes", null).body());
        for (int i = 0; i < nodes.size(); i++) {
            JsonObject node = nodes.getJsonObject(i);
            String id = node.getString("ID");
            if (!node.getString("SchedulingEligibility").equals("eligible") || node.getBoolean("Drain", false)) {
                String instance = nomad.instanceId(id);
                Optional<JsonObject> record = kv("lifecycle/" + instance);
                assertThat(record).as("node %s (%s) is %s%s without a lifecycle record", id, instance, node.getString("SchedulingEligibility"),
                        node.getBoolean("Drain", false) ? " and draining" : "").isPresent();
                assertThat(record.get().getString("state")).isEqualTo("DONE");
                assertThat(node.getBoolean("Drain", false)).as("node %s still draining", id).isFalse();
            }
        }
        assertThat(journalFailures()).as("queries that failed, workers gone without a drain").isEmpty();
    }

    /** Every line of a fake Trino journal that says a query failed, and every worker process gone without a word (SIGKILL). */
    private static List<String> journalFailures()
            throws IOException
    {
        List<String> failures = new ArrayList<>();
        Path journals = FakeTrinoProcess.journalDir(trinoHome);
        if (!Files.isDirectory(journals)) {
            return failures;
        }
        try (Stream<Path> files = Files.list(journals)) {
            for (Path file : files.filter(path -> path.getFileName().toString().startsWith("workers-")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                for (String line : lines) {
                    if (line.contains("FAILED")) {
                        failures.add(file.getFileName() + ": " + line);
                    }
                }
                Set<String> started = new TreeSet<>();
                for (String line : lines) {
                    String[] words = line.split(" ");
                    if (words.length >= 4 && words[1].equals("query") && words[3].equals("started")) {
                        started.add(words[2]);
                    }
                    if (words.length >= 4 && words[1].equals("query") && words[3].equals("finished")) {
                        started.remove(words[2]);
                    }
                }
                long pid = Long.parseLong(lines.get(0).replaceFirst(".* pid=(\\d+) .*", "$1"));
                boolean exited = lines.stream().anyMatch(line -> line.contains(" exit 0 after SHUTTING_DOWN") || line.contains(" stopped by a signal"));
                if (!exited && ProcessHandle.of(pid).isEmpty()) {
                    failures.add(file.getFileName() + ": the worker process " + pid + " is gone without a shutdown (killed), queries not finished: " + started);
                }
                else if (exited && !started.isEmpty()) {
                    failures.add(file.getFileName() + ": queries " + started + " never finished");
                }
            }
        }
        return failures;
    }

    // ---- the cluster and its workers

    /** Every worker of the cluster runs a simulated query of {@link #QUERY}: whichever the scale-in drains is busy. */
    private static void busyWorkers()
            throws Exception
    {
        for (String url : workers().values()) {
            assertThat(query(url, QUERY)).isNotEqualTo("refused");
        }
    }

    private static String query(String workerUrl, Duration length)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(workerUrl + "/fake/query?seconds=" + length.toSeconds())).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String state(String workerUrl)
    {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(workerUrl + "/v1/info/state")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body().replace("\"", "").strip() : null;
        }
        catch (IOException e) {
            return null;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void awaitWorkerIn(String state, Duration timeout)
    {
        await("a worker " + state).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> workers().values().stream().anyMatch(url -> state.equals(state(url))));
    }

    /** Allocation id -> URL of every worker registered in Consul (its service Meta names the allocation). */
    private static Map<String, String> workers()
            throws IOException, InterruptedException
    {
        JsonArray services = new JsonArray(get(consul.baseUri().resolve("/v1/catalog/service/" + JOB + "-worker")).body());
        Map<String, String> workers = new HashMap<>();
        for (int i = 0; i < services.size(); i++) {
            JsonObject service = services.getJsonObject(i);
            String address = service.getString("ServiceAddress", "").isEmpty() ? service.getString("Address") : service.getString("ServiceAddress");
            workers.put(service.getJsonObject("ServiceMeta").getString("alloc_id"), "http://" + address + ":" + service.getInteger("ServicePort"));
        }
        return workers;
    }

    private static JsonObject workerOffTheCoordinatorsNode()
            throws IOException, InterruptedException
    {
        List<JsonObject> allocations = new JsonArray(nomad.call("GET", "/v1/job/" + JOB + "/allocations", null).body()).stream().map(JsonObject.class::cast).toList();
        Set<String> coordinatorNodes = new TreeSet<>(allocations.stream().filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                .map(alloc -> alloc.getString("NodeID")).toList());
        return allocations.stream()
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers") && alloc.getString("ClientStatus").equals("running"))
                .filter(alloc -> !coordinatorNodes.contains(alloc.getString("NodeID")))
                .findFirst().orElseThrow(() -> new AssertionError("every worker shares a node with the coordinator: " + allocations));
    }

    private static JsonObject workersGroup()
            throws IOException, InterruptedException
    {
        return new JsonObject(nomad.call("GET", "/v1/job/" + JOB + "/scale", null).body()).getJsonObject("TaskGroups").getJsonObject("workers");
    }

    private static int specCount()
            throws IOException, InterruptedException
    {
        return cluster().getJsonObject("spec").getJsonObject("workers").getInteger("count");
    }

    private static JsonObject cluster()
            throws IOException, InterruptedException
    {
        HttpResponse<String> cluster = anyReplica().call("GET", "/v1/clusters/" + CLUSTER, null, TOKEN);
        assertThat(cluster.statusCode()).as(cluster.body()).isEqualTo(200);
        return new JsonObject(cluster.body());
    }

    private static long completions(String instanceId)
    {
        return front.recorded().stream().filter(call -> call.action().equals("CompleteLifecycleAction") && instanceId.equals(call.parameters().get("InstanceId"))).count();
    }

    // ---- replicas and operations

    private static void startReplica(String replicaId, Path templates)
            throws IOException, InterruptedException
    {
        String yaml = """
                http:
                  host: 127.0.0.1
                  port: ${PORT}
                autoscaling:
                  scale-front-port: 0
                nomad:
                  address: %s
                  node-instance-id: meta.%s
                consul:
                  address: %s
                aws:
                  enabled: true
                  region: us-east-1
                  endpoint: %s
                lifecycle:
                  enabled: true
                  queue-url: %s
                  poll-wait: 2s
                  heartbeat-interval: 5s
                  drain-bound: 2m
                  node-drain-deadline: 1m
                leader:
                  replica-id: %s
                  session-ttl: 10s
                  lock-delay: 5s
                  retry-interval: 1s
                clusters:
                  templates-dir: %s
                  settle-timeout: 2m
                drain:
                  timeout: 2m
                auth:
                  tokens:
                    - name: ops
                      role: admin
                      token: %s
                """.formatted(nomad.address(), TestingNomad.INSTANCE_ID_META, consul.baseUri(), front.endpoint(), queueUrl, replicaId, templates, TOKEN);
        replicas.put(replicaId, TestingOrchestratorProcess.start(dir.resolve("replicas"), replicaId, yaml, Map.of(
                "TRINO_HOME", trinoHome.toString(),
                "TRINO_JAVA_HOME", dir.resolve("no-jdk").toString(),
                "AWS_ACCESS_KEY_ID", "testing",
                "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", "us-east-1")));
    }

    private static void restart(TestingOrchestratorProcess killed)
            throws IOException, InterruptedException
    {
        Path config = killed.log().resolveSibling(killed.replicaId() + ".yaml");
        String yaml = Files.readString(config).replaceFirst("(?m)^  port: \\d+$", "  port: \\${PORT}");
        replicas.put(killed.replicaId(), TestingOrchestratorProcess.start(dir.resolve("replicas"), killed.replicaId(), yaml, Map.of(
                "TRINO_HOME", trinoHome.toString(),
                "TRINO_JAVA_HOME", dir.resolve("no-jdk").toString(),
                "AWS_ACCESS_KEY_ID", "testing",
                "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", "us-east-1")));
    }

    private static Optional<TestingOrchestratorProcess> leader()
    {
        return replicas.values().stream().filter(TestingOrchestratorProcess::isAlive).filter(replica -> replica.isLeader(TOKEN)).findFirst();
    }

    private static TestingOrchestratorProcess other(TestingOrchestratorProcess replica)
    {
        return replicas.values().stream().filter(each -> each != replica).findFirst().orElseThrow();
    }

    private static TestingOrchestratorProcess anyReplica()
    {
        return replicas.values().stream().filter(TestingOrchestratorProcess::isAlive).findFirst().orElseThrow();
    }

    private record Timings(JsonObject operation, long leaderAt, long doneAt) {}

    /** Waits for the operation at {@code location} to end, asking {@code asked}; notes when {@code asked} leads. */
    private static Timings awaitOutcome(TestingOrchestratorProcess asked, String location, Duration timeout)
    {
        long[] leaderAt = {asked.isLeader(TOKEN) ? System.nanoTime() : 0};
        JsonObject[] last = new JsonObject[1];
        await("operation " + location).atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (leaderAt[0] == 0 && asked.isLeader(TOKEN)) {
                leaderAt[0] = System.nanoTime();
            }
            HttpResponse<String> response = asked.call("GET", location, null, TOKEN);
            if (response.statusCode() != 200) {
                return false;
            }
            last[0] = new JsonObject(response.body());
            return !"RUNNING".equals(last[0].getString("state"));
        });
        return new Timings(last[0], leaderAt[0], System.nanoTime());
    }

    private static Timings awaitOutcome(Optional<TestingOrchestratorProcess> asked, String location, Duration timeout)
    {
        return awaitOutcome(asked.orElseGet(FaultInjectionIT::anyReplica), location, timeout);
    }

    private static JsonObject awaitOperation(String location, Duration timeout)
    {
        return awaitOutcome(anyReplica(), location, timeout).operation();
    }

    private static String location(HttpResponse<String> accepted)
    {
        return accepted.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in " + accepted.body()));
    }

    private static List<String> stepNames(JsonObject operation)
    {
        return operation.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("name") + ":" + ((JsonObject) step).getString("state")).toList();
    }

    // ---- the public routers, as Traefik's Consul KV provider reads them

    /** The sides of {@link #CLUSTER} whose public router Traefik can use (it has a rule), the one taking new queries first. */
    private static List<String> completeRouters()
            throws IOException, InterruptedException
    {
        return routers().stream().filter(FaultInjectionIT::usable).map(PublicRoutes.Route::side).toList();
    }

    /** A router Traefik uses: one with a rule that is not blank. */
    private static boolean usable(PublicRoutes.Route route)
    {
        return route.rule().filter(rule -> !rule.isBlank()).isPresent();
    }

    /** {@link #CLUSTER}'s public routers as Traefik's Consul KV provider reads them ({@code traefik/http/routers/...}), the highest priority first. */
    private static List<PublicRoutes.Route> routers()
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(consul.baseUri().resolve("/v1/kv/traefik/http/routers/?recurse"));
        if (response.statusCode() == 404) {
            return List.of();
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray entries = new JsonArray(response.body());
        List<KvEntry> routers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonObject entry = entries.getJsonObject(i);
            String value = entry.getString("Value") == null ? "" : new String(java.util.Base64.getDecoder().decode(entry.getString("Value")), java.nio.charset.StandardCharsets.UTF_8);
            routers.add(new KvEntry(entry.getString("Key").substring("traefik/".length()), value, entry.getLong("ModifyIndex")));
        }
        return PublicRoutes.byCluster(routers).getOrDefault(CLUSTER, List.of());
    }

    /** Reads the public routers every 100 ms on its own thread; each sample says whether exactly one complete router is on top. */
    private static final class RouteSampler
    {
        private final List<String> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final Thread thread;

        private RouteSampler()
        {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        List<PublicRoutes.Route> routers = routers();
                        List<Integer> complete = routers.stream().filter(FaultInjectionIT::usable).map(PublicRoutes.Route::priority).toList();
                        if (complete.isEmpty()) {
                            samples.add("no complete router: " + routers);
                        }
                        else if (complete.size() > 1 && complete.get(0).equals(complete.get(1))) {
                            samples.add("two routers at the top: " + routers);
                        }
                        else {
                            samples.add("one top router: " + routers);
                        }
                    }
                    catch (IOException | RuntimeException e) {
                        // Consul answers throughout this scenario; a failed read is no sample
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Thread.sleep(100);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            }, "route-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        static RouteSampler start()
        {
            return new RouteSampler();
        }

        List<String> stop()
                throws InterruptedException
        {
            running.set(false);
            thread.join(5000);
            return List.copyOf(samples);
        }
    }

    // ---- Consul KV, read as any client would

    private static Optional<JsonObject> kv(String key)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(consul.baseUri().resolve("/v1/kv/" + PREFIX + key + "?raw"));
        return response.statusCode() == 404 ? Optional.empty() : Optional.of(new JsonObject(response.body()));
    }

    private static List<String> kvKeys(String folder)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(consul.baseUri().resolve("/v1/kv/" + PREFIX + folder + "?keys"));
        return response.statusCode() == 404 ? List.of() : new JsonArray(response.body()).stream().map(String.class::cast).toList();
    }

    private static List<JsonObject> kvList(String folder)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(consul.baseUri().resolve("/v1/kv/" + PREFIX + folder + "?recurse"));
        if (response.statusCode() == 404) {
            return List.of();
        }
        JsonArray entries = new JsonArray(response.body());
        List<JsonObject> values = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String value = entries.getJsonObject(i).getString("Value");
            if (value != null) {
                values.add(new JsonObject(new String(Base64.getDecoder().decode(value), UTF_8)));
            }
        }
        return values;
    }

    private static HttpResponse<String> get(URI uri)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double seconds(long fromNanos, long toNanos)
    {
        return (toNanos - fromNanos) / 1e9;
    }
}
