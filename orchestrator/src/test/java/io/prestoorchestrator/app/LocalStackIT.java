package io.prestoorchestrator.app;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.testing.TrinoCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's main command, run as a user would: {@code scripts/run-local.sh} brings up the real
 * local stack (simulators, moto, Traefik, Prometheus, the orchestrator jar); Prometheus has the demo
 * cluster's autoscaling signal from the orchestrator and scrapes the demo coordinator it finds through
 * the orchestrator's {@code GET /v1/prometheus/targets}; {@code /health/ready}
 * lists every dependency as up; stopping the Consul simulator turns it to 503 naming Consul;
 * {@code scripts/stop-local.sh} leaves none of the recorded processes running. Runs on its own
 * state dir and ports (PORT_OFFSET) so it does not touch a developer's stack.
 */
class LocalStackIT
{
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static Path localDir;
    private static Map<String, String> environment;

    @BeforeAll
    static void createDir()
            throws IOException
    {
        localDir = Files.createTempDirectory("local-stack-it");
        environment = Map.of("LOCAL_DIR", localDir.toString(), "PORT_OFFSET", "21000", "SKIP_BUILD", "1");
    }

    @AfterAll
    static void stopStack()
            throws Exception
    {
        List<Long> pids = recordedPids();
        Result stop = run("scripts/stop-local.sh");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %s still alive after stop-local.sh", pid).isFalse();
        }
    }

    @Test
    void testRunLocalBringsUpAHealthyStackAndReadinessNamesConsulWhenItStops()
            throws Exception
    {
        Result first = run("scripts/run-local.sh");
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("Local stack is up");

        Map<String, String> env = readEnv(localDir.resolve("env"));
        assertThat(env).containsKeys("ORCHESTRATOR_URL", "ORCHESTRATOR_TOKEN", "TRAEFIK_URL", "NOMAD_ADDR", "CONSUL_HTTP_ADDR", "AWS_ENDPOINT_URL",
                "TRINO_CLI_JAR", "DEMO_COORDINATOR_URL", "DEMO_URL");
        String orchestrator = env.get("ORCHESTRATOR_URL");

        HttpResponse<String> ready = get(orchestrator + "/health/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        Map<String, String> states = checkStates(ready.body());
        assertThat(states).containsEntry("nomad", "UP").containsEntry("consul", "UP").containsEntry("aws-ssm", "UP").containsEntry("aws-autoscaling", "UP");

        HttpResponse<String> info = get(orchestrator + "/v1/info", env.get("ORCHESTRATOR_TOKEN"));
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(info.body()).getString("principal")).isEqualTo("local-admin");
        assertThat(get(orchestrator + "/v1/info", null).statusCode()).isEqualTo(401);

        // the demo cluster answers the Trino CLI through Traefik at its public URL, as the README says
        String traefikPort = env.get("TRAEFIK_URL").substring(env.get("TRAEFIK_URL").lastIndexOf(':') + 1);
        assertThat(env.get("DEMO_URL")).isEqualTo("http://demo.trino.localhost:" + traefikPort);
        TrinoCli.Result answer = TrinoCli.execute(env.get("TRINO_CLI_JAR"), env.get("DEMO_URL"), "local-stack-it", "SELECT count(*) FROM tpch.sf1.lineitem",
                List.of("--http-proxy", "127.0.0.1:" + traefikPort));
        assertThat(answer.exitCode()).as(answer.output()).isZero();
        assertThat(answer.output()).endsWith("\"6001215\"");
        assertThat(env.get("DEMO_COORDINATOR_URL")).startsWith("http://127.0.0.1:");

        // the local Prometheus scrapes the orchestrator (a static target), so the demo cluster's autoscaling
        // signal is queryable there, as nomad-autoscaler queries it; and the demo coordinator, found in
        // Consul through the orchestrator's HTTP service discovery (Debian's build has no consul_sd),
        // labelled with its cluster as production's consul_sd job labels it
        String prometheus = env.get("PROMETHEUS_URL");
        String coordinator = env.get("DEMO_COORDINATOR_URL").substring("http://".length());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(promValues(prometheus, "up{job=\"presto-orchestrator\"}")).containsExactly("1");
            assertThat(promValues(prometheus, "presto_orchestrator_cluster_workers_needed{job=\"presto-orchestrator\",cluster=\"demo\"}")).hasSize(1);
            assertThat(promValues(prometheus, "up{job=\"trino-coordinators\",cluster=\"demo\",role=\"coordinator\",instance=\"" + coordinator + "\"}")).containsExactly("1");
            assertThat(promValues(prometheus, CoordinatorMetrics.QUEUED + "{job=\"trino-coordinators\",cluster=\"demo\"}")).hasSize(1);
        });

        List<Long> pidsBefore = recordedPids();
        Result second = run("scripts/run-local.sh");
        assertThat(second.exitCode()).as(second.output()).isZero();
        // every component says so: consul-sim, the Nomad server and its 3 clients, moto, traefik, prometheus, nomad-autoscaler, orchestrator
        assertThat(second.output().split("already running", -1)).hasSize(11);
        assertThat(recordedPids()).isEqualTo(pidsBefore);

        long consulPid = Long.parseLong(Files.readString(localDir.resolve("pids/consul-sim.pid")).strip());
        ProcessHandle consul = ProcessHandle.of(consulPid).orElseThrow();
        consul.destroy();
        consul.onExit().get(30, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> down = get(orchestrator + "/health/ready", null);
            assertThat(down.statusCode()).isEqualTo(503);
            Map<String, String> after = checkStates(down.body());
            assertThat(after).containsEntry("consul", "DOWN").containsEntry("nomad", "UP").containsEntry("aws-ssm", "UP");
        });
    }

    private static List<String> promValues(String prometheus, String query)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray result = new JsonObject(response.body()).getJsonObject("data").getJsonArray("result");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            values.add(result.getJsonObject(i).getJsonArray("value").getString(1));
        }
        return values;
    }

    private static Map<String, String> checkStates(String body)
    {
        JsonArray checks = new JsonObject(body).getJsonArray("checks");
        Map<String, String> states = new HashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            states.put(checks.getJsonObject(i).getString("id"), checks.getJsonObject(i).getString("status"));
        }
        return states;
    }

    private static List<Long> recordedPids()
            throws IOException
    {
        List<Long> pids = new ArrayList<>();
        Path dir = localDir.resolve("pids");
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    pids.add(Long.parseLong(Files.readString(file).strip()));
                }
            }
        }
        return pids;
    }

    private static Map<String, String> readEnv(Path file)
            throws IOException
    {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("export ")) {
                String assignment = line.substring("export ".length());
                int equals = assignment.indexOf('=');
                values.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            }
        }
        return values;
    }

    private static HttpResponse<String> get(String url, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Result run(String script)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("bash", REPO.resolve(script).toString())
                .directory(REPO.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        boolean exited = process.waitFor(10, TimeUnit.MINUTES);
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text);
        return new Result(exited ? process.exitValue() : -1, text);
    }

    private record Result(int exitCode, String output) {}
}
