package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingAutoscaler;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7 end to end on real Trino 476: a cluster created through the API at 1 worker (min 1, max 3)
 * with the workers-needed policy; the orchestrator polls its coordinator every 2 s (2 queries per
 * worker), a real Prometheus scrapes the orchestrator's {@code /metrics}, and the real nomad-autoscaler
 * scales the worker group through the Nomad simulator. Concurrent TPC-H scans raise the signal: the
 * agent scales out, the new workers become active in the coordinator and run tasks; the load stops:
 * once the need has stayed at 1 for the scale-in delay the agent scales back to 1, and the removed
 * workers drain on Nomad's kill signal (run-with-drain.sh). No query fails over the whole run, and
 * every scale event names its reason.
 */
class AutoscalingEndToEndIT
{
    private static final String CLUSTER = "elastic";
    private static final String JOB = "trino-" + CLUSTER;
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final int QUERIES_PER_WORKER = 2;
    private static final Duration SCRAPE = Duration.ofSeconds(1);
    private static final Duration EVALUATION = Duration.ofSeconds(2);
    private static final Duration SCALE_IN_DELAY = Duration.ofSeconds(20);
    private static final int CLIENTS = 6;
    private static final String SCAN = "SELECT sum(extendedprice * (1 - discount)) FROM tpch.sf1.lineitem WHERE quantity > %d";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void requireTools()
    {
        for (String variable : List.of("TRINO_HOME", "TRINO_JAVA_HOME", "PROMETHEUS_BIN", "NOMAD_AUTOSCALER_BIN")) {
            if (System.getenv(variable) == null) {
                throw new IllegalStateException(variable + " is not set: run scripts/setup.sh and source ~/.cache/presto-orchestrator/env.sh (scripts/test.sh does both)");
            }
        }
    }

    @Test
    void testLoadScalesTheClusterOutAndItsEndScalesItBackInThroughDrains()
            throws Exception
    {
        Path dir = Files.createTempDirectory("autoscaling-e2e");
        AutoscalingConfig collector = new AutoscalingConfig(POLL, QUERIES_PER_WORKER, Duration.ofSeconds(3), AutoscalingConfig.DEFAULTS.queryHistoryRetention());
        try (TestingStack stack = new TestingStack(System.getenv(), Path.of("../job-templates").toAbsolutePath().normalize(), config -> config.withAutoscaling(collector));
                TestingAutoscaler autoscaler = TestingAutoscaler.start(dir, stack.nomad(), stack.orchestrator().port(), SCRAPE)) {
            try {
                run(stack, autoscaler);
            }
            catch (AssertionError | RuntimeException e) {
                System.out.println("nomad-autoscaler log:\n" + autoscaler.agentLogText());
                throw e;
            }
        }
    }

    private static void run(TestingStack stack, TestingAutoscaler autoscaler)
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", """
                {"name": "%s", "catalogs": ["tpch"], "workers": {"count": 1, "min": 1, "max": 3},
                 "autoscaling": {"enabled": true, "signal": "workers-needed", "evaluationInterval": "%ds",
                                 "scaleOutCooldown": "2s", "scaleInCooldown": "2s", "scaleInDelay": "%ds"}}
                """.formatted(CLUSTER, EVALUATION.toSeconds(), SCALE_IN_DELAY.toSeconds()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(created, Duration.ofMinutes(5));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        String coordinator = new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status").getString("coordinatorUrl");

        // idle: the agent has read the policy and holds the count; the signal says 1
        await("the agent evaluates the idle cluster's policy").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(autoscaler.agentAlive()).as("nomad-autoscaler is running").isTrue();
            assertThat(autoscaler.agentLogText()).contains("skipping scaling, no action needed");
        });
        assertThat(autoscaling(stack).getInteger("needed")).isEqualTo(1);
        assertThat(scaleEvents(stack)).as("no scaling while idle").isEmpty();
        Set<String> initialWorkers = activeWorkers(coordinator);
        assertThat(initialWorkers).hasSize(1);

        SignalMonitor signal = SignalMonitor.start(stack);
        // a short query every second for the whole run, through scale-out and scale-in
        QueryLoad trickle = QueryLoad.start(coordinator, "trickle", Duration.ofSeconds(1));
        long loadStarted = System.currentTimeMillis();
        ScanLoad scans = ScanLoad.start(coordinator, CLIENTS);

        JsonObject out = await("the agent scales the worker group out").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().findFirst(), event -> event.isPresent()).orElseThrow();
        long outCall = eventMillis(out);
        int target = out.getInteger("Count");
        assertThat(target).as(out.encode()).isBetween(2, 3);
        assertThat(out.getString("Message")).isEqualTo("scaling up because metric is " + target);
        assertThat(scans.running()).as("the load still runs when the agent scales out").isTrue();

        Set<String> newWorkers = await("the new workers are active in the coordinator").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> minus(activeWorkers(coordinator), initialWorkers), workers -> workers.size() >= target - 1);
        long active = System.currentTimeMillis();
        Set<String> busyNodes = new HashSet<>();
        await("every new worker runs tasks of the load").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            busyNodes.addAll(nodesWithLoadTasks(coordinator));
            assertThat(busyNodes).as("nodes with tasks of the load (active workers now %s)", activeWorkers(coordinator)).containsAll(newWorkers);
        });
        long working = System.currentTimeMillis();
        assertThat(scans.running()).as("the load still runs while the new workers take work").isTrue();

        long loadStopping = System.currentTimeMillis();
        List<TrinoStatements.Outcome> scanOutcomes = scans.stop();
        long loadEnded = System.currentTimeMillis();

        JsonObject in = await("the agent scales back in to workers.min").atMost(SCALE_IN_DELAY.plusSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().findFirst(), event -> event.isPresent() && event.get().getInteger("Count") == 1).orElseThrow();
        long inCall = eventMillis(in);
        assertThat(in.getString("Message")).isEqualTo("scaling down because metric is 1");
        long signalFell = signal.lastFallTo(1, inCall);

        await("Nomad runs one worker").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonObject group = new JsonObject(stack.callNomad("GET", "/v1/job/" + JOB + "/scale", null).body()).getJsonObject("TaskGroups").getJsonObject("workers");
            assertThat(group.getInteger("Desired")).isEqualTo(1);
            assertThat(group.getInteger("Running")).isEqualTo(1);
        });
        // the removed workers' tasks end once run-with-drain has drained Trino and it exited
        await("the removed workers' processes exit").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> workerAllocations(stack).stream().filter(alloc -> alloc.getString("DesiredStatus").equals("stop")).toList(),
                        removing -> removing.size() == target - 1 && removing.stream().allMatch(alloc -> List.of("complete", "failed").contains(alloc.getString("ClientStatus"))));
        long exited = System.currentTimeMillis();
        await("the coordinator counts one worker").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> activeWorkers(coordinator).size() == 1 && allWorkers(coordinator).size() == 1);
        long gone = System.currentTimeMillis();
        Thread.sleep(3_000);
        QueryLoad.Result trickleResult = trickle.stop();
        signal.stop();

        List<JsonObject> removed = workerAllocations(stack).stream().filter(alloc -> alloc.getString("DesiredStatus").equals("stop")).toList();
        List<String> drainLogs = new ArrayList<>();
        for (JsonObject alloc : removed) {
            Path log = stack.dataDir().resolve("nomad").resolve("alloc").resolve(alloc.getString("ID")).resolve("alloc").resolve("logs").resolve("trino.stderr.0");
            drainLogs.add(Files.exists(log) ? Files.readString(log) : "");
        }
        List<JsonObject> events = scaleEvents(stack);
        // the leader records every scale of the worker group it did not make, once, with Nomad's reason and the signal's
        List<JsonObject> autoscaled = await("an autoscaled event for every scale event").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> clusterEvents(stack).stream().filter(event -> "autoscaled".equals(event.getString("type"))).toList(), list -> list.size() >= events.size());
        List<JsonObject> clusterEvents = clusterEvents(stack);

        List<TrinoStatements.Outcome> failed = new ArrayList<>(scanOutcomes.stream().filter(outcome -> !outcome.succeeded()).toList());
        failed.addAll(trickleResult.failures());
        System.out.printf("AutoscalingEndToEndIT: %d scans by %d clients, %d short queries, %d failed%n",
                scanOutcomes.size(), CLIENTS, trickleResult.shortQueries().size(), failed.size());
        System.out.printf("AutoscalingEndToEndIT: scale-out: load submitted -> coordinator counts queries %s -> signal %d %s -> scale call (count %d) %.1f s"
                        + " -> new workers active %.1f s -> taking tasks %.1f s (poll %d s, scrape %d s, evaluation %d s)%n",
                seconds(signal.firstCounted() - loadStarted), signal.firstRise().needed(), seconds(signal.firstRise().at() - loadStarted), target, (outCall - loadStarted) / 1e3,
                (active - loadStarted) / 1e3, (working - loadStarted) / 1e3, POLL.toSeconds(), SCRAPE.toSeconds(), EVALUATION.toSeconds());
        System.out.printf("AutoscalingEndToEndIT: scale-out decision: signal rose -> scale call %.1f s; scale call -> new workers active %.1f s%n",
                (outCall - signal.firstRise().at()) / 1e3, (active - outCall) / 1e3);
        System.out.printf("AutoscalingEndToEndIT: scale-in: load stopped (last scan ended %.1f s after the stop) -> signal at 1 %+.1f s -> scale-in call %.1f s"
                        + " (%.1f s after the signal fell; scale-in delay %d s) -> removed workers exited %.1f s -> gone from the coordinator %.1f s%n",
                (loadEnded - loadStopping) / 1e3, (signalFell - loadEnded) / 1e3, (inCall - loadEnded) / 1e3, (inCall - signalFell) / 1e3, SCALE_IN_DELAY.toSeconds(),
                (exited - loadEnded) / 1e3, (gone - loadEnded) / 1e3);
        System.out.println("AutoscalingEndToEndIT: signal changes (computedAt after the load started): " + signal.changes().stream()
                .map(change -> "%.1f s -> %d".formatted((change.at() - loadStarted) / 1e3, change.needed())).toList());
        System.out.println("AutoscalingEndToEndIT: Nomad scale events (newest first): " + events.stream()
                .map(event -> "%d: %s".formatted(event.getInteger("Count"), event.getString("Message"))).toList());
        System.out.println("AutoscalingEndToEndIT: cluster events:\n  " + String.join("\n  ", clusterEvents.stream()
                .map(event -> event.getString("type", "?") + " [" + event.getString("actor", "?") + "] " + event.getString("message", event.encode())).toList()));

        assertThat(failed).as("queries that failed over the whole run").isEmpty();
        assertThat(trickleResult.shortQueries()).as("short queries through scale-out and scale-in").hasSizeGreaterThan(20);
        assertThat(outCall - signal.firstRise().at()).as("scale call within an evaluation and a scrape (plus slack) of the signal's rise")
                .isLessThanOrEqualTo(EVALUATION.plus(SCRAPE).plusSeconds(8).toMillis());
        assertThat(inCall - signalFell).as("scale-in only once the need has stayed at 1 for the scale-in delay")
                .isGreaterThanOrEqualTo(SCALE_IN_DELAY.minus(SCRAPE).minus(POLL).toMillis())
                .isLessThanOrEqualTo(SCALE_IN_DELAY.plus(EVALUATION).plus(SCRAPE).plusSeconds(15).toMillis());
        assertThat(events).as("every scale event names its reason").allSatisfy(event ->
                assertThat(event.getString("Message")).isEqualTo((event.getInteger("Count") < event.getInteger("PreviousCount") ? "scaling down" : "scaling up")
                        + " because metric is " + event.getInteger("Count")));
        assertThat(events.get(events.size() - 1).getInteger("Count")).as("the first scale event").isGreaterThan(1);
        assertThat(autoscaled).as("the cluster's autoscaled events").hasSize(events.size()).allSatisfy(event -> {
            assertThat(event.getString("actor")).isEqualTo("nomad-autoscaler");
            assertThat(event.getString("message")).contains(" by nomad-autoscaler: scaling ").contains("; signal: ");
        });
        List<JsonObject> oldestFirst = new ArrayList<>(events);
        Collections.reverse(oldestFirst);
        List<String> expectedMessages = oldestFirst.stream()
                .map(event -> "Workers %d -> %d by nomad-autoscaler: %s; signal: ".formatted(event.getInteger("PreviousCount"), event.getInteger("Count"), event.getString("Message")))
                .toList();
        for (int i = 0; i < expectedMessages.size(); i++) {
            assertThat(autoscaled.get(i).getString("message")).startsWith(expectedMessages.get(i));
        }
        int largest = events.stream().mapToInt(event -> event.getInteger("Count")).max().orElseThrow();
        assertThat(removed).as("worker allocations stopped by the scale-in").hasSize(largest - 1);
        assertThat(drainLogs).as("every removed worker drained on Nomad's kill signal").allSatisfy(log ->
                assertThat(log).contains("run-with-drain: stop signal received").contains("DRAINING accepted").contains("run-with-drain: DRAINED"));
    }

    private record Change(long at, int needed) {}

    /** Polls GET /v1/clusters/{name}/autoscaling and records every change of the signal at its computedAt. */
    private static final class SignalMonitor
    {
        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final AtomicLong firstCounted = new AtomicLong(-1);
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final CompletableFuture<Void> poller;

        private SignalMonitor(TestingStack stack)
        {
            poller = CompletableFuture.runAsync(() -> {
                String last = "";
                int needed = 1;
                while (!stopping.get()) {
                    try {
                        JsonObject view = autoscaling(stack);
                        if ("ok".equals(view.getString("status")) && !view.getString("computedAt").equals(last)) {
                            last = view.getString("computedAt");
                            long at = Instant.parse(last).toEpochMilli();
                            JsonObject inputs = view.getJsonObject("inputs");
                            if (firstCounted.get() < 0 && inputs.getInteger("runningQueries") + inputs.getInteger("queuedQueries") > 1) {
                                firstCounted.set(at);
                            }
                            if (view.getInteger("needed") != needed) {
                                needed = view.getInteger("needed");
                                changes.add(new Change(at, needed));
                            }
                        }
                        Thread.sleep(200);
                    }
                    catch (IOException e) {
                        QueryLoad.sleep(200);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }

        static SignalMonitor start(TestingStack stack)
        {
            return new SignalMonitor(stack);
        }

        List<Change> changes()
        {
            return List.copyOf(changes);
        }

        /** When a computation first counted more than one running or queued query (-1: never). */
        long firstCounted()
        {
            return firstCounted.get();
        }

        Change firstRise()
        {
            return changes.stream().filter(change -> change.needed() > 1).findFirst().orElseThrow(() -> new AssertionError("the signal never rose: " + changes));
        }

        /** The last change to {@code needed} before {@code before}. */
        long lastFallTo(int needed, long before)
        {
            return changes.stream().filter(change -> change.needed() == needed && change.at() <= before).mapToLong(Change::at).max()
                    .orElseThrow(() -> new AssertionError("the signal never fell to " + needed + ": " + changes));
        }

        void stop()
                throws Exception
        {
            stopping.set(true);
            poller.get(10, TimeUnit.SECONDS);
        }
    }

    /** {@code clients} loops of TPC-H sf1 scans, each client starting its next scan when the last ends. */
    private static final class ScanLoad
    {
        private final List<TrinoStatements.Outcome> outcomes = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<CompletableFuture<Void>> clients = new ArrayList<>();

        private ScanLoad(String coordinator, int count)
        {
            for (int i = 0; i < count; i++) {
                int client = i;
                clients.add(CompletableFuture.runAsync(() -> {
                    for (int round = 0; !stopping.get(); round++) {
                        outcomes.add(TrinoStatements.run(coordinator, "scan-" + client, SCAN.formatted((client * 7 + round) % 50)));
                    }
                }, runnable -> new Thread(runnable, "scan-client-" + client).start()));
            }
        }

        static ScanLoad start(String coordinator, int clients)
        {
            return new ScanLoad(coordinator, clients);
        }

        boolean running()
        {
            return clients.stream().anyMatch(client -> !client.isDone());
        }

        /** Lets every client finish its current scan; answers every scan's outcome. */
        List<TrinoStatements.Outcome> stop()
                throws Exception
        {
            stopping.set(true);
            for (CompletableFuture<Void> client : clients) {
                client.get(5, TimeUnit.MINUTES);
            }
            return List.copyOf(outcomes);
        }
    }

    private static JsonObject autoscaling(TestingStack stack)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + CLUSTER + "/autoscaling", null, TestingStack.VIEWER_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    /** The worker group's scale events in the Nomad simulator, newest first. */
    private static List<JsonObject> scaleEvents(TestingStack stack)
            throws IOException, InterruptedException
    {
        JsonArray events = new JsonObject(stack.callNomad("GET", "/v1/job/" + JOB + "/scale", null).body())
                .getJsonObject("TaskGroups").getJsonObject("workers").getJsonArray("Events");
        return events == null ? List.of() : events.stream().map(JsonObject.class::cast).toList();
    }

    private static List<JsonObject> clusterEvents(TestingStack stack)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonArray("events").stream().map(JsonObject.class::cast).toList();
    }

    private static List<JsonObject> workerAllocations(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/" + JOB + "/allocations", null).body()).stream()
                .map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers"))
                .toList();
    }

    private static long eventMillis(JsonObject event)
    {
        return TimeUnit.NANOSECONDS.toMillis(event.getLong("Time"));
    }

    private static Set<String> activeWorkers(String coordinator)
            throws IOException, InterruptedException
    {
        return column(coordinator, "SELECT node_id FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'");
    }

    private static Set<String> allWorkers(String coordinator)
            throws IOException, InterruptedException
    {
        return column(coordinator, "SELECT node_id FROM system.runtime.nodes WHERE NOT coordinator");
    }

    /** The nodes that ran tasks of the load's scans (Trino keeps finished tasks listed for a while). */
    private static Set<String> nodesWithLoadTasks(String coordinator)
            throws IOException, InterruptedException
    {
        return column(coordinator, "SELECT DISTINCT t.node_id FROM system.runtime.tasks t JOIN system.runtime.queries q ON t.query_id = q.query_id WHERE q.\"user\" LIKE 'scan-%'");
    }

    private static Set<String> minus(Set<String> left, Set<String> right)
    {
        Set<String> result = new HashSet<>(left);
        result.removeAll(right);
        return result;
    }

    /** The first column of every row {@code sql} answers, over Trino's client protocol. */
    private static Set<String> column(String coordinator, String sql)
            throws IOException, InterruptedException
    {
        Set<String> values = new HashSet<>();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/statement")).timeout(Duration.ofSeconds(30))
                .header("X-Trino-User", "autoscaling-it").POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        while (true) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonObject body = new JsonObject(response.body());
            assertThat(body.getJsonObject("error")).as("error of %s", sql).isNull();
            JsonArray data = body.getJsonArray("data");
            if (data != null) {
                data.stream().map(JsonArray.class::cast).forEach(row -> values.add(String.valueOf(row.getValue(0))));
            }
            String next = body.getString("nextUri");
            if (next == null) {
                return values;
            }
            response = HTTP.send(HttpRequest.newBuilder(URI.create(next)).timeout(Duration.ofSeconds(30)).header("X-Trino-User", "autoscaling-it").build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String seconds(long millis)
    {
        return millis < 0 ? "(not seen)" : "%.1f s".formatted(millis / 1e3);
    }
}
