package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.prestoorchestrator.testing.PublicUrlLoad;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.SlowScan;
import io.prestoorchestrator.testing.TestingTraefik;
import io.prestoorchestrator.testing.TraefikStack;
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
import java.util.LinkedHashMap;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18 on real Trino 476 run by real Nomad 1.6.1, behind real Traefik: one stack, one cluster, ordered steps. The
 * load is issue 18's ({@link PublicUrlLoad}): long queries on every worker ({@link SlowScan}: they run as long as told
 * at almost no CPU), a short query every 0.5 s, all through Traefik on the
 * cluster's public host (Traefik as the client's proxy, as the Trino CLI reaches it), plus a probe of the public URL
 * every 0.5 s.
 * <ol>
 * <li>Catalog changes under that load, 40 s long queries back to back (one runs at every moment): attach a catalog (live: CREATE
 *     CATALOG by the orchestrator's Trino user, no allocation replaced), change its properties (tpch with
 *     {@code tpch.column-naming=STANDARD}, then also {@code tpch.double-type-mapping=DECIMAL}: a restart, blue-green, while a
 *     query on that catalog runs every 0.5 s), detach it (live: DROP CATALOG, no allocation replaced). Every query
 *     succeeds and the public URL answers at every sample. The properties are seen to apply: STANDARD column names, then
 *     decimal prices, on the new side's coordinator and worker, both started after the attach (their catalogs come from the
 *     catalog Variable, written into files by with-catalogs.sh as on any coordinator start).</li>
 * <li>Blue-green restart under the load with two 100 s long queries started 20 s apart: every query succeeds, the public URL
 *     answers at every sample, new queries move to the new side while a long query started before the switch finishes on the old one after
 *     it. The in-place control is {@link DrainPathsIT}'s restart.</li>
 * <li>Graceful delete: a long query running when the cluster is deleted finishes; the public host takes no new query.</li>
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
    /** Rows only with {@code tpch.double-type-mapping=DECIMAL} (Trino's default maps prices to double). */
    private static final String DECIMAL_PRICES = "SELECT l_orderkey FROM sales.tiny.lineitem WHERE typeof(l_extendedprice) = 'decimal(12,2)' LIMIT 1";
    private static final String SALES_STANDARD = "{\"name\":\"sales\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.column-naming\":\"STANDARD\"}}";
    private static final String SALES_DECIMAL = "{\"name\":\"sales\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.column-naming\":\"STANDARD\",\"tpch.double-type-mapping\":\"DECIMAL\"}}";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static final String DOMAIN = "zd.localhost";
    private static final String USER = "zero-downtime-it";

    private static TraefikStack stacked;
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
        stacked = TraefikStack.start(DOMAIN, TestingFiles.quickReplacementTemplates(), Path.of("target", "zero-downtime-it"));
        stack = stacked.stack();
        traefik = stacked.traefik();
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (stacked != null) {
            stacked.close();
        }
    }

    @Test
    @Order(1)
    void testCatalogChangesUnderLoadLoseNoQuery()
            throws Exception
    {
        long started = System.nanoTime();
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", SALES_STANDARD).statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", SlowScan.CATALOG_JSON).statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"gamma\",\"catalogs\":[\"tpch\",\"" + SlowScan.CATALOG + "\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(4)));
        awaitActiveWorkers(1);
        HttpClient viaTraefik = traefik.client();
        String publicUrl = publicUrl();
        // warm: the first queries of a fresh Trino take seconds each
        PublicUrlLoad.awaitAnswering(viaTraefik, publicUrl, 5, sql -> TrinoStatements.run(viaTraefik, publicUrl, USER, sql), TrinoStatements.Outcome::succeeded, QueryLoad.SHORT);
        Map<String, String> initial = runningAllocations();
        assertThat(initial).hasSize(2);
        System.out.printf("ZeroDowntimeIT: cluster up after %.1f s%n", seconds(started));

        PublicUrlLoad<TrinoStatements.Outcome> load = PublicUrlLoad.trino(viaTraefik, publicUrl, USER).backToBack(QueryLoad.LONG);
        QueryLoad.sleep(3_000);
        PublicUrlLoad.Result<TrinoStatements.Outcome> result;
        long[] attach = new long[2];
        long[] change = new long[2];
        long[] detach = new long[2];
        PublicUrlLoad.Result<TrinoStatements.Outcome> onSales;
        List<JsonObject> changeEvents;
        try {
            // attach, live
            attach[0] = System.nanoTime();
            patchCatalogs("[\"tpch\",\"" + SlowScan.CATALOG + "\",\"sales\"]");
            attach[1] = System.nanoTime();
            assertThat(runningAllocations()).as("no allocation replaced or restarted by the attach").isEqualTo(initial);
            assertThat(eventMessage("catalogs-changed")).contains("CREATE CATALOG IF NOT EXISTS \"sales\" USING tpch WITH (\"tpch.column-naming\" = 'STANDARD')");
            // the worker loaded it from the coordinator, with its properties (l_orderkey is STANDARD naming; prices are double)
            assertThat(rows(viaTraefik, ON_SALES)).isEqualTo(1);
            assertThat(rows(viaTraefik, DECIMAL_PRICES)).isZero();
            JsonObject variable = json(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").body());
            assertThat(variable.getJsonObject("Items").getString("sales.properties")).isEqualTo("connector.name=tpch\ntpch.column-naming=STANDARD\n");

            // change its properties: a restart, blue-green, while a query on it runs every 0.5 s
            PublicUrlLoad<TrinoStatements.Outcome> salesStream = PublicUrlLoad.start(viaTraefik, publicUrl, ON_SALES,
                    sql -> TrinoStatements.run(viaTraefik, publicUrl, USER, sql), TrinoStatements.Outcome::succeeded);
            Instant changeRequested = Instant.now();
            change[0] = System.nanoTime();
            try {
                HttpResponse<String> changed = stack.call("PUT", "/v1/catalogs/sales", SALES_DECIMAL);
                assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
                JsonArray restarts = json(changed.body()).getJsonArray("restarts");
                assertThat(restarts).as("the clusters the change restarts").hasSize(1);
                assertSucceeded(stack.awaitOperation(restarts.getJsonObject(0).getString("id"), Duration.ofMinutes(15)));
                change[1] = System.nanoTime();
            }
            finally {
                onSales = salesStream.stop(Duration.ZERO);
            }
            changeEvents = events(changeRequested);
            assertThat(rows(viaTraefik, DECIMAL_PRICES)).as("the changed property applies on the new side").isEqualTo(1);
            assertThat(rows(viaTraefik, ON_SALES)).isEqualTo(1);
            Map<String, String> changedAllocations = runningAllocations();
            assertThat(changedAllocations).as("the new side: one coordinator and one worker, both new").hasSize(2).doesNotContainKeys(initial.keySet().toArray(String[]::new));

            // detach, live
            detach[0] = System.nanoTime();
            patchCatalogs("[\"tpch\",\"" + SlowScan.CATALOG + "\"]");
            detach[1] = System.nanoTime();
            assertThat(runningAllocations()).as("no allocation replaced or restarted by the detach").isEqualTo(changedAllocations);
        }
        finally {
            result = load.stop(Duration.ofSeconds(3));
        }
        assertThat(eventMessage("catalogs-changed")).contains("DROP CATALOG IF EXISTS \"sales\"");
        TrinoStatements.Outcome gone = TrinoStatements.run(viaTraefik, publicUrl, USER, ON_SALES);
        assertThat(gone.error()).get().asString().contains("Catalog 'sales' not found");
        assertThat(json(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").body()).getJsonObject("Items").fieldNames())
                .containsExactlyInAnyOrder("tpch.properties", SlowScan.CATALOG + ".properties", "README");

        changeEvents.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        Map<String, long[]> windows = new LinkedHashMap<>();
        windows.put("attach", attach);
        windows.put("property change (blue-green)", change);
        windows.put("detach", detach);
        windows.forEach((operation, window) -> System.out.printf("ZeroDowntimeIT %s: %.1f s; %s%n", operation, (window[1] - window[0]) / 1e9,
                result.during(window[0], window[1]).figures("long")));
        System.out.printf("ZeroDowntimeIT property change, queries on the changed catalog: %d, %d failed%n", onSales.shortQueries().size(), onSales.failed().size());
        System.out.printf("ZeroDowntimeIT catalog changes in all: %s%n", result.figures("long"));
        result.failed().forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        onSales.failed().forEach(outcome -> System.out.printf("  failed on sales: %s%n", outcome.error().orElseThrow()));

        result.assertNothingLost("catalog changes");
        assertThat(onSales.shortQueries()).as("queries on the changed catalog during its change").hasSizeGreaterThanOrEqualTo(10);
        onSales.assertNothingLost("property change, on the changed catalog");
        assertThat(TraefikStack.types(changeEvents)).as("a property change goes blue-green")
                .containsSubsequence(TraefikStack.BLUE_GREEN_EVENTS);
        windows.forEach((operation, window) -> assertThat(result.longQueries()).as("a long query ran during the " + operation)
                .anySatisfy(query -> assertThat(query.overlaps(window[0], window[1])).isTrue()));
        System.out.printf("ZeroDowntimeIT: catalog step %.1f s%n", seconds(started));
    }

    @Test
    @Order(2)
    void testBlueGreenRestartLosesNoQueryAndThePublicUrlAlwaysAnswers()
            throws Exception
    {
        assertThat(earlierStepFailed).as("the catalog step failed: this step restarts its cluster").isFalse();
        HttpClient viaTraefik = traefik.client();
        String publicUrl = publicUrl();
        PublicUrlLoad.awaitAnswering(viaTraefik, publicUrl, 3, sql -> TrinoStatements.run(viaTraefik, publicUrl, USER, sql), TrinoStatements.Outcome::succeeded, QueryLoad.SHORT);
        List<Map.Entry<String, String>> before = new ArrayList<>(runningAllocations().entrySet());

        // two 100 s long queries, 20 s apart from 5 s before the restart: the new side takes about a minute to pass its
        // gate, so both run on side blue across the switch
        PublicUrlLoad.Around<TrinoStatements.Outcome, JsonObject> restart = PublicUrlLoad.trino(viaTraefik, publicUrl, USER)
                .spaced(SlowScan.query(Duration.ofSeconds(100)), 2, Duration.ofSeconds(20))
                .around(Duration.ofSeconds(5), () -> stack.callAccepted("POST", "/v1/clusters/" + CLUSTER + "/restart", null, Duration.ofMinutes(15)));
        PublicUrlLoad.Result<TrinoStatements.Outcome> result = restart.load();
        List<JsonObject> events = events(restart.startedAt());
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        System.out.printf("ZeroDowntimeIT blue-green restart: %.1f s; %s%n", restart.seconds(), result.figures("long"));
        result.failed().forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        assertSucceeded(restart.value());

        result.assertNothingLost("blue-green restart");
        assertThat(result.sides()).as("the side answering the public URL, in order: the catalog change moved it to green").containsExactly("green", "blue");
        assertThat(TraefikStack.types(events)).startsWith("restart-requested").containsSubsequence(TraefikStack.BLUE_GREEN_EVENTS);
        long switchedNanos = restart.nanosAt(TraefikStack.firstAt(events, "traffic-switched"));
        assertThat(result.longQueries()).as("a long query started on the old side before the switch and finished after it, through its pinned host")
                .anySatisfy(query -> assertThat(query.startedNanos() < switchedNanos - 2_000_000_000L && query.endedNanos() > switchedNanos).isTrue());
        assertThat(result.shortQueries().stream().filter(query -> query.startedNanos() > switchedNanos)).as("short queries after the switch").hasSizeGreaterThanOrEqualTo(5);
        Map<String, String> after = runningAllocations();
        assertThat(after).as("allocations after the restart: one coordinator and one worker, all new").hasSize(2);
        before.forEach(allocation -> assertThat(after).doesNotContainKey(allocation.getKey()));
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/trino-gamma-green-public/rule").statusCode()).as("side green's public router removed").isEqualTo(404);
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/trino-gamma-blue-public/rule").statusCode()).as("side blue's public router").isEqualTo(200);
    }

    @Test
    @Order(3)
    void testDeleteLetsARunningQueryFinishAndTakesNoNewOne()
            throws Exception
    {
        assertThat(earlierStepFailed).as("an earlier step failed: this step deletes its cluster").isFalse();
        HttpClient viaTraefik = traefik.client();
        String publicUrl = publicUrl();
        CompletableFuture<TrinoStatements.Outcome> q1 = CompletableFuture.supplyAsync(() -> SlowScan.run(viaTraefik, publicUrl, USER, SlowScan.query(Duration.ofSeconds(60))));
        QueryLoad.sleep(5_000);
        assertThat(q1).as("the long query still running when the delete starts").isNotDone();
        Instant requested = Instant.now();
        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/" + CLUSTER, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        await("the public host takes no new query").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> PublicUrlLoad.probe(viaTraefik, publicUrl).status() == 404);
        assertThat(q1).as("the long query still running after the public host stopped taking queries").isNotDone();
        TrinoStatements.Outcome finished = q1.get();
        System.out.printf("ZeroDowntimeIT graceful delete: long query %s after %.1f s%n", finished.error().orElse("succeeded"), QueryLoad.seconds(finished));
        assertThat(finished.error()).as("the long query running when the delete started").isEmpty();
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(6)));
        assertThat(get(stack.nomadAddress() + "/v1/var/nomad/jobs/" + JOB + "/coordinator").statusCode()).isEqualTo(404);
        assertThat(get(stack.consul().baseUri() + "/v1/kv/traefik/http/routers/?recurse=true").statusCode()).as("no public router left").isEqualTo(404);
        System.out.printf("ZeroDowntimeIT graceful delete took %.1f s%n", Duration.between(requested, Instant.now()).toMillis() / 1000.0);
    }

    /** PATCHes the cluster's catalogs; the operation must succeed. */
    private static void patchCatalogs(String catalogs)
            throws Exception
    {
        assertSucceeded(stack.callAccepted("PATCH", "/v1/clusters/" + CLUSTER, "{\"catalogs\":" + catalogs + "}", Duration.ofMinutes(4)));
    }

    private static List<JsonObject> events(Instant since)
            throws Exception
    {
        return stacked.events(CLUSTER, since);
    }

    private static Map<String, String> runningAllocations()
            throws Exception
    {
        return stacked.runningAllocations(JOB);
    }

    private static String publicUrl()
    {
        return stacked.publicUrl(CLUSTER);
    }

    /** The rows of a query through Traefik on the public URL, which must succeed. */
    private static long rows(HttpClient viaTraefik, String sql)
    {
        TrinoStatements.Outcome outcome = TrinoStatements.run(viaTraefik, publicUrl(), USER, sql);
        assertThat(outcome.error()).as(sql).isEmpty();
        return outcome.rows();
    }

    private static void awaitActiveWorkers(int expected)
    {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonObject status = json(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status");
            assertThat(status.getValue("activeWorkers")).as(status.encode()).isEqualTo(expected);
        });
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
