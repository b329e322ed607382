package io.prestoorchestrator.cluster;

import io.prestoorchestrator.flavour.FlavourChecks;
import io.prestoorchestrator.testing.PublicUrlLoad;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TestingTraefik;
import io.prestoorchestrator.testing.TraefikStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The prestodb flavour on real PrestoDB 0.287 (Java 11, scripts/setup.sh --prestodb) run by real Nomad 1.6.1,
 * behind real Traefik on the Consul simulator: one stack, one cluster, in order: create (2 workers) and a query
 * through Traefik; a resize 2 -> 1 under TPC-H Q1 (sf3) and a stream of short queries, none of which may fail
 * (the worker goes by PrestoDB's SHUTTING_DOWN, which waits for its running tasks); a blue-green restart under
 * TPC-H Q1 (sf3), a short query every 0.5 s and a probe of the public URL every 0.5 s, all through Traefik on the
 * public host, none of which may fail or go unanswered (a Q1 started on side blue finishes there after the switch:
 * PrestoDB builds {@code nextUri} from the {@code Host} header, which the side's Traefik middleware sets to its pinned
 * host); delete, leaving no job, no Consul service and no task process. PrestoDB speaks Trino's client protocol
 * with {@code X-Presto-*} headers, so the queries here go over it directly, not through the Trino CLI. The flavour
 * contracts' checks ({@link FlavourChecks}: lifecycle, drain, signal) run here on the real processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrestoDbClusterIT
{
    private static final String DOMAIN = "trino.localhost";
    private static final String CLUSTER = "presto";
    private static final String USER = "prestodb-it";
    /**
     * TPC-H Q1 on sf3, not sf10 as on Trino: in the first run (sf10, 512MB heaps) the remaining worker lost its tasks
     * (REMOTE_TASK_MISMATCH) and Q1 ran 460 s; on sf3 with 768MB heaps it ran 16 s, still running when the resize began.
     */
    private static final String Q1 = QueryLoad.Q1.replace("tpch.sf10.", "tpch.sf3.");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static TraefikStack stacked;
    private static TestingStack stack;
    private static TestingTraefik traefik;
    private static String lastStepPassed = "";

    @BeforeAll
    static void start()
            throws Exception
    {
        for (String variable : List.of("PRESTODB_HOME", "PRESTODB_JAVA_HOME", "TRAEFIK_BIN")) {
            if (System.getenv(variable) == null || System.getenv(variable).isEmpty()) {
                throw new IllegalStateException(variable + " is not set: PrestoDB is not installed. Run scripts/setup.sh --prestodb (a 2 GB download once), "
                        + "then source ~/.cache/presto-orchestrator/env.sh (scripts/test.sh does both)");
            }
        }
        stacked = TraefikStack.start(DOMAIN, TestingFiles.itTemplates(), Path.of("target", "prestodb-cluster-it"));
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

    private static void requirePassed(String step)
    {
        assertThat(lastStepPassed).as("the step before this one on the shared cluster (%s) did not pass; see its failure", step).isEqualTo(step);
    }

    @Test
    @Order(1)
    void testCreateServesQueriesThroughTraefik()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters",
                "{\"name\":\"" + CLUSTER + "\",\"flavour\":\"prestodb\",\"version\":\"0.287\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":2,\"min\":1,\"max\":2},\"jvm\":{\"heap\":\"768MB\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(6)));

        JsonObject status = cluster().getJsonObject("status");
        assertThat(status.getInteger("activeWorkers")).as(status.encode()).isEqualTo(2);
        await("the cluster routed by Traefik").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> traefikStatus() == 200);
        JsonObject routing = cluster().getJsonObject("status").getJsonObject("routing");
        assertThat(routing.getBoolean("routable")).as(routing.encode()).isTrue();
        assertThat(routing.getString("reason")).startsWith("ready: the coordinator counts 2 active worker(s), 1 required");
        // the lifecycle contract's check on the real coordinator (LifecycleContract runs it on a fake)
        FlavourChecks.assertCountsActiveWorkers(Flavour.PRESTODB, status.getString("coordinatorUrl"), 2);

        // a query through Traefik on the public host: nextUri names the side's pinned host (still behind Traefik), set by
        // the side's middleware as the Host header, which is what PrestoDB 0.287 builds nextUri from
        HttpClient viaTraefik = traefik.client();
        Outcome count = run(viaTraefik, publicUrl(), "SELECT count(*) FROM tpch.sf1.lineitem");
        assertThat(count.error()).as("query through Traefik").isEmpty();
        assertThat(count.firstValue()).isEqualTo("6001215");
        assertThat(count.nextUris()).isNotEmpty().allSatisfy(uri -> assertThat(uri).startsWith(pinnedUrl("blue") + "/v1/statement/"));

        // the signal contract's checks on the real coordinator (SignalContract runs them on a fake): the signal from PrestoDB's
        // /v1/cluster on the public /metrics, the query just run counted for its user from /v1/query
        await("the signal on /metrics").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> FlavourChecks.assertSignalExported(stack.call("GET", "/metrics", null, null).body(), CLUSTER, 2));
        String counters = await("the query counted for its user").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.call("GET", "/v1/metrics/queries", null).body(), body -> FlavourChecks.queriesCounted(body, CLUSTER, "finished", USER, "", "") >= 1);
        String signal = stack.call("GET", "/metrics", null, null).body();
        System.out.printf("PrestoDbClusterIT /metrics:%n%s%n", signal.lines().filter(line -> line.contains("cluster=\"" + CLUSTER + "\"")).collect(Collectors.joining("\n")));
        System.out.printf("PrestoDbClusterIT /v1/metrics/queries:%n%s%n", counters.lines().filter(line -> line.startsWith("presto_orchestrator_queries_total{cluster=\"" + CLUSTER + "\""))
                .collect(Collectors.joining("\n")));
        lastStepPassed = "create";
    }

    @Test
    @Order(2)
    void testResizeDownUnderLoadFailsNoQuery()
            throws Exception
    {
        requirePassed("create");
        String coordinator = cluster().getJsonObject("status").getString("coordinatorUrl");
        for (int i = 0; i < 3; i++) {
            assertThat(run(HTTP, coordinator, QueryLoad.SHORT).error()).as("warm-up query before the resize").isEmpty();
        }
        List<Outcome> shortQueries = new CopyOnWriteArrayList<>();
        AtomicBoolean stopping = new AtomicBoolean();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            while (!stopping.get()) {
                shortQueries.add(run(HTTP, coordinator, QueryLoad.SHORT));
                QueryLoad.sleep(500);
            }
        });
        CompletableFuture<Outcome> q1 = CompletableFuture.supplyAsync(() -> run(HTTP, coordinator, Q1));
        QueryLoad.sleep(8_000);
        assertThat(q1).as("Q1 still running when the resize starts").isNotDone();
        assertThat(FlavourChecks.unfinishedQueries(coordinator)).as("queries the coordinator runs, as a graceful stop counts them").isGreaterThanOrEqualTo(1);
        Instant requested = Instant.now();

        HttpResponse<String> accepted = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"workers\":{\"count\":1}}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(accepted, Duration.ofMinutes(15));
        Outcome long1 = q1.get();
        QueryLoad.sleep(3_000);
        stopping.set(true);
        stream.get();

        List<Outcome> failures = new ArrayList<>(shortQueries.stream().filter(outcome -> outcome.error().isPresent()).toList());
        if (long1.error().isPresent()) {
            failures.add(long1);
        }
        System.out.printf("PrestoDbClusterIT resize 2 -> 1: Q1 %s in %.1f s, %d short queries (%d failed)%n", long1.error().isEmpty() ? "succeeded" : "FAILED",
                long1.seconds(), shortQueries.size(), failures.size() - (long1.error().isPresent() ? 1 : 0));
        operation.getJsonArray("steps").forEach(step -> System.out.printf("  step %s%n", ((JsonObject) step).encode()));
        if (!failures.isEmpty()) {
            printWorkerLogs();
        }
        assertSucceeded(operation);
        assertThat(failures).as("queries that failed while a PrestoDB worker was removed").isEmpty();
        assertThat(shortQueries).as("short queries during the resize").hasSizeGreaterThanOrEqualTo(5);
        assertThat(operation.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("name")).toList()).containsSubsequence("drain", "scale");
        // the drain contract's check on the real worker (DrainContract runs it on a fake): SHUTTING_DOWN, which waited for its tasks
        FlavourChecks.assertDrainEvents(FlavourProfile.PRESTODB, TraefikStack.types(stacked.events(CLUSTER, requested)));
        JsonObject status = cluster().getJsonObject("status");
        assertThat(status.getInteger("activeWorkers")).as(status.encode()).isEqualTo(1);
        FlavourChecks.assertCountsActiveWorkers(Flavour.PRESTODB, coordinator, 1);
        assertThat(status.getJsonObject("allocations").getJsonObject("workers").getInteger("running")).as(status.encode()).isEqualTo(1);
        lastStepPassed = "resize";
    }

    @Test
    @Order(3)
    void testBlueGreenRestartUnderLoadFailsNoQuery()
            throws Exception
    {
        requirePassed("resize");
        HttpClient viaTraefik = traefik.client();
        PublicUrlLoad.awaitAnswering(viaTraefik, publicUrl(), 3, sql -> run(viaTraefik, publicUrl(), sql), Outcome::succeeded, QueryLoad.SHORT);
        Map<String, String> before = stacked.runningAllocations("trino-" + CLUSTER);

        // Q1s one after another from 5 s before the restart: one is running on side blue whenever the switch comes
        PublicUrlLoad.Around<Outcome, JsonObject> restart = PublicUrlLoad.start(viaTraefik, publicUrl(), QueryLoad.SHORT, sql -> run(viaTraefik, publicUrl(), sql), Outcome::succeeded)
                .backToBack(Q1)
                .around(Duration.ofSeconds(5), () -> stack.callAccepted("POST", "/v1/clusters/" + CLUSTER + "/restart", null, Duration.ofMinutes(15)));
        PublicUrlLoad.Result<Outcome> result = restart.load();
        List<JsonObject> events = stacked.events(CLUSTER, restart.startedAt());
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        System.out.printf("PrestoDbClusterIT blue-green restart: %.1f s; %s%n", restart.seconds(), result.figures("Q1 sf3"));
        result.longQueries().forEach(query -> System.out.printf("  Q1 %s in %.1f s, polled %s%n", query.outcome().error().orElse("succeeded"), query.seconds(),
                query.outcome().nextUris().stream().map(uri -> URI.create(uri).getHost()).distinct().toList()));
        result.failed().forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        if (!result.failed().isEmpty()) {
            printWorkerLogs();
        }
        assertSucceeded(restart.value());

        result.assertNothingLost("blue-green restart");
        assertThat(result.sides()).as("the side answering the public URL, in order").containsExactly("blue", "green");
        assertThat(TraefikStack.types(events)).startsWith("restart-requested").containsSubsequence(TraefikStack.BLUE_GREEN_EVENTS);
        long switchedNanos = restart.nanosAt(TraefikStack.firstAt(events, "traffic-switched"));
        assertThat(result.longQueries()).as("a Q1 started on side blue before the switch and finished after it, every poll on blue's pinned host")
                .anySatisfy(query -> {
                    assertThat(query.startedNanos()).isLessThan(switchedNanos);
                    assertThat(query.endedNanos()).isGreaterThan(switchedNanos);
                    assertThat(query.outcome().nextUris()).isNotEmpty().allSatisfy(uri -> assertThat(uri).startsWith(pinnedUrl("blue") + "/v1/statement/"));
                });
        List<PublicUrlLoad.Timed<Outcome>> afterSwitch = result.shortQueries().stream().filter(query -> query.startedNanos() > switchedNanos + 5_000_000_000L).toList();
        assertThat(afterSwitch).as("short queries started after the switch").hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(query -> assertThat(query.outcome().nextUris()).isNotEmpty().allSatisfy(uri -> assertThat(uri).startsWith(pinnedUrl("green") + "/v1/statement/")));
        Map<String, String> after = stacked.runningAllocations("trino-" + CLUSTER);
        assertThat(after).as("allocations after the restart: one coordinator and one worker, all new").hasSize(2);
        before.keySet().forEach(id -> assertThat(after).doesNotContainKey(id));
        lastStepPassed = "restart";
    }

    @Test
    @Order(4)
    void testDeleteLeavesNothing()
            throws Exception
    {
        requirePassed("restart");
        HttpResponse<String> deleted = stack.call("DELETE", "/v1/clusters/" + CLUSTER, null);
        assertSucceeded(stack.awaitOperation(deleted, Duration.ofMinutes(6)));
        assertThat(stack.call("GET", "/v1/clusters/" + CLUSTER, null).statusCode()).isEqualTo(404);
        assertThat(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER, null).statusCode()).isEqualTo(404);
        for (String service : List.of("trino-" + CLUSTER, "trino-" + CLUSTER + "-coordinator", "trino-" + CLUSTER + "-worker")) {
            await(service + " deregistered").atMost(Duration.ofMinutes(1)).until(() -> consulInstances(service) == 0);
        }
        await("no task process left").atMost(Duration.ofMinutes(2)).until(() -> taskProcesses().isEmpty());
        await("Traefik no longer routes the cluster").atMost(TestingTraefik.REFRESH_INTERVAL.plusSeconds(5)).until(() -> traefikStatus() == 404);
    }

    /** A statement over the client protocol with PrestoDB's headers; every nextUri followed, 502-504 on one retried. */
    record Outcome(Optional<String> error, String firstValue, List<String> nextUris, long startedNanos, long endedNanos)
    {
        boolean succeeded()
        {
            return error.isEmpty();
        }

        double seconds()
        {
            return (endedNanos - startedNanos) / 1e9;
        }
    }

    private static Outcome run(HttpClient client, String coordinator, String sql)
    {
        long started = System.nanoTime();
        List<String> nextUris = new ArrayList<>();
        String first = null;
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/statement")).timeout(Duration.ofMinutes(2))
                    .header("X-Presto-User", USER).POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
            while (true) {
                if (response.statusCode() != 200) {
                    return new Outcome(Optional.of("HTTP " + response.statusCode() + ": " + response.body()), first, nextUris, started, System.nanoTime());
                }
                JsonObject body = new JsonObject(response.body());
                JsonArray data = body.getJsonArray("data");
                if (first == null && data != null && !data.isEmpty()) {
                    first = String.valueOf(data.getJsonArray(0).getValue(0));
                }
                JsonObject error = body.getJsonObject("error");
                if (error != null) {
                    return new Outcome(Optional.of(error.getString("errorName") + ": " + error.getString("message")), first, nextUris, started, System.nanoTime());
                }
                String next = body.getString("nextUri");
                if (next == null) {
                    return new Outcome(Optional.empty(), first, nextUris, started, System.nanoTime());
                }
                nextUris.add(next);
                HttpRequest request = HttpRequest.newBuilder(URI.create(next)).timeout(Duration.ofMinutes(2)).header("X-Presto-User", USER).build();
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
                for (int attempt = 1; attempt < 20 && List.of(502, 503, 504).contains(response.statusCode()); attempt++) {
                    Thread.sleep(100);
                    response = client.send(request, HttpResponse.BodyHandlers.ofString());
                }
            }
        }
        catch (IOException e) {
            return new Outcome(Optional.of("protocol: " + e), first, nextUris, started, System.nanoTime());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Optional.of("interrupted"), first, nextUris, started, System.nanoTime());
        }
    }

    private static void printWorkerLogs()
            throws IOException, InterruptedException
    {
        JsonArray allocations = new JsonArray(stack.callNomad("GET", "/v1/job/trino-" + CLUSTER + "/allocations", null).body());
        for (Object item : allocations) {
            JsonObject alloc = (JsonObject) item;
            for (String file : List.of("trino.stdout.0", "trino.stderr.0")) {
                String log = stack.allocationLog(alloc.getString("ID"), file);
                List<String> lines = log.lines().toList();
                System.out.printf("---- %s %s (%s) %s, last 60 lines:%n%s%n", alloc.getString("TaskGroup"), alloc.getString("ID"), alloc.getString("ClientStatus"), file,
                        String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
        }
    }

    private static JsonObject cluster()
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body());
    }

    private static String publicUrl()
    {
        return "http://" + CLUSTER + "." + DOMAIN + ":" + traefik.webPort();
    }

    /** A side's own host behind Traefik ({@code <cluster>--<side>.<domain>}), which its coordinator's nextUri names. */
    private static String pinnedUrl(String side)
    {
        return "http://" + CLUSTER + "--" + side + "." + DOMAIN + ":" + traefik.webPort();
    }

    private static int traefikStatus()
            throws IOException, InterruptedException
    {
        return traefik.client().send(HttpRequest.newBuilder(URI.create(publicUrl() + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int consulInstances(String service)
            throws IOException, InterruptedException
    {
        return new JsonArray(HTTP.send(HttpRequest.newBuilder(stack.consul().baseUri().resolve("/v1/health/service/" + service)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).size();
    }

    /** Processes whose command line points into Nomad's allocation directories. */
    private static List<ProcessHandle> taskProcesses()
    {
        String dir = stack.dataDir().toString();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(dir) && line.contains("/alloc/")).orElse(false))
                .toList();
    }
}
