package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the rendered readiness gate ({@code job-templates/trino/ready-check.sh.ftl}) with /bin/sh
 * and curl against a stand-in coordinator, checking the exit codes Nomad maps to check states:
 * only 0 (passing) may route, and "not ready" must be critical (2), never warning (1).
 */
class TestReadyCheckScript
{
    private static final String USER = "presto-orchestrator";
    private static final String STARTED = "{\"nodeVersion\":{\"version\":\"476\"},\"environment\":\"local\",\"coordinator\":true,\"starting\":false,\"uptime\":\"1.00m\"}";
    private static final String STARTING = "{\"nodeVersion\":{\"version\":\"476\"},\"environment\":\"local\",\"coordinator\":true,\"starting\":true,\"uptime\":\"1.00s\"}";

    @TempDir
    Path directory;

    private HttpServer coordinator;
    private volatile String info;
    private volatile String metrics;
    private volatile String metricsUser;
    private volatile String clusterStats;
    /** While held (count 1), /v1/info answers only once released: the script's probe times out first, on curl's own clock. */
    private volatile CountDownLatch infoHeld = new CountDownLatch(0);
    private String renderedCommand;
    private List<String> renderedArgs;

    @BeforeEach
    void start()
            throws IOException
    {
        coordinator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        coordinator.setExecutor(Executors.newCachedThreadPool());
        coordinator.createContext("/v1/info", exchange -> {
            try {
                if (!infoHeld.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("/v1/info held for 30 s: the test never released it");
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = info.getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        coordinator.createContext("/metrics", exchange -> {
            metricsUser = exchange.getRequestHeaders().getFirst("X-Trino-User");
            byte[] body = metrics.getBytes(UTF_8);
            exchange.sendResponseHeaders(metricsUser == null ? 401 : 200, metricsUser == null ? -1 : body.length);
            if (metricsUser != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        coordinator.createContext("/v1/cluster", exchange -> {
            byte[] body = clusterStats.getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        coordinator.start();
    }

    @AfterEach
    void stop()
    {
        answerInfo();
        coordinator.stop(0);
    }

    @Test
    void testPassesOnlyWithEnoughActiveWorkers()
            throws Exception
    {
        Path script = renderScript();
        info = STARTED;

        metrics = activeNodes("2.0");
        Result result = run(script, 2);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator counts 1 of 2 required active worker(s)\n");
        assertThat(metricsUser).isEqualTo(USER);

        metrics = activeNodes("3.0");
        result = run(script, 2);
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo("ready: the coordinator counts 2 active worker(s), 2 required\n");

        metrics = activeNodes("1.0");
        assertThat(run(script, 0).exitCode()).as("min 0: the coordinator alone is routable (queries wait for a worker)").isZero();
    }

    /** PrestoDB 0.287 has no /metrics: the gate reads /v1/cluster's activeWorkers, which leaves the coordinator out (answer recorded from 0.287). */
    @Test
    void testPrestoDbCountsWorkersFromClusterStats()
            throws Exception
    {
        Path script = renderScript(Flavour.PRESTODB);
        info = STARTED;
        metrics = activeNodes("9.0");
        clusterStats = new String(getClass().getResourceAsStream("/prestodb-0.287/cluster-idle.json").readAllBytes(), UTF_8);

        Result result = run(script, 2);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator counts 1 of 2 required active worker(s)\n");
        result = run(script, 1);
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo("ready: the coordinator counts 1 active worker(s), 1 required\n");
        assertThat(metricsUser).as("/metrics is never asked").isNull();

        clusterStats = "{\"runningQueries\":0}";
        result = run(script, 1);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("/v1/cluster has no activeWorkers");
    }

    @Test
    void testStartingCoordinatorIsNotReady()
            throws Exception
    {
        Path script = renderScript();
        info = STARTING;
        metrics = activeNodes("3.0");
        Result result = run(script, 1);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator is still starting\n");
    }

    @Test
    void testSilentCoordinatorAndMissingMetricAreNotReady()
            throws Exception
    {
        Path script = renderScript();
        info = "{\"starting\":false}";
        metrics = "# no node manager here\ntrino_other_metric 1.0\n";
        Result result = run(script, 1);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).startsWith("not ready: ").contains("has no DiscoveryNodeManager ActiveNodeCount");

        int port = coordinator.getAddress().getPort();
        coordinator.stop(0);
        result = run(script, 1);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).startsWith("not ready: the coordinator does not answer at http://127.0.0.1:" + port + "/v1/info");
    }

    @Test
    void testRoutedCoordinatorKeepsItsRouteThroughAFewSlowProbes()
            throws Exception
    {
        Path script = renderScript();
        info = STARTED;
        metrics = activeNodes("2.0");
        holdInfo();
        Result result = run(script, 1, 1, 2);
        assertThat(result.exitCode()).as("never routed yet: a slow coordinator is not ready").isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator did not answer %s/v1/info within 1s\n".formatted(base()));

        answerInfo();
        assertThat(run(script, 1, 1, 2).exitCode()).isZero();
        holdInfo();
        result = run(script, 1, 1, 2);
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo("ready (kept routed): the coordinator did not answer %s/v1/info within 1s; slow probe 1 of 2 tolerated\n".formatted(base()));
        assertThat(run(script, 1, 1, 2).output()).endsWith("slow probe 2 of 2 tolerated\n");
        result = run(script, 1, 1, 2);
        assertThat(result.exitCode()).as("a third slow probe in a row unroutes").isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator did not answer %s/v1/info within 1s\n".formatted(base()));
        assertThat(run(script, 1, 1, 2).exitCode()).as("unrouted again: no tolerance until it passes").isEqualTo(2);

        answerInfo();
        assertThat(run(script, 1, 1, 2).exitCode()).isZero();
        holdInfo();
        assertThat(run(script, 1, 1, 2).output()).endsWith("slow probe 1 of 2 tolerated\n");
        answerInfo();
        assertThat(run(script, 1, 1, 2).exitCode()).isZero();
        holdInfo();
        assertThat(run(script, 1, 1, 2).output()).as("an answer in time resets the count").endsWith("slow probe 1 of 2 tolerated\n");
    }

    @Test
    void testRoutedCoordinatorWithTooFewWorkersStaysRoutedAndSaysSo()
            throws Exception
    {
        Path script = routedWithTwoOfTwoWorkers();

        metrics = activeNodes("2.0");
        Result result = run(script, 2);
        assertThat(result.exitCode()).as("in-flight queries keep polling through the route").isZero();
        assertThat(result.output()).isEqualTo("ready: the coordinator counts 1 of 2 required active worker(s); kept routed, new queries wait in Trino for workers\n");
    }

    @Test
    void testRoutedCoordinatorThatRestartsOrStopsIsUnroutedAtOnce()
            throws Exception
    {
        Path script = routedWithTwoOfTwoWorkers();

        info = STARTING;
        assertThat(run(script, 2).output()).isEqualTo("not ready: the coordinator is still starting\n");
        info = STARTED;
        metrics = activeNodes("2.0");
        Result result = run(script, 2);
        assertThat(result.exitCode()).as("restarted: the worker minimum applies again").isEqualTo(2);
        assertThat(result.output()).isEqualTo("not ready: the coordinator counts 1 of 2 required active worker(s)\n");

        metrics = activeNodes("3.0");
        assertThat(run(script, 2).exitCode()).isZero();
        coordinator.stop(0);
        result = run(script, 2);
        assertThat(result.exitCode()).as("a refused connection is a gone coordinator, not a slow one").isEqualTo(2);
        assertThat(result.output()).startsWith("not ready: the coordinator does not answer at %s/v1/info".formatted(base()));
    }

    @Test
    void testFirstPassWantsTheCountOnConsecutiveProbesSpanningTheSettleTime()
            throws Exception
    {
        Path script = renderScript();
        // local.yaml: 10 s of settle at a probe every 2 s: the first and the sixth probe are 10 s apart
        int confirm = Integer.parseInt(renderedArgs.get(8));
        assertThat(confirm).isEqualTo(6);
        int probeSeconds = Integer.parseInt(renderedArgs.get(6));
        int tolerated = Integer.parseInt(renderedArgs.get(7));
        info = STARTED;
        metrics = activeNodes("2.0");
        for (int probe = 1; probe < confirm; probe++) {
            Result result = run(script, 1, probeSeconds, tolerated, confirm);
            assertThat(result.exitCode()).as("probe %d of %d", probe, confirm).isEqualTo(2);
            assertThat(result.output()).isEqualTo("not ready: the coordinator counts 1 active worker(s), 1 required; confirming, %d of %d probes in a row"
                    .formatted(probe, confirm) + " (a new coordinator counts a worker it has not asked yet as active)\n");
        }
        // the coordinator reads the worker's state: it was draining. The count starts over
        metrics = activeNodes("1.0");
        assertThat(run(script, 1, probeSeconds, tolerated, confirm).output()).isEqualTo("not ready: the coordinator counts 0 of 1 required active worker(s)\n");
        metrics = activeNodes("2.0");
        assertThat(run(script, 1, probeSeconds, tolerated, confirm).output()).contains("confirming, 1 of 6 probes in a row");
        for (int probe = 2; probe < confirm; probe++) {
            assertThat(run(script, 1, probeSeconds, tolerated, confirm).exitCode()).isEqualTo(2);
        }
        Result routed = run(script, 1, probeSeconds, tolerated, confirm);
        assertThat(routed.exitCode()).isZero();
        assertThat(routed.output()).isEqualTo("ready: the coordinator counts 1 active worker(s), 1 required\n");
        assertThat(run(script, 1, probeSeconds, tolerated, confirm).exitCode()).as("routed: no confirmation again").isZero();

        // restarted: the confirmation applies again
        info = STARTING;
        assertThat(run(script, 1, probeSeconds, tolerated, confirm).exitCode()).isEqualTo(2);
        info = STARTED;
        assertThat(run(script, 1, probeSeconds, tolerated, confirm).output()).contains("confirming, 1 of 6 probes in a row");
    }

    /** The gate rendered and passed once: a started coordinator that counts 2 of 2 required workers. */
    private Path routedWithTwoOfTwoWorkers()
            throws IOException, InterruptedException
    {
        Path script = renderScript();
        info = STARTED;
        metrics = activeNodes("3.0");
        assertThat(run(script, 2).exitCode()).isZero();
        return script;
    }

    private String base()
    {
        return "http://127.0.0.1:" + coordinator.getAddress().getPort();
    }

    private static String activeNodes(String value)
    {
        return """
                # TYPE trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount gauge
                trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount %s
                trino_metadata_name_DiscoveryNodeManager_InactiveNodeCount 0.0
                """.formatted(value);
    }

    private Path renderScript()
            throws IOException
    {
        return renderScript(Flavour.TRINO);
    }

    private Path renderScript(Flavour flavour)
            throws IOException
    {
        ClusterSpec trino = TestingClusterSpecs.local();
        ClusterSpec spec = new ClusterSpec(trino.name(), flavour, trino.version(), trino.image(), trino.environment(), trino.coordinator(), trino.workers(),
                trino.workerResources(), trino.jvm(), trino.queryMemory(), trino.catalogs(), trino.properties(), trino.allowUnknownProperties(), trino.labels(), trino.autoscaling());
        RenderInputs local = TestingRenderInputs.local();
        java.util.Map<String, String> environment = new java.util.HashMap<>(local.environment());
        environment.put("PRESTODB_HOME", "/opt/presto-server-0.287");
        environment.put("PRESTODB_JAVA_HOME", "/opt/jdk-11");
        RenderInputs inputs = new RenderInputs(local.catalogs(), local.config(), local.secrets(), local.orchestratorVersion(), local.deployedBy(), environment, local.coordinatorPort());
        JsonNode group = new JobRenderer(TestingRenderInputs.TEMPLATES).render(spec, inputs)
                .job().get("Job").get("TaskGroups").get(0);
        JsonNode task = group.get("Tasks").get(0);
        renderedArgs = new ArrayList<>();
        group.get("Services").forEach(service -> service.get("Checks").forEach(check -> {
            if (check.get("Type").asText().equals("script")) {
                renderedCommand = check.get("Command").asText();
                check.get("Args").forEach(arg -> renderedArgs.add(arg.asText()));
            }
        }));
        // sh -c '<script> "$@"' $0 port required user probe-seconds tolerated confirm
        assertThat(renderedArgs).as("the gate's rendered arguments").hasSize(9);
        // Nomad 1.6 registers a group service's script check interpolated without the task's variables and
        // updates it interpolated with them: a task variable in Command/Args gives two check IDs
        assertThat(renderedArgs).as("group-level script check arguments use no task-only Nomad variable")
                .noneMatch(arg -> arg.contains("${NOMAD_TASK_DIR}") || arg.contains("${NOMAD_ALLOC_DIR}") || arg.contains("${NOMAD_SECRETS_DIR}"));
        String body = TestJobRenderer.templates(task).get("local/ready-check.sh");
        assertThat(body).startsWith("#!/bin/sh\n");
        Path script = directory.resolve("ready-check.sh");
        Files.writeString(script, body, UTF_8);
        return script;
    }

    /**
     * Runs the gate as Nomad would, with the rendered probe timeout and tolerance, and a first pass on the
     * first probe that counts enough workers (the settle confirmation has its own test).
     */
    private Result run(Path script, int required)
            throws IOException, InterruptedException
    {
        return run(script, required, Integer.parseInt(renderedArgs.get(6)), Integer.parseInt(renderedArgs.get(7)), 1);
    }

    private Result run(Path script, int required, int probeSeconds, int tolerated)
            throws IOException, InterruptedException
    {
        return run(script, required, probeSeconds, tolerated, 1);
    }

    private Result run(Path script, int required, int probeSeconds, int tolerated, int confirm)
            throws IOException, InterruptedException
    {
        // as Nomad runs it: the rendered command and its first three arguments, in the task's environment
        List<String> command = new ArrayList<>(List.of(renderedCommand));
        command.addAll(renderedArgs.subList(0, 3));
        command.addAll(List.of(Integer.toString(coordinator.getAddress().getPort()), Integer.toString(required), USER,
                Integer.toString(probeSeconds), Integer.toString(tolerated), Integer.toString(confirm)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NOMAD_TASK_DIR", script.getParent().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** /v1/info answers nothing until {@link #answerInfo}: the gate's next probes time out (the probe's timeout is the script's). */
    private void holdInfo()
    {
        infoHeld = new CountDownLatch(1);
    }

    /** /v1/info answers at once again, and the answers held so far go out (to probes that gave up on them). */
    private void answerInfo()
    {
        CountDownLatch held = infoHeld;
        infoHeld = new CountDownLatch(0);
        held.countDown();
    }

    private record Result(int exitCode, String output) {}
}
