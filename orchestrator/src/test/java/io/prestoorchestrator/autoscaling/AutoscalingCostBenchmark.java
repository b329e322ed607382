package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingAutoscaler;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 23's cost figure: the worker-seconds one cluster uses over a fixed load trace (idle, burst,
 * idle) with the orchestrator's autoscaling, against the same cluster kept at the trace's peak size,
 * on real Trino 476, real Nomad, a real Prometheus and the real nomad-autoscaler scaling through the
 * orchestrator's scale front, as {@link AutoscalingEndToEndIT} runs them (same collector, policy and
 * delays). The trace runs twice on one stack, one cluster after the other:
 *
 * <ol>
 * <li>{@code cost-zero}: {@code workers.min} 0 (scale to zero), created at 1 worker;</li>
 * <li>{@code cost-min1}: {@code workers.min} 1 (scale-to-zero off), created at 1 worker.</li>
 * </ol>
 *
 * <p>The trace, on a fixed clock from the moment the cluster's create succeeded: idle for
 * {@code -Dbench.idle} seconds (default 60), a burst for {@code -Dbench.burst} (default 150: 6
 * clients running TPC-H scans back to back and a short query every second), idle again for
 * {@code -Dbench.tail} (default 150). Worker-seconds are the increase of the orchestrator's
 * {@code presto_orchestrator_cluster_worker_seconds_total{cluster}} over the trace (active and draining
 * workers as the coordinator reports them, times the time between polls); beside it, Nomad's view: each
 * worker allocation's time from its creation to its stop (or the trace's end) within the trace,
 * which includes Trino's start-up and the drain. The static cluster at the peak needs no run: it is
 * the most workers Nomad ran at once in either run times the trace's length. Every query's outcome
 * is kept; the benchmark fails if one failed.
 *
 * <p>Not part of the test suite (neither {@code *IT} nor {@code Test*}); run it with
 * {@code scripts/bench-cost.sh}, about 15 minutes on a 2-core machine.
 */
class AutoscalingCostBenchmark
{
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final int QUERIES_PER_WORKER = 2;
    private static final Duration SCRAPE = Duration.ofSeconds(1);
    private static final Duration EVALUATION = Duration.ofSeconds(2);
    private static final Duration SCALE_IN_DELAY = Duration.ofSeconds(10);
    private static final int MAX_WORKERS = 3;
    private static final int CLIENTS = 6;
    private static final String SCAN = "SELECT sum(extendedprice * (1 - discount)) FROM tpch.sf1.lineitem WHERE quantity > %d";
    private static final Pattern WORKER_SECONDS = Pattern.compile("(?m)^presto_orchestrator_cluster_worker_seconds_total\\{([^}]*)}\\s+(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void requireTools()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "PROMETHEUS_BIN", "NOMAD_AUTOSCALER_BIN");
    }

    @Test
    void benchmarkWorkerSecondsOverTheTrace()
            throws Exception
    {
        Duration idle = Duration.ofSeconds(Long.getLong("bench.idle", 60));
        Duration burst = Duration.ofSeconds(Long.getLong("bench.burst", 150));
        Duration tail = Duration.ofSeconds(Long.getLong("bench.tail", 150));
        Path dir = Files.createTempDirectory("autoscaling-cost");
        AutoscalingConfig collector = new AutoscalingConfig(POLL, QUERIES_PER_WORKER, Duration.ofSeconds(3), AutoscalingConfig.DEFAULTS.queryHistoryRetention(), 0);
        List<Run> runs = new ArrayList<>();
        try (TestingStack stack = TestingStack.onRealNomad(System.getenv(), TestingFiles.itTemplates(), config -> config.withAutoscaling(collector));
                TestingAutoscaler autoscaler = TestingAutoscaler.start(dir, stack.nomadAddress(), stack.orchestrator().port(), stack.orchestrator().scaleFrontPort(), SCRAPE)) {
            assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
            runs.add(trace(stack, "cost-zero", 0, idle, burst, tail));
            runs.add(trace(stack, "cost-min1", 1, idle, burst, tail));
        }

        int peak = runs.stream().mapToInt(Run::peakWorkers).max().orElseThrow();
        double duration = idle.plus(burst).plus(tail).toMillis() / 1000.0;
        double staticPeak = peak * duration;
        System.out.printf("AutoscalingCostBenchmark trace: idle %d s, burst %d s (%d scan clients on tpch.sf1 and a short query every second), idle %d s;"
                        + " poll %d s, scrape %d s, evaluation %d s, scale-in delay %d s, max %d workers%n",
                idle.toSeconds(), burst.toSeconds(), CLIENTS, tail.toSeconds(), POLL.toSeconds(), SCRAPE.toSeconds(), EVALUATION.toSeconds(),
                SCALE_IN_DELAY.toSeconds(), MAX_WORKERS);
        System.out.println("AutoscalingCostBenchmark | cluster | workers.min | worker-seconds (orchestrator) | saving vs static peak | Nomad worker-allocation-seconds"
                + " | peak workers | scans done | short queries done | failed queries | trace s |");
        System.out.println("AutoscalingCostBenchmark |---|---|---|---|---|---|---|---|---|---|");
        System.out.printf("AutoscalingCostBenchmark | static at the peak (computed, no run) | %d | %.0f | 0 %% | %.0f | %d | - | - | - | %.0f |%n",
                peak, staticPeak, staticPeak, peak, duration);
        for (Run run : runs) {
            System.out.printf("AutoscalingCostBenchmark | %s | %d | %.0f | %.0f %% | %.0f | %d | %d | %d | %d | %.0f |%n",
                    run.cluster(), run.min(), run.workerSeconds(), 100 * (1 - run.workerSeconds() / staticPeak), run.allocationSeconds(), run.peakWorkers(),
                    run.scans(), run.shortQueries(), run.failed().size(), run.seconds());
        }
        Run zero = runs.get(0);
        Run minOne = runs.get(1);
        System.out.printf("AutoscalingCostBenchmark: scale-to-zero used %.0f worker-seconds fewer than min 1 (%.0f %%), by the orchestrator's counter%n",
                minOne.workerSeconds() - zero.workerSeconds(), 100 * (1 - zero.workerSeconds() / minOne.workerSeconds()));
        for (Run run : runs) {
            System.out.println("AutoscalingCostBenchmark " + run.cluster() + " scale calls: " + run.scaleCalls());
        }

        for (Run run : runs) {
            assertThat(run.failed()).as("queries that failed on %s", run.cluster()).isEmpty();
            assertThat(run.scans()).as("scans that ran on %s", run.cluster()).isPositive();
            assertThat(run.peakWorkers()).as("the burst scaled %s out", run.cluster()).isGreaterThan(1);
        }
    }

    private record Run(String cluster, int min, double workerSeconds, double allocationSeconds, int peakWorkers, int scans, int shortQueries,
            List<String> failed, double seconds, List<String> scaleCalls) {}

    /** Creates the cluster at 1 worker, runs the trace from the moment it is RUNNING, reads the figures, deletes it. */
    private static Run trace(TestingStack stack, String cluster, int min, Duration idle, Duration burst, Duration tail)
            throws Exception
    {
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", """
                {"name": "%s", "catalogs": ["tpch"], "workers": {"count": 1, "min": %d, "max": %d},
                 "autoscaling": {"enabled": true, "signal": "workers-needed", "evaluationInterval": "%ds",
                                 "scaleOutCooldown": "2s", "scaleInCooldown": "2s", "scaleInDelay": "%ds"}}
                """.formatted(cluster, min, MAX_WORKERS, EVALUATION.toSeconds(), SCALE_IN_DELAY.toSeconds()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(created, Duration.ofMinutes(5));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        String coordinator = new JsonObject(stack.call("GET", "/v1/clusters/" + cluster, null).body()).getJsonObject("status").getString("coordinatorUrl");
        String job = "trino-" + cluster;

        long start = System.currentTimeMillis();
        double before = workerSeconds(stack, cluster);
        PeakSampler peak = PeakSampler.start(stack, job);
        List<TrinoStatements.Outcome> outcomes = new CopyOnWriteArrayList<>();

        sleepUntil(start + idle.toMillis());
        QueryLoad trickle = QueryLoad.start(coordinator, "trickle", Duration.ofSeconds(1));
        Scans scans = Scans.start(coordinator, CLIENTS, outcomes);
        sleepUntil(start + idle.plus(burst).toMillis());
        scans.stop();
        List<TrinoStatements.Outcome> shortQueries = trickle.stop().shortQueries();
        outcomes.addAll(shortQueries);
        long end = start + idle.plus(burst).plus(tail).toMillis();
        if (System.currentTimeMillis() > end) {
            System.out.printf("AutoscalingCostBenchmark %s: the burst's last queries ended %.1f s into the second idle phase's end; the trace is longer%n",
                    cluster, (System.currentTimeMillis() - end) / 1e3);
        }
        sleepUntil(end);
        long stopped = System.currentTimeMillis();
        double after = workerSeconds(stack, cluster);
        int peakWorkers = peak.stop();
        double allocationSeconds = allocationSeconds(stack, job, start, stopped);
        List<String> calls = scaleCalls(stack, job, start);
        List<String> failed = outcomes.stream().filter(outcome -> !outcome.succeeded()).map(outcome -> outcome.sql() + " -> " + outcome.error().orElse("")).toList();
        int scanCount = (int) outcomes.stream().filter(outcome -> outcome.sql().startsWith("SELECT sum(")).count();

        Run run = new Run(cluster, min, after - before, allocationSeconds, peakWorkers, scanCount, shortQueries.size(), failed, (stopped - start) / 1e3, calls);
        System.out.println("AutoscalingCostBenchmark run: " + run);

        // a scale-in the agent started near the trace's end may still drain: 409 until it ends
        AtomicReference<HttpResponse<String>> deleted = new AtomicReference<>();
        await("the cluster's delete is accepted").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResponse<String> response = stack.call("DELETE", "/v1/clusters/" + cluster, null);
            assertThat(response.statusCode()).as(response.body()).isIn(202, 409);
            deleted.set(response);
            return response.statusCode() == 202;
        });
        TestingStack.assertSucceeded(stack.awaitOperation(deleted.get(), Duration.ofMinutes(5)));
        return run;
    }

    /** The cluster's counter on the orchestrator's public {@code /metrics}, 0 before its first counted poll. */
    private static double workerSeconds(TestingStack stack, String cluster)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.orchestrator().port() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Matcher matcher = WORKER_SECONDS.matcher(response.body());
        while (matcher.find()) {
            if (matcher.group(1).contains("cluster=\"" + cluster + "\"")) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    /** Each worker allocation's time from its creation to its stop (or {@code to}), within {@code from..to}, summed. */
    private static double allocationSeconds(TestingStack stack, String job, long from, long to)
            throws IOException, InterruptedException
    {
        double total = 0;
        for (JsonObject alloc : workerAllocations(stack, job)) {
            long created = TimeUnit.NANOSECONDS.toMillis(alloc.getLong("CreateTime"));
            boolean terminal = List.of("complete", "failed", "lost").contains(alloc.getString("ClientStatus"));
            long ended = terminal ? TimeUnit.NANOSECONDS.toMillis(alloc.getLong("ModifyTime")) : to;
            total += Math.max(0, Math.min(ended, to) - Math.max(created, from)) / 1000.0;
        }
        return total;
    }

    private static List<JsonObject> workerAllocations(TestingStack stack, String job)
            throws IOException, InterruptedException
    {
        return new JsonArray(stack.callNomad("GET", "/v1/job/" + job + "/allocations", null).body()).stream()
                .map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers"))
                .toList();
    }

    private static JsonObject workersGroup(TestingStack stack, String job)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.callNomad("GET", "/v1/job/" + job + "/scale", null).body()).getJsonObject("TaskGroups").getJsonObject("workers");
    }

    /** The agent's scale calls since {@code since}, oldest first, as "seconds into the trace: previous -> asked". */
    private static List<String> scaleCalls(TestingStack stack, String job, long since)
            throws IOException, InterruptedException
    {
        JsonArray events = workersGroup(stack, job).getJsonArray("Events");
        List<String> calls = new ArrayList<>();
        if (events != null) {
            for (Object item : events) {
                JsonObject event = (JsonObject) item;
                JsonObject meta = event.getJsonObject("Meta");
                long at = TimeUnit.NANOSECONDS.toMillis(event.getLong("Time"));
                if (meta != null && meta.containsKey(ScaleFront.REQUESTED_COUNT) && at >= since) {
                    calls.add(0, "%.0f s: %d -> %d".formatted((at - since) / 1e3, event.getInteger("PreviousCount"), meta.getInteger(ScaleFront.REQUESTED_COUNT)));
                }
            }
        }
        return calls;
    }

    private static void sleepUntil(long millis)
    {
        long left = millis - System.currentTimeMillis();
        if (left > 0) {
            QueryLoad.sleep(left);
        }
    }

    /** Reads the worker group's running count from Nomad every second; answers the most seen. */
    private static final class PeakSampler
    {
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final AtomicInteger peak = new AtomicInteger();
        private final CompletableFuture<Void> poller;

        private PeakSampler(TestingStack stack, String job)
        {
            poller = CompletableFuture.runAsync(() -> {
                while (!stopping.get()) {
                    try {
                        peak.accumulateAndGet(workersGroup(stack, job).getInteger("Running"), Math::max);
                    }
                    catch (IOException | RuntimeException e) {
                        // a missed sample: the next one reads again
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    QueryLoad.sleep(1000);
                }
            });
        }

        static PeakSampler start(TestingStack stack, String job)
        {
            return new PeakSampler(stack, job);
        }

        int stop()
                throws Exception
        {
            stopping.set(true);
            poller.get(1, TimeUnit.MINUTES);
            return peak.get();
        }
    }

    /** Clients running TPC-H scans back to back until stopped; every outcome goes to {@code outcomes}. */
    private static final class Scans
    {
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<CompletableFuture<Void>> clients = new ArrayList<>();

        private Scans(String coordinator, int count, List<TrinoStatements.Outcome> outcomes)
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

        static Scans start(String coordinator, int count, List<TrinoStatements.Outcome> outcomes)
        {
            return new Scans(coordinator, count, outcomes);
        }

        /** Lets every client finish its current scan. */
        void stop()
                throws Exception
        {
            stopping.set(true);
            for (CompletableFuture<Void> client : clients) {
                client.get(5, TimeUnit.MINUTES);
            }
        }
    }
}
