package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.SlowScan;
import io.prestoorchestrator.testing.TestingAutoscaler;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7 end to end on real Trino 476: a cluster created through the API at 1 worker with {@code min}
 * 0 and {@code max} 3 and the workers-needed policy; the orchestrator polls its coordinator every 2 s
 * (2 queries per worker), a real Prometheus scrapes the orchestrator's {@code /metrics}, and the real
 * nomad-autoscaler scales the worker group through the orchestrator's scale front (its target for the
 * Trino worker groups), so every scale-in is the orchestrator's resize: the workers drain before the
 * count goes down, and a scale-out while they drain reuses them.
 *
 * <ol>
 * <li>Idle, the signal is 0: the agent scales the cluster to zero; the orchestrator drains the worker,
 *     then lowers the count (Nomad's kill signal finds it DRAINED).
 * <li>A query arrives at zero workers: Trino holds it for a worker ({@code query-manager.required-workers=1}),
 *     the signal counts it as waiting, the agent brings a worker back, and the query succeeds.
 * <li>Concurrent long scans on that one worker ({@link SlowScan}, 10 s each at almost no CPU) raise the signal: the agent scales out, the new
 *     workers become active in the coordinator and run tasks.
 * <li>The scans stop while a short query still runs every second: once the need has stayed lower
 *     for the scale-in delay the agent scales in, and the orchestrator drains the workers it removes.
 * <li>The scans come back while those workers drain: the agent scales out again, which supersedes the
 *     scale-in: the draining workers go back to ACTIVE and no new worker is placed, unless the agent
 *     asks for more than the scale-in started from (it stepped out 1 -> 2 -> 3 and in 3 -> 2, which
 *     ended, then 2 -> 1): then only those beyond ({@link ReuseEvidence}). The scans stop
 *     again; the agent scales in again (to one worker, or to zero if no poll saw a short query
 *     running; one arriving then waits for the worker the agent brings back, and a call for one
 *     worker while that scale-in drains retargets it: one draining worker goes back to ACTIVE), and
 *     the removed workers drain and exit.
 * <li>The short queries stop: the cluster goes back to zero.
 * </ol>
 * No query fails over the whole run, and every scale event names its reason.
 */
class AutoscalingEndToEndIT
{
    private static final String CLUSTER = "elastic";
    private static final String JOB = "trino-" + CLUSTER;
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final int QUERIES_PER_WORKER = 2;
    private static final Duration SCRAPE = Duration.ofSeconds(1);
    private static final Duration EVALUATION = Duration.ofSeconds(2);
    private static final Duration SCALE_IN_DELAY = Duration.ofSeconds(10);
    /** Slack on top of an evaluation and a scrape for the agent's decision: a loaded 2-core machine runs Trino, Prometheus and the agent. */
    private static final Duration DECISION_SLACK = Duration.ofSeconds(8);
    private static final int CLIENTS = 6;
    /**
     * A client's scan: 10 s on every worker at almost no CPU ({@link SlowScan}). The signal counts running queries, not CPU;
     * TPC-H sf1 scans here kept the 2-core machine busy for the whole burst, and took as long as the load let them.
     */
    private static final String SCAN = SlowScan.query(Duration.ofSeconds(10));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private final List<TrinoStatements.Outcome> outcomes = new CopyOnWriteArrayList<>();
    private TestingStack stack;
    private SignalMonitor signal;
    private String coordinator;

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
        AutoscalingConfig collector = new AutoscalingConfig(POLL, QUERIES_PER_WORKER, Duration.ofSeconds(3), AutoscalingConfig.DEFAULTS.queryHistoryRetention(), 0);
        try (TestingStack started = TestingStack.onRealNomad(System.getenv(), TestingFiles.itTemplates(), config -> config.withAutoscaling(collector));
                TestingAutoscaler autoscaler = TestingAutoscaler.start(dir, started.nomadAddress(), started.orchestrator().port(), started.orchestrator().scaleFrontPort(), SCRAPE)) {
            stack = started;
            try {
                run();
            }
            catch (AssertionError | RuntimeException e) {
                System.out.println("nomad-autoscaler log:\n" + autoscaler.agentLogText());
                throw new AssertionError(e.getMessage() + "\n--- what happened ---\n" + story(), e);
            }
            finally {
                if (signal != null) {
                    signal.stop();
                }
            }
        }
    }

    private void run()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        assertThat(stack.call("POST", "/v1/catalogs", SlowScan.CATALOG_JSON).statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", """
                {"name": "%s", "catalogs": ["tpch", "slow"], "workers": {"count": 1, "min": 0, "max": 3},
                 "autoscaling": {"enabled": true, "signal": "workers-needed", "evaluationInterval": "%ds",
                                 "scaleOutCooldown": "2s", "scaleInCooldown": "2s", "scaleInDelay": "%ds"}}
                """.formatted(CLUSTER, EVALUATION.toSeconds(), SCALE_IN_DELAY.toSeconds()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(created, Duration.ofMinutes(5));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        coordinator = new JsonObject(stack.call("GET", "/v1/clusters/" + CLUSTER, null).body()).getJsonObject("status").getString("coordinatorUrl");
        signal = SignalMonitor.start(stack);

        // 1. idle: the signal is 0 and the agent takes the cluster to zero (perhaps before the create saw its worker active)
        JsonObject toZero = await("the agent scales the idle cluster to zero").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> scaleEvents(stack).stream().filter(event -> event.getInteger("Count") == 0).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(toZero.getString("Message")).isEqualTo("scaling down because metric is 0");
        awaitWorkersGone("the idle worker drains and leaves", Duration.ofMinutes(2));
        Set<String> stoppedWhileIdle = stoppedWorkerAllocations().stream().map(alloc -> alloc.getString("ID")).collect(Collectors.toSet());
        assertThat(stoppedWhileIdle).as("the idle worker's allocation").hasSize(1);

        // 2. a query arrives at zero workers: it waits while the agent brings a worker back
        long coldSubmitted = System.currentTimeMillis();
        CompletableFuture<Timed> cold = CompletableFuture.supplyAsync(() -> timed(TrinoStatements.run(coordinator, "cold", QueryLoad.SHORT)));
        JsonObject backUp = await("the agent brings a worker back for the waiting query").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().filter(event -> event.getInteger("PreviousCount") == 0 && event.getInteger("Count") >= 1).findFirst(), Optional::isPresent)
                .orElseThrow();
        long coldCall = eventMillis(backUp);
        assertThat(backUp.getString("Message")).isEqualTo("scaling up because metric is 1");
        await("the worker is active").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> nodeCounts(coordinator).get("Active") >= 2);
        long coldActive = System.currentTimeMillis();
        Timed coldQuery = cold.get(5, TimeUnit.MINUTES);
        outcomes.add(coldQuery.outcome());
        assertThat(coldQuery.outcome().error()).as("the query that arrived at zero workers").isEmpty();
        Change coldRise = signal.firstAfter(coldSubmitted, change -> change.needed() >= 1);
        assertThat(coldRise.waiting()).as("the signal rose for the query waiting for workers: %s", coldRise).isGreaterThanOrEqualTo(1);

        // 3. load on the one worker, within the scale-in delay of the cold query: a short query every second and concurrent scans
        Set<String> initialWorkers = activeWorkers(coordinator);
        assertThat(initialWorkers).as("active workers (all nodes: %s)", allNodes(coordinator)).hasSize(1);
        QueryLoad trickle = QueryLoad.start(coordinator, "trickle", Duration.ofSeconds(1));
        long loadStarted = System.currentTimeMillis();
        ScanLoad scans = ScanLoad.start(coordinator, CLIENTS);

        JsonObject out = await("the agent scales the worker group out").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().filter(event -> event.getInteger("Count") >= 2).findFirst(), Optional::isPresent).orElseThrow();
        long outCall = eventMillis(out);
        int target = out.getInteger("Count");
        assertThat(out.getInteger("PreviousCount")).as(out.encode()).isEqualTo(1);
        assertThat(target).as(out.encode()).isBetween(2, 3);
        assertThat(out.getString("Message")).isEqualTo("scaling up because metric is " + target);
        assertThat(scans.running()).as("the load still runs when the agent scales out").isTrue();

        Set<String> newWorkers = await("the new workers are active in the coordinator").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> minus(activeWorkers(coordinator), initialWorkers), workers -> workers.size() >= target - 1);
        long active = System.currentTimeMillis();
        Set<String> busyNodes = new HashSet<>();
        await("every new worker runs tasks of the load").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            busyNodes.addAll(nodesWithLoadTasks(coordinator));
            assertThat(busyNodes).as("nodes with tasks of the load (all nodes now %s)", allNodes(coordinator)).containsAll(newWorkers);
        });
        long working = System.currentTimeMillis();
        assertThat(scans.running()).as("the load still runs while the new workers take work").isTrue();

        // 4. the scans stop; the short queries go on through the scale-in and its drains
        long loadStopping = System.currentTimeMillis();
        outcomes.addAll(scans.stop());
        long loadEnded = System.currentTimeMillis();
        JsonObject in = await("the agent scales in").atMost(SCALE_IN_DELAY.plusSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().filter(event -> eventMillis(event) > outCall && event.getInteger("Count") < target).reduce((newer, older) -> older), Optional::isPresent)
                .orElseThrow();
        long inCall = eventMillis(in);
        int inTo = in.getInteger("Count");
        // the count the scale-in drains from: Nomad's when the agent asked for it. Not always the first scale-out's: the agent may
        // have gone 1 -> 2 -> 3 and come back 3 -> 2 (a scale-in that ended: its worker is gone) before this one, 2 -> 1
        int from = in.getInteger("PreviousCount");
        assertThat(in.getString("Message")).isEqualTo("scaling down because metric is " + inTo);
        long signalFell = signal.lastFallTo(inTo, inCall);

        // 4b. the load comes back while that scale-in drains: the agent's scale-out supersedes it, and the draining workers go back to work
        await("the scale-in drains its workers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> nodeCounts(coordinator).get("Draining") + nodeCounts(coordinator).get("Drained") >= from - inTo);
        List<JsonObject> drainingAllocations = workerAllocations(stack);
        long loadBack = System.currentTimeMillis();
        ScanLoad again = ScanLoad.start(coordinator, CLIENTS);
        JsonObject reuse = await("the agent scales out again while the scale-in drains").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().filter(event -> eventMillis(event) > inCall && event.getInteger("Count") >= from).findFirst(), Optional::isPresent)
                .orElseThrow();
        long reuseCall = eventMillis(reuse);
        assertThat(reuse.getInteger("PreviousCount")).as("Nomad's count had not gone down yet: %s", reuse.encode()).isEqualTo(from);
        assertThat(clusterEvents(stack)).as("the scale-in was superseded").anySatisfy(event -> {
            assertThat(event.getString("type")).isEqualTo("scale-in-superseded");
            assertThat(event.getString("actor")).isEqualTo("nomad-autoscaler");
        });
        await("the draining workers are active again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> activeWorkers(coordinator).size() >= from);
        long reactivated = System.currentTimeMillis();
        // no worker was placed for a count up to the scale-in's start: the draining ones were reused. The agent asks for what the load
        // needs, which can be more (3 when the scale-in drains 2 -> 1): Nomad places those beyond the start, and only those
        ReuseEvidence.Look reused = reuseEvidence(drainingAllocations, from, inCall);
        assertThat(reused.problems()).as("the draining workers were reused and no other worker was placed: %s", reused).isEmpty();
        // a count between first (the signal caught the scans arriving) retargets the scale-in: it reuses part of the drain, also without a new worker
        assertThat(scaleEvents(stack).stream().filter(event -> eventMillis(event) > inCall).toList()).as("the agent's decisions since the scale-in are scale-outs")
                .extracting(event -> event.getInteger("Count")).allSatisfy(count -> assertThat(count).isGreaterThan(inTo));
        outcomes.addAll(again.stop());
        long againEnded = System.currentTimeMillis();
        JsonObject finalIn = await("the agent scales in again").atMost(SCALE_IN_DELAY.plusSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> scaleEvents(stack).stream().filter(event -> eventMillis(event) > reuseCall && event.getInteger("Count") < target).reduce((newer, older) -> older),
                        Optional::isPresent)
                .orElseThrow();
        int finalTo = finalIn.getInteger("Count");
        // the agent's next decision may retarget that scale-in while it drains (a short query running asks for a
        // count between, say 3 -> 0 then 1): the workers removed are then those above the count Nomad's group
        // settles at, not above the first call's count, so the wait reads the group's count from Nomad
        int[] settledAt = {-1};
        await("the workers the scale-in removed drain and exit while short queries run").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    int desired = workersGroupStatus(stack).getInteger("Desired");
                    List<JsonObject> removing = stoppedWorkerAllocations().stream().filter(alloc -> !stoppedWhileIdle.contains(alloc.getString("ID"))).toList();
                    settledAt[0] = desired;
                    return desired < target && removing.size() >= target - desired && removing.stream().allMatch(AutoscalingEndToEndIT::terminal);
                });
        long exited = System.currentTimeMillis();
        QueryLoad.Result trickleResult = trickle.stop();
        outcomes.addAll(trickleResult.shortQueries());

        // 5. nothing runs: back to zero
        awaitWorkersGone("the cluster goes back to zero", SCALE_IN_DELAY.plusMinutes(3));
        long zeroAgain = System.currentTimeMillis();

        List<JsonObject> removed = stoppedWorkerAllocations();
        assertThat(removed).as("stopped worker allocations").allSatisfy(alloc -> assertThat(terminal(alloc)).as(alloc.encode()).isTrue());
        List<String> drainLogs = new ArrayList<>();
        for (JsonObject alloc : removed) {
            drainLogs.add(stack.allocationLog(alloc.getString("ID"), "trino.stderr.0"));
        }
        List<JsonObject> events = scaleEvents(stack);
        // every accepted scale call is the orchestrator's resize, named in the cluster's events with the agent's reason and the signal's
        List<JsonObject> autoscaled = clusterEvents(stack).stream()
                .filter(event -> "nomad-autoscaler".equals(event.getString("actor")) && List.of("resize-requested", "scale-in-superseded", "scale-in-retargeted").contains(event.getString("type")))
                .toList();

        Change rise = signal.firstAfter(loadStarted, change -> change.needed() > 1);
        long counted = signal.firstCountedAfter(loadStarted);
        System.out.printf("AutoscalingEndToEndIT reaction (from the load's start; poll %d s, scrape %d s, evaluation %d s): coordinator counts the queue %s -> signal %d at %.1f s"
                        + " -> scale call 1 -> %d at %.1f s (%.1f s after the signal, %s after the queue was counted) -> new workers active %.1f s (%.1f s after the call)"
                        + " -> taking tasks %.1f s%n",
                POLL.toSeconds(), SCRAPE.toSeconds(), EVALUATION.toSeconds(), counted < 0 ? "(not seen)" : "at %.1f s".formatted((counted - loadStarted) / 1e3),
                rise.needed(), (rise.at() - loadStarted) / 1e3, target, (outCall - loadStarted) / 1e3, (outCall - rise.at()) / 1e3,
                counted < 0 ? "(not seen)" : "%.1f s".formatted((outCall - counted) / 1e3),
                (active - loadStarted) / 1e3, (active - outCall) / 1e3, (working - loadStarted) / 1e3);
        System.out.printf("AutoscalingEndToEndIT scale from zero (from the query's submission): signal 1 (%d waiting for workers) at %.1f s -> scale call 0 -> 1 at %.1f s"
                        + " -> worker active %.1f s -> query finished %.1f s (the query alone ran %.1f s once dispatched)%n",
                coldRise.waiting(), (coldRise.at() - coldSubmitted) / 1e3, (coldCall - coldSubmitted) / 1e3, (coldActive - coldSubmitted) / 1e3,
                (coldQuery.endedMillis() - coldSubmitted) / 1e3, (coldQuery.endedMillis() - coldActive) / 1e3);
        System.out.printf("AutoscalingEndToEndIT scale-in: scans stopped (last ended %.1f s after the stop) -> signal at %d %+.1f s -> scale call %d -> %d at %.1f s"
                        + " (%.1f s after the signal fell; scale-in delay %d s) -> removed workers exited %.1f s; short queries stopped -> zero again %.1f s%n",
                (loadEnded - loadStopping) / 1e3, inTo, (signalFell - loadEnded) / 1e3, in.getInteger("PreviousCount"), inTo, (inCall - loadEnded) / 1e3,
                (inCall - signalFell) / 1e3, SCALE_IN_DELAY.toSeconds(), (exited - loadEnded) / 1e3, (zeroAgain - loadEnded) / 1e3);
        System.out.printf("AutoscalingEndToEndIT reuse: load back %.1f s after the scale-in call %d -> %d -> scale call %d -> %d at %.1f s -> the draining workers active again %.1f s"
                        + " (%s); load stopped again -> scale call %d -> %d %.1f s later%s%n",
                (loadBack - inCall) / 1e3, from, inTo, reuse.getInteger("PreviousCount"), reuse.getInteger("Count"), (reuseCall - loadBack) / 1e3,
                (reactivated - loadBack) / 1e3, reused.placed().isEmpty() ? "no new allocation"
                        : reused.placed().size() + " new allocation(s) for the agent's count " + reused.asked() + " beyond the scale-in's start " + from,
                finalIn.getInteger("PreviousCount"), finalTo, (eventMillis(finalIn) - againEnded) / 1e3,
                settledAt[0] == finalTo ? "" : ", retargeted during its drain: the count settled at " + settledAt[0]);
        System.out.printf("AutoscalingEndToEndIT: %d scans by %d clients, %d short queries, 1 query at zero workers, %d failed%n",
                outcomes.stream().filter(outcome -> outcome.sql().equals(SCAN)).count(), CLIENTS, trickleResult.shortQueries().size(), failures().size());
        System.out.println(story());

        assertThat(failures()).as("queries that failed over the whole run").isEmpty();
        assertThat(trickleResult.shortQueries()).as("short queries through scale-out and scale-in").hasSizeGreaterThan(20);
        assertThat(coldCall - coldRise.at()).as("scale call from zero within an evaluation and a scrape (plus slack) of the signal's rise")
                .isLessThanOrEqualTo(EVALUATION.plus(SCRAPE).plus(DECISION_SLACK).toMillis());
        assertThat(outCall - rise.at()).as("scale call within an evaluation and a scrape (plus slack) of the signal's rise")
                .isLessThanOrEqualTo(EVALUATION.plus(SCRAPE).plus(DECISION_SLACK).toMillis());
        assertThat(inCall - signalFell).as("scale-in only once the need has stayed at %d for the scale-in delay", inTo)
                .isGreaterThanOrEqualTo(SCALE_IN_DELAY.minus(SCRAPE).minus(POLL).toMillis());
        // and soon after, counted from when the orchestrator could take it: while another resize runs (a scale-in that stepped
        // through 2, 3 -> 2, still draining when the need fell to 1) it refuses a lower count, and the agent asks again at each evaluation
        long takenFrom = Math.max(signalFell + SCALE_IN_DELAY.toMillis(), lastOperationEnd(inCall));
        assertThat(inCall - takenFrom).as("scale-in call within an evaluation and a scrape (plus slack) of the scale-in delay after the signal fell to %d (at %s)"
                        + " or of the end of the operation before it", inTo, Instant.ofEpochMilli(signalFell))
                .isLessThanOrEqualTo(EVALUATION.plus(SCRAPE).plusSeconds(15).toMillis());
        // the agent compares with the count it saw, the spec's (capped Running): the previous decision's count, 1 at the start
        // (Nomad's PreviousCount lags during a drain: a retarget to 2 while 3 still run is a scale-up for the agent)
        int seen = 1;
        List<JsonObject> chronological = new ArrayList<>(events);
        Collections.reverse(chronological);
        for (JsonObject event : chronological) {
            assertThat(event.getString("Message")).as("every scale event names its reason: %s", event.encode())
                    .isEqualTo((event.getInteger("Count") < seen ? "scaling down" : "scaling up") + " because metric is " + event.getInteger("Count"));
            seen = event.getInteger("Count");
        }
        JsonObject first = events.get(events.size() - 1);
        assertThat(first.getInteger("PreviousCount") + " -> " + first.getInteger("Count")).as("the first scale event: the idle cluster to zero").isEqualTo("1 -> 0");
        assertThat(events.get(0).getInteger("Count")).as("the last scale event").isZero();
        assertThat(autoscaled).as("the cluster's resizes by nomad-autoscaler").hasSize(events.size());
        List<JsonObject> oldestFirst = new ArrayList<>(events);
        Collections.reverse(oldestFirst);
        for (int i = 0; i < oldestFirst.size(); i++) {
            JsonObject event = oldestFirst.get(i);
            String reason = event.getString("Message") + "; signal: ";
            assertThat(autoscaled.get(i).getString("message")).as(autoscaled.get(i).encode()).satisfiesAnyOf(
                    message -> assertThat(message).contains(" -> " + event.getInteger("Count") + " (min 0, max 3) by nomad-autoscaler: " + reason),
                    message -> assertThat(message).startsWith("Resize to " + event.getInteger("Count") + " by nomad-autoscaler (" + reason));
        }
        // PreviousCount is Nomad's count: a scale-out that reuses draining workers (the count never went down) places nothing new
        int started = 1 + events.stream().mapToInt(event -> Math.max(0, event.getInteger("Count") - event.getInteger("PreviousCount"))).sum();
        assertThat(removed).as("every worker allocation ever placed was stopped by a scale-in").hasSize(started);
        // the orchestrator drained each one before it lowered the count (path 2), so Nomad's kill signal found it DRAINED
        assertThat(drainLogs).as("every removed worker was drained before Nomad stopped it").allSatisfy(log ->
                assertThat(log).contains("run-with-drain: stop signal received; worker state 'DRAINED'").contains("run-with-drain: DRAINED"));
    }

    /** The signal's changes, Nomad's scale events, the cluster's events and every failed query so far: what a failure message needs. */
    private String story()
    {
        StringBuilder story = new StringBuilder();
        if (signal != null) {
            story.append("signal changes (computedAt, needed, inputs): ").append(signal.changes()).append('\n');
        }
        try {
            story.append("Nomad scale events (newest first): ").append(scaleEvents(stack).stream()
                    .map(event -> "%s %d -> %d: %s".formatted(Instant.ofEpochMilli(eventMillis(event)), event.getInteger("PreviousCount"), event.getInteger("Count"), event.getString("Message")))
                    .toList()).append('\n');
            story.append("cluster events:\n  ").append(String.join("\n  ", clusterEvents(stack).stream()
                    .map(event -> event.getString("at", "") + " " + event.getString("type", "?") + " [" + event.getString("actor", "?") + "] " + event.getString("message", event.encode()))
                    .toList())).append('\n');
            story.append("worker allocations: ").append(workerAllocations(stack).stream()
                    .map(alloc -> ReuseEvidence.describe(alloc) + " created " + Instant.ofEpochMilli(TimeUnit.NANOSECONDS.toMillis(alloc.getLong("CreateTime", 0L)))).toList()).append('\n');
            if (coordinator != null) {
                story.append("coordinator node counts: ").append(nodeCounts(coordinator)).append('\n');
            }
        }
        catch (IOException | RuntimeException | AssertionError e) {
            story.append("(could not read the rest: ").append(e).append(")\n");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        story.append("failed queries: ").append(failures().stream().map(outcome -> outcome.sql() + " -> " + outcome.error().orElse("")).toList());
        return story.toString();
    }

    private List<TrinoStatements.Outcome> failures()
    {
        return outcomes.stream().filter(outcome -> !outcome.succeeded()).toList();
    }

    /**
     * Waits until Nomad runs no worker, every stopped worker's process has exited (drained), and the
     * coordinator lists no node but itself. The node counts alone are not enough: a loaded coordinator
     * whose state request to a worker times out leaves that worker out of every count for a while.
     */
    private void awaitWorkersGone(String alias, Duration atMost)
    {
        await(alias).atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonObject group = workersGroupStatus(stack);
            assertThat(group.getInteger("Desired")).as("desired workers").isZero();
            assertThat(group.getInteger("Running")).as("running workers").isZero();
            assertThat(workerAllocations(stack)).as("worker allocations").allSatisfy(alloc -> assertThat(terminal(alloc)).as(alloc.encode()).isTrue());
            assertThat(nodeCounts(coordinator)).as("the coordinator's nodes").containsExactlyInAnyOrderEntriesOf(
                    Map.of("Active", 1, "Inactive", 0, "Draining", 0, "Drained", 0, "ShuttingDown", 0));
        });
    }

    /** The worker group's entry in Nomad's {@code GET /v1/job/:job/scale}: {@code Desired} (the group's count), {@code Running}, {@code Events}. */
    private static JsonObject workersGroupStatus(TestingStack stack)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.callNomad("GET", "/v1/job/" + JOB + "/scale", null).body()).getJsonObject("TaskGroups").getJsonObject("workers");
    }

    private List<JsonObject> stoppedWorkerAllocations()
            throws IOException, InterruptedException
    {
        return workerAllocations(stack).stream().filter(alloc -> alloc.getString("DesiredStatus").equals("stop")).toList();
    }

    private static boolean terminal(JsonObject alloc)
    {
        return List.of("complete", "failed").contains(alloc.getString("ClientStatus"));
    }

    private record Timed(TrinoStatements.Outcome outcome, long endedMillis) {}

    private static Timed timed(TrinoStatements.Outcome outcome)
    {
        return new Timed(outcome, System.currentTimeMillis());
    }

    /** One change of the signal: when the orchestrator computed it, the workers needed, the queries waiting for workers, and its reason. */
    private record Change(long at, int needed, int waiting, String reason)
    {
        @Override
        public String toString()
        {
            return "%s needed %d (%s)".formatted(Instant.ofEpochMilli(at), needed, reason);
        }
    }

    /** Polls GET /v1/clusters/{name}/autoscaling and records every change of the signal at its computedAt. */
    private static final class SignalMonitor
    {
        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final List<Long> counted = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final CompletableFuture<Void> poller;

        private SignalMonitor(TestingStack stack)
        {
            poller = CompletableFuture.runAsync(() -> {
                String last = "";
                int needed = -1;
                while (!stopping.get()) {
                    try {
                        JsonObject view = autoscaling(stack);
                        if ("ok".equals(view.getString("status")) && !view.getString("computedAt").equals(last)) {
                            last = view.getString("computedAt");
                            long at = Instant.parse(last).toEpochMilli();
                            JsonObject inputs = view.getJsonObject("inputs");
                            if (inputs.getInteger("runningQueries") + inputs.getInteger("queuedQueries") > 1) {
                                counted.add(at);
                            }
                            if (view.getInteger("needed") != needed) {
                                needed = view.getInteger("needed");
                                changes.add(new Change(at, needed, inputs.getInteger("waitingQueries"), view.getString("reason")));
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

        /** When a computation first counted more than one running or queued query at or after {@code since} (-1: never). */
        long firstCountedAfter(long since)
        {
            return counted.stream().filter(at -> at >= since).findFirst().orElse(-1L);
        }

        /** The first change at or after {@code since} that {@code matches}. */
        Change firstAfter(long since, Predicate<Change> matches)
        {
            return changes.stream().filter(change -> change.at() >= since && matches.test(change)).findFirst()
                    .orElseThrow(() -> new AssertionError("no such change of the signal after " + Instant.ofEpochMilli(since) + ": " + changes));
        }

        /** The last fall of the signal from above {@code level} to {@code level} or below, at or before {@code before}. */
        long lastFallTo(int level, long before)
        {
            List<Change> all = changes();
            long fell = -1;
            for (int i = 1; i < all.size(); i++) {
                if (all.get(i - 1).needed() > level && all.get(i).needed() <= level && all.get(i).at() <= before) {
                    fell = all.get(i).at();
                }
            }
            if (fell < 0) {
                throw new AssertionError("the signal never fell to " + level + " before " + Instant.ofEpochMilli(before) + ": " + all);
            }
            return fell;
        }

        void stop()
                throws Exception
        {
            stopping.set(true);
            poller.get(10, TimeUnit.SECONDS);
        }
    }

    /** {@code clients} loops of {@link #SCAN}, each client starting its next scan when the last ends. */
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
                        outcomes.add(SlowScan.run(coordinator, "scan-" + client, SCAN));
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
    /**
     * The agent's scale calls the orchestrator accepted, newest first, from Nomad's scaling history:
     * the scale front records each one there with the agent's token before the resize starts (no
     * count in Nomad's event; the count asked for in its Meta, put back as {@code Count} here).
     * {@code PreviousCount} is the group's count in Nomad then.
     */
    private static List<JsonObject> scaleEvents(TestingStack stack)
            throws IOException, InterruptedException
    {
        JsonArray events = workersGroupStatus(stack).getJsonArray("Events");
        return events == null ? List.of() : events.stream().map(JsonObject.class::cast)
                .filter(event -> event.getJsonObject("Meta") != null && event.getJsonObject("Meta").containsKey(ScaleFront.REQUESTED_COUNT))
                .map(event -> event.copy().put("Count", event.getJsonObject("Meta").getInteger(ScaleFront.REQUESTED_COUNT)))
                .toList();
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

    /**
     * Waits (at most a minute) until Nomad has placed the workers the agent asked for beyond {@code from}, the count the scale-in
     * started from, or something contradicts a reuse; answers the last look. The allocations are read before the agent's
     * decisions: the front records a decision in Nomad before the orchestrator raises the count for it, so every allocation
     * seen was asked for by a decision seen.
     */
    private ReuseEvidence.Look reuseEvidence(List<JsonObject> draining, int from, long since)
    {
        AtomicReference<ReuseEvidence.Look> last = new AtomicReference<>();
        try {
            await("Nomad places the workers asked for beyond the scale-in's start, if any").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<JsonObject> now = workerAllocations(stack);
                int asked = scaleEvents(stack).stream().filter(event -> eventMillis(event) > since).mapToInt(event -> event.getInteger("Count")).max().orElse(from);
                last.set(ReuseEvidence.look(draining, now, from, asked));
                return last.get().settled();
            });
        }
        catch (ConditionTimeoutException e) {
            // judged on the last look: its problems say what is missing
        }
        return last.get();
    }

    /** When the last operation that ended before {@code before} ended, by the cluster's events (0: none did). */
    private long lastOperationEnd(long before)
            throws IOException, InterruptedException
    {
        return clusterEvents(stack).stream()
                .filter(event -> List.of("scaled", "deploy-succeeded").contains(event.getString("type")) || event.getString("type").endsWith("-failed"))
                .mapToLong(event -> Instant.parse(event.getString("at")).toEpochMilli())
                .filter(at -> at < before)
                .max()
                .orElse(0L);
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

    /** Every node the coordinator knows, with its state: for failure messages. */
    private static Set<String> allNodes(String coordinator)
            throws IOException, InterruptedException
    {
        return column(coordinator, "SELECT node_id || ' ' || state || IF(coordinator, ' (coordinator)', '') FROM system.runtime.nodes");
    }

    /**
     * The coordinator's node counts from {@code /metrics} (Active includes the coordinator). Not a
     * query: a query at zero workers would wait for one, and the signal would count it.
     */
    private static Map<String, Integer> nodeCounts(String coordinator)
            throws IOException, InterruptedException
    {
        List<String> states = List.of("Active", "Inactive", "Draining", "Drained", "ShuttingDown");
        String query = states.stream().map(state -> "name%5B%5D=trino_metadata_name_DiscoveryNodeManager_" + state + "NodeCount").collect(Collectors.joining("&"));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/metrics?" + query)).timeout(Duration.ofSeconds(10))
                .header("X-Trino-User", "autoscaling-it").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Integer> counts = new TreeMap<>();
        for (String state : states) {
            Matcher matcher = Pattern.compile("(?m)^trino_metadata_name_DiscoveryNodeManager_" + state + "NodeCount\\s+(\\S+)").matcher(response.body());
            assertThat(matcher.find()).as("%sNodeCount in %s", state, response.body()).isTrue();
            counts.put(state, (int) Double.parseDouble(matcher.group(1)));
        }
        return counts;
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
}
