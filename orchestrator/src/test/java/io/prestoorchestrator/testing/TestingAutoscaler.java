package io.prestoorchestrator.testing;

import io.prestoorchestrator.render.SystemJobRenderer;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus scraping the orchestrator's {@code /metrics} (or a stand-in for it) and the real
 * nomad-autoscaler agent against a Nomad, configured as scripts/run-local.sh does: the
 * production agent template rendered with {@code job-templates/local/nomad-autoscaler.yaml}, its
 * Prometheus APM on that Prometheus. Needs PROMETHEUS_BIN and NOMAD_AUTOSCALER_BIN.
 */
public final class TestingAutoscaler
        implements AutoCloseable
{
    private static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path dir;
    private final Path agentLog;
    private Process prometheus;
    private Process agent;
    private int prometheusPort;

    private TestingAutoscaler(Path dir)
    {
        this.dir = requireNonNull(dir, "dir is null");
        this.agentLog = dir.resolve("nomad-autoscaler.log");
    }

    /**
     * Starts Prometheus scraping {@code 127.0.0.1:<metricsPort>/metrics} every {@code scrape}, then the
     * agent (DEBUG log) against {@code nomad}, its target for the Trino worker groups on
     * {@code 127.0.0.1:<scaleFrontPort>} (the orchestrator's scale front, or Nomad's own port to have
     * the agent scale through Nomad directly); both write their logs and data below {@code dir}.
     */
    public static TestingAutoscaler start(Path dir, URI nomad, int metricsPort, int scaleFrontPort, Duration scrape)
            throws Exception
    {
        TestingAutoscaler autoscaler = new TestingAutoscaler(Files.createDirectories(dir));
        try {
            autoscaler.startPrometheus(metricsPort, scrape);
            autoscaler.startAgent(nomad, scaleFrontPort);
            return autoscaler;
        }
        catch (Exception | AssertionError e) {
            autoscaler.close();
            throw e;
        }
    }

    /** The agent's log: its decisions ("scaling up because metric is 3", "skipping scaling, no action needed"). */
    public Path agentLog()
    {
        return agentLog;
    }

    public String agentLogText()
            throws IOException
    {
        return Files.exists(agentLog) ? Files.readString(agentLog) : "";
    }

    public boolean agentAlive()
    {
        return agent != null && agent.isAlive();
    }

    public URI prometheus()
    {
        return URI.create("http://127.0.0.1:" + prometheusPort);
    }

    private void startPrometheus(int metricsPort, Duration scrape)
            throws Exception
    {
        String binary = requiredBinary("PROMETHEUS_BIN");
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: %ds
                scrape_configs:
                  - job_name: presto-orchestrator
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(scrape.toSeconds(), metricsPort));
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        prometheus = process;
        prometheusPort = port;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(process.isAlive()).as("prometheus exited; log:\n%s", Files.readString(log)).isTrue();
            return status(URI.create("http://127.0.0.1:" + port + "/-/ready")) == 200;
        });
    }

    private void startAgent(URI nomad, int scaleFrontPort)
            throws Exception
    {
        String binary = requiredBinary("NOMAD_AUTOSCALER_BIN");
        String configText = new SystemJobRenderer(TEMPLATES).renderFile("nomad-autoscaler/agent.hcl.ftl",
                TEMPLATES.resolve("local/nomad-autoscaler.yaml"),
                Map.of("NOMAD_PORT", String.valueOf(nomad.getPort()), "PROMETHEUS_PORT", String.valueOf(prometheusPort), "SCALE_FRONT_PORT", String.valueOf(scaleFrontPort),
                        "NOMAD_AUTOSCALER_LOG_LEVEL", "DEBUG"));
        Path config = dir.resolve("nomad-autoscaler.hcl");
        Files.writeString(config, configText);
        int port = freePort();
        Process process = new ProcessBuilder(binary, "agent", "-config=" + config, "-http-bind-address=127.0.0.1", "-http-bind-port=" + port,
                "-plugin-dir=" + Files.createDirectories(dir.resolve("plugins")))
                .redirectErrorStream(true)
                .redirectOutput(agentLog.toFile())
                .start();
        agent = process;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(process.isAlive()).as("nomad-autoscaler exited; log:\n%s", Files.readString(agentLog)).isTrue();
            return status(URI.create("http://127.0.0.1:" + port + "/v1/health")) == 200;
        });
    }

    private int status(URI uri)
    {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close()
    {
        try {
            stop(agent);
            stop(prometheus);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Process process : new Process[] {agent, prometheus}) {
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private static String requiredBinary(String variable)
    {
        String binary = requireNonNull(System.getenv(variable), variable + " is not set: run scripts/setup.sh and source ~/.cache/presto-orchestrator/env.sh");
        if (!new File(binary).canExecute()) {
            throw new IllegalStateException(variable + "=" + binary + " is not executable: run scripts/setup.sh");
        }
        return binary;
    }

    public static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void stop(Process process)
            throws InterruptedException
    {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
