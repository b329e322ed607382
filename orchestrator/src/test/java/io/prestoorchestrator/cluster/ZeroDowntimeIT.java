package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingTraefik;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18 on real Trino 476 run by real Nomad 1.6.1, behind real Traefik: one stack, one cluster, ordered steps.
 * <ol>
 * <li>Live catalogs: a catalog attached to and detached from
 * a running cluster (one coordinator, one worker) live, through CREATE/DROP CATALOG run by the
 * orchestrator's Trino user, while a stream of short queries runs: no query fails and no allocation
 * is replaced or restarted. The attached catalog (tpch with {@code tpch.column-naming=STANDARD}, so
 * its properties are seen to apply) answers on the worker, on a worker started after the attach, and
 * on the coordinator after its task restarted (with-catalogs.sh wrote its file from the catalog
 * Variable).</li>
 * <li>Blue-green restart: TPC-H Q1 on sf10, two started 20 s apart, and a short query every 0.5 s, all through Traefik on
 *     the cluster's public host (Traefik as the client's proxy, as the Trino CLI reaches it), plus a probe of the
 *     public URL every 0.5 s, while the cluster restarts blue-green: every query succeeds, the public URL answers at
 *     every sample, new queries move to the new side (the {@code X-Presto-Orchestrator-Side} header) while a Q1 started
 *     before the switch finishes on the old one after it. The in-place control is {@link DrainPathsIT}'s restart.</li>
 * <li>Graceful delete: a Q1 running when the cluster is deleted finishes; the public host takes no new query.</li>
 * </ol>
 * Templates: {@link TestingFiles#quickReplacementTemplates()} (5 s grace periods).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZeroDowntimeIT
{
    private static final String CLUSTER = "gamma";
    private static final String JOB = "trino-gamma";
    /** Runs on the worker (a scan of a table); the coordinator alone runs no split. */
    private static final String ON_SALES = "SELECT count(l_orderkey) FROM sales.tiny.lineitem";
    private static final String STREAM = "SELECT count(*) FROM tpch.tiny.nation";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static final String DOMAIN = "zd.localhost";
    private static final String USER = "zero-downtime-it";

    private static TestingStack stack;
    private static TestingTraefik traefik;
    private static volatile boolean earlierStepFailed;

    @RegisterExtension
    static final TestWatcher STEPS = new TestWatcher()
    {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause)
        {
            earlierStepFailed = true;
        }
    };

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "TRAEFIK_BIN");
        int webPort = TestingTraefik.freePort();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("PRESTO_ORCH_PUBLIC_PORT", Integer.toString(webPort));
        environment.put("PRESTO_ORCH_ROUTE_DOMAIN", DOMAIN);
        stack = TestingStack.onRealNomad(environment, TestingFiles.quickReplacementTemplates(), UnaryOperator.identity());
        traefik = TestingTraefik.start(stack.consul().baseUri(), webPort, Path.of("target", "zero-downtime-it"));
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        try {
            if (traefik != null) {
                traefik.close();
            }
        }
        finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @Test
    @Order(1)
    void testAttachAndDetachLiveWithoutALostQueryOrAReplacedAllocation()
            throws Exception
    {
        long started = System.nanoTime();
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"sales\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.column-naming\":\"STANDARD\"}}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"gamma\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(4)));
        awaitActiveWorkers(1);
        String coordinator = coordinatorUrl();
        // warm: the first queries of a fresh Trino take seconds each, and the stream should sample the change densely
        for (int i = 0; i < 5; i++) {
            assertThat(rows(coordinator, STREAM)).isEqualTo(1);
        }
        Map<String, String> before = runningAllocations();
        assertThat(before).hasSize(2);
        System.out.printf("ZeroDowntimeIT: cluster up after %.1f s%n", seconds(started));

        // attach, live, under a stream of short queries
        long attachStarted = System.nanoTime();
        List<TrinoStatements.Outcome> attachStream = duringStream(coordinator, () -> {
            HttpResponse<String> attach = stack.call("PATCH", "/v1/clusters/gamma", "{\"catalogs\":[\"tpch\",\"sales\"]}");
            assertThat(attach.statusCode()).as(attach.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(attach, Duration.ofMinutes(4)));
        });
        double attachSeconds = seconds(attachStarted);
        assertThat(attachStream).as("queries during the attach").isNotEmpty().allSatisfy(outcome -> assertThat(outcome.error()).as(outcome.sql()).isEmpty());
        assertThat(runningAllocations()).as("no allocation replaced or restarted by the attach").isEqualTo(before);
        assertThat(events()).contains("catalogs-changed");
        assertThat(eventMessage("catalogs-changed")).contains("CREATE CATALOG IF NOT EXISTS \"sales\" USING tpch WITH (\"tpch.column-naming\" = 'STANDARD')");
        // the worker loaded it from the coordinator, with its properties (l_orderkey is STANDARD naming)
        assertThat(rows(coordinator, ON_SALES)).isEqualTo(1);
        JsonObject variable = json(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").body());
        assertThat(variable.getJsonObject("Items").getString("sales.properties")).isEqualTo("connector.name=tpch\ntpch.column-naming=STANDARD\n");
        System.out.printf("ZeroDowntimeIT: attach took %.1f s, %d queries during it, none failed%n", attachSeconds, attachStream.size());

        // a worker started after the attach (the old one stopped, Nomad places a new allocation)
        String oldWorker = before.keySet().stream().filter(id -> before.get(id).startsWith("workers,")).findFirst().orElseThrow();
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(stack.nomadAddress() + "/v1/allocation/" + oldWorker + "/stop")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        await("a new worker").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Map<String, String> now = runningAllocations();
            return now.size() == 2 && !now.containsKey(oldWorker) && now.values().stream().anyMatch(value -> value.startsWith("workers,"));
        });
        awaitActiveWorkers(1);
        assertThat(rows(coordinator, ON_SALES)).as("on a worker started after the attach").isEqualTo(1);

        // the coordinator's task restarted in place: with-catalogs.sh writes its catalog files from the Variable
        String coordinatorAlloc = before.keySet().stream().filter(id -> before.get(id).startsWith("coordinator,")).findFirst().orElseThrow();
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(stack.nomadAddress() + "/v1/client/allocation/" + coordinatorAlloc + "/restart"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"TaskName\":\"trino\"}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        await("the restarted coordinator serves sales").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .until(() -> rows(coordinator, ON_SALES) == 1);

        // detach, live, under the stream
        Map<String, String> beforeDetach = runningAllocations();
        long detachStarted = System.nanoTime();
        List<TrinoStatements.Outcome> detachStream = duringStream(coordinator, () -> {
            HttpResponse<String> detach = stack.call("PATCH", "/v1/clusters/gamma", "{\"catalogs\":[\"tpch\"]}");
            assertThat(detach.statusCode()).as(detach.body()).isEqualTo(202);
            assertSucceeded(stack.awaitOperation(detach, Duration.ofMinutes(4)));
        });
        double detachSeconds = seconds(detachStarted);
        assertThat(detachStream).as("queries during the detach").isNotEmpty().allSatisfy(outcome -> assertThat(outcome.error()).as(outcome.sql()).isEmpty());
        assertThat(runningAllocations()).as("no allocation replaced or restarted by the detach").isEqualTo(beforeDetach);
        assertThat(eventMessage("catalogs-changed")).contains("DROP CATALOG IF EXISTS \"sales\"");
        TrinoStatements.Outcome gone = TrinoStatements.run(coordinator, "live-catalogs-it", ON_SALES);
        assertThat(gone.error()).get().asString().contains("Catalog 'sales' not found");
        assertThat(json(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").body()).getJsonObject("Items").fieldNames())
                .containsExactlyInAnyOrder("tpch.properties", "README");
        System.out.printf("ZeroDowntimeIT: detach took %.1f s, %d queries during it, none failed%n", detachSeconds, detachStream.size());

        System.out.printf("ZeroDowntimeIT: live catalogs step %.1f s%n", seconds(started));
    }

    @Test
    @Order(2)
    void testBlueGreenRestartLosesNoQueryAndThePublicUrlAlwaysAnswers()
            throws Exception
    {
        assertThat(earlierStepFailed).as("the live catalogs step failed: this step restarts its cluster").isFalse();
        HttpClient viaTraefik = traefik.client();
        String publicUrl = "http://" + CLUSTER + "." + DOMAIN + ":" + traefik.webPort();
        await("the public URL answers").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> probe(viaTraefik, publicUrl).status() == 200);
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(viaTraefik, publicUrl, USER, QueryLoad.SHORT).error()).as("warm-up through Traefik").isEmpty();
        }
        List<Map.Entry<String, String>> before = new ArrayList<>(runningAllocations().entrySet());

        AtomicBoolean stop = new AtomicBoolean();
        List<TrinoStatements.Outcome> shortQueries = new CopyOnWriteArrayList<>();
        List<TrinoStatements.Outcome> longQueries = new CopyOnWriteArrayList<>();
        List<Sample> samples = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> shortStream = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                shortQueries.add(TrinoStatements.run(viaTraefik, publicUrl, USER, QueryLoad.SHORT));
                QueryLoad.sleep(500);
            }
        });
        CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                samples.add(probe(viaTraefik, publicUrl));
                QueryLoad.sleep(500);
            }
        });
        List<CompletableFuture<Void>> longRuns = new ArrayList<>();
        // two Q1s, 20 s apart from 5 s before the restart: the new side takes about a minute to pass its gate, so
        // both run on side blue across the switch (more would only slow each other on the one worker)
        CompletableFuture<Void> longStream = CompletableFuture.runAsync(() -> {
            for (int started = 0; started < 2 && !stop.get(); started++) {
                longRuns.add(CompletableFuture.runAsync(() -> longQueries.add(TrinoStatements.run(viaTraefik, publicUrl, USER, QueryLoad.Q1))));
                for (int i = 0; i < 40 && !stop.get(); i++) {
                    QueryLoad.sleep(500);
                }
            }
        });
        QueryLoad.sleep(5_000);
        long restartNanos = System.nanoTime();
        Instant requested = Instant.now();
        HttpResponse<String> accepted = stack.call("POST", "/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonObject operation;
        try {
            operation = stack.awaitOperation(accepted, Duration.ofMinutes(15));
        }
        finally {
            QueryLoad.sleep(3_000);
            stop.set(true);
            shortStream.get();
            sampler.get();
            longStream.get();
            CompletableFuture.allOf(longRuns.toArray(CompletableFuture[]::new)).get();
        }
        double restartSeconds = seconds(restartNanos);
        List<JsonObject> events = events(requested);
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        long unanswered = samples.stream().filter(sample -> sample.status() != 200).count();
        List<String> sides = samples.stream().map(Sample::side).distinct().toList();
        List<TrinoStatements.Outcome> failed = new ArrayList<>();
        shortQueries.stream().filter(outcome -> !outcome.succeeded()).forEach(failed::add);
        longQueries.stream().filter(outcome -> !outcome.succeeded()).forEach(failed::add);
        System.out.printf("ZeroDowntimeIT blue-green restart: %.1f s; %d short and %d Q1 sf10 queries through Traefik, %d failed; %d public URL samples, %d not answered;"
                        + " sides seen in order %s%n", restartSeconds, shortQueries.size(), longQueries.size(), failed.size(), samples.size(), unanswered, sides);
        failed.forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        assertSucceeded(operation);

        assertThat(failed).as("queries that failed during the blue-green restart").isEmpty();
        assertThat(unanswered).as("public URL samples that got no 200 (of " + samples.size() + ")").isZero();
        assertThat(sides).as("the side answering the public URL, in order").containsExactly("blue", "green");
        assertThat(types(events)).containsSubsequence("restart-requested", "blue-green-started", "traffic-switched", "old-side-idle", "old-side-stopped", "deploy-succeeded");
        Instant switched = events.stream().filter(event -> event.getString("type").equals("traffic-switched")).map(event -> Instant.parse(event.getString("at"))).findFirst().orElseThrow();
        long switchedNanos = restartNanos + Duration.between(requested, switched).toNanos();
        assertThat(longQueries).as("a Q1 started on side blue before the switch and finished after it, through its pinned host")
                .anySatisfy(outcome -> assertThat(outcome.startedNanos() < switchedNanos - 2_000_000_000L && outcome.endedNanos() > switchedNanos).isTrue());
        assertThat(shortQueries.stream().filter(outcome -> outcome.startedNanos() > switchedNanos)).as("short queries after the switch").hasSizeGreaterThanOrEqualTo(5);
        Map<String, String> after = runningAllocations();
        assertThat(after).as("allocations after the restart: one coordinator and one worker, all new").hasSize(2);
        before.forEach(allocation -> assertThat(after).doesNotContainKey(allocation.getKey()));
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/trino-gamma-blue-public/rule").statusCode()).as("side blue's public router removed").isEqualTo(404);
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/trino-gamma-green-public/rule").statusCode()).as("side green's public router").isEqualTo(200);
    }

    @Test
    @Order(3)
    void testDeleteLetsARunningQueryFinishAndTakesNoNewOne()
            throws Exception
    {
        assertThat(earlierStepFailed).as("an earlier step failed: this step deletes its cluster").isFalse();
        HttpClient viaTraefik = traefik.client();
        String publicUrl = "http://" + CLUSTER + "." + DOMAIN + ":" + traefik.webPort();
        CompletableFuture<TrinoStatements.Outcome> q1 = CompletableFuture.supplyAsync(() -> TrinoStatements.run(viaTraefik, publicUrl, USER, QueryLoad.Q1));
        QueryLoad.sleep(5_000);
        assertThat(q1).as("Q1 still running when the delete starts").isNotDone();
        Instant requested = Instant.now();
        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/" + CLUSTER, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        await("the public host takes no new query").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> probe(viaTraefik, publicUrl).status() == 404);
        assertThat(q1).as("Q1 still running after the public host stopped taking queries").isNotDone();
        TrinoStatements.Outcome finished = q1.get();
        System.out.printf("ZeroDowntimeIT graceful delete: Q1 %s after %.1f s%n", finished.error().orElse("succeeded"), QueryLoad.seconds(finished));
        assertThat(finished.error()).as("the Q1 running when the delete started").isEmpty();
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(6)));
        assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").statusCode()).isEqualTo(404);
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/?recurse=true").statusCode()).as("no public router left").isEqualTo(404);
        System.out.printf("ZeroDowntimeIT graceful delete took %.1f s%n", Duration.between(requested, Instant.now()).toMillis() / 1000.0);
    }

    /** One look at the public URL: the status, and which side answered ({@code X-Presto-Orchestrator-Side}). */
    private record Sample(int status, String side) {}

    private static Sample probe(HttpClient client, String publicUrl)
    {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(publicUrl + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Sample(response.statusCode(), response.headers().firstValue("X-Presto-Orchestrator-Side").orElse("none"));
        }
        catch (Exception e) {
            return new Sample(-1, "error: " + e);
        }
    }

    private static List<JsonObject> events(Instant since)
            throws Exception
    {
        return json(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).filter(event -> !Instant.parse(event.getString("at")).isBefore(since.minusSeconds(1))).toList();
    }

    private static List<String> types(List<JsonObject> events)
    {
        return events.stream().map(event -> event.getString("type")).toList();
    }

    /**
     * Short queries one after another (a 250 ms pause between) while {@code change} runs, and three
     * after it; at least three must have ended while it ran, or the stream sampled nothing.
     */
    private static List<TrinoStatements.Outcome> duringStream(String coordinator, ThrowingRunnable change)
            throws Exception
    {
        List<TrinoStatements.Outcome> outcomes = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                outcomes.add(TrinoStatements.run(coordinator, "stream", STREAM));
                try {
                    Thread.sleep(250);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        try {
            change.run();
            int after = outcomes.size();
            System.out.printf("ZeroDowntimeIT: %d queries ended while the change ran, the slowest %.1f s%n", after,
                    outcomes.stream().mapToDouble(outcome -> (outcome.endedNanos() - outcome.startedNanos()) / 1e9).max().orElse(0));
            assertThat(after).as("queries that ended while the change ran").isGreaterThanOrEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.size() >= after + 3);
        }
        finally {
            stop.set(true);
            stream.get();
        }
        return new ArrayList<>(outcomes);
    }

    private interface ThrowingRunnable
    {
        void run()
                throws Exception;
    }

    /** The rows of a query that must succeed. */
    private static long rows(String coordinator, String sql)
    {
        TrinoStatements.Outcome outcome = TrinoStatements.run(coordinator, "live-catalogs-it", sql);
        assertThat(outcome.error()).as(sql).isEmpty();
        return outcome.rows();
    }

    /** Running allocations: ID to "group, task started at, restarts": a replacement or a restart of the task changes it. */
    private static Map<String, String> runningAllocations()
            throws Exception
    {
        Map<String, String> running = new TreeMap<>();
        for (Object item : new JsonArray(get(stack.nomadAddress() + "/v1/job/" + JOB + "/allocations").body())) {
            JsonObject stub = (JsonObject) item;
            if (stub.getString("ClientStatus").equals("running")) {
                JsonObject task = stub.getJsonObject("TaskStates").getJsonObject("trino");
                running.put(stub.getString("ID"), stub.getString("TaskGroup") + ", started " + task.getString("StartedAt") + ", restarts " + task.getInteger("Restarts"));
            }
        }
        return running;
    }

    private static void awaitActiveWorkers(int expected)
    {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonObject status = json(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status");
            assertThat(status.getValue("activeWorkers")).as(status.encode()).isEqualTo(expected);
        });
    }

    private static String coordinatorUrl()
            throws Exception
    {
        return json(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status").getString("coordinatorUrl");
    }

    private static List<String> events()
            throws Exception
    {
        return json(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).map(event -> event.getString("type")).toList();
    }

    /** The message of the latest event of the type. */
    private static String eventMessage(String type)
            throws Exception
    {
        return json(stack.call("GET", "/v1/clusters/" + CLUSTER + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).filter(event -> event.getString("type").equals(type)).reduce((first, second) -> second)
                .map(event -> event.getString("message")).orElse("");
    }

    private static JsonObject json(String body)
    {
        return new JsonObject(body);
    }

    private static HttpResponse<String> get(String url)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double seconds(long startedNanos)
    {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
