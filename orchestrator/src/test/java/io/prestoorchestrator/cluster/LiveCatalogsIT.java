package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
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
 * Issue 18 item 1 on real Trino 476 run by real Nomad 1.6.1: a catalog attached to and detached from
 * a running cluster (one coordinator, one worker) live, through CREATE/DROP CATALOG run by the
 * orchestrator's Trino user, while a stream of short queries runs: no query fails and no allocation
 * is replaced or restarted. The attached catalog (tpch with {@code tpch.column-naming=STANDARD}, so
 * its properties are seen to apply) answers on the worker, on a worker started after the attach, and
 * on the coordinator after its task restarted (with-catalogs.sh wrote its file from the catalog
 * Variable). Templates: {@link TestingFiles#quickReplacementTemplates()} (5 s grace periods).
 */
class LiveCatalogsIT
{
    private static final String CLUSTER = "gamma";
    private static final String JOB = "trino-gamma";
    /** Runs on the worker (a scan of a table); the coordinator alone runs no split. */
    private static final String ON_SALES = "SELECT count(l_orderkey) FROM sales.tiny.lineitem";
    private static final String STREAM = "SELECT count(*) FROM tpch.tiny.nation";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static TestingStack stack;

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME");
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
        System.out.printf("LiveCatalogsIT: cluster up after %.1f s%n", seconds(started));

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
        System.out.printf("LiveCatalogsIT: attach took %.1f s, %d queries during it, none failed%n", attachSeconds, attachStream.size());

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
        System.out.printf("LiveCatalogsIT: detach took %.1f s, %d queries during it, none failed%n", detachSeconds, detachStream.size());

        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/gamma", null);
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(4)));
        assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").statusCode()).isEqualTo(404);
        System.out.printf("LiveCatalogsIT: whole test %.1f s%n", seconds(started));
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
            System.out.printf("LiveCatalogsIT: %d queries ended while the change ran, the slowest %.1f s%n", after,
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
