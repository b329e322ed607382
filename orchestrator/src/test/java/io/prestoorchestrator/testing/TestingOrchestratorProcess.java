package io.prestoorchestrator.testing;

import io.vertx.core.json.JsonObject;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * One orchestrator replica as its own OS process, as {@code scripts/run-local.sh} starts it: the built
 * jar ({@code orchestrator/target/presto-orchestrator.jar}, made by {@code mvn package} before
 * failsafe runs) with {@code serve} and a YAML configuration, so that a test can {@link #kill} it
 * with SIGKILL. Its output goes to {@code <dir>/<replica>.log}.
 */
public final class TestingOrchestratorProcess
        implements AutoCloseable
{
    public static final Path JAR = Path.of("target/presto-orchestrator.jar").toAbsolutePath();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private final String replicaId;
    private final int port;
    private final Process process;
    private final Path log;

    private TestingOrchestratorProcess(String replicaId, int port, Process process, Path log)
    {
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.port = port;
        this.process = requireNonNull(process, "process is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Starts a replica named {@code replicaId} with {@code yaml} as its configuration, in which
     * {@code ${PORT}} is replaced by the API port chosen here, and {@code environment} added to a copy
     * of this JVM's environment without its {@code ORCHESTRATOR_*} variables; returns once {@code /health/live} answers.
     */
    public static TestingOrchestratorProcess start(Path dir, String replicaId, String yaml, Map<String, String> environment)
            throws IOException, InterruptedException
    {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after mvn package built it");
        }
        int port = freePort();
        Path config = Files.createDirectories(dir).resolve(replicaId + ".yaml");
        Files.writeString(config, yaml.replace("${PORT}", Integer.toString(port)));
        Path log = dir.resolve(replicaId + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "serve"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("ORCHESTRATOR_"));
        builder.environment().putAll(environment);
        builder.environment().put("ORCHESTRATOR_CONFIG", config.toString());
        Process process = builder.start();
        TestingOrchestratorProcess replica = new TestingOrchestratorProcess(replicaId, port, process, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("replica " + replicaId + " exited (" + process.exitValue() + "):\n" + replica.logTail(60));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(replica.uri("/health/live")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return replica;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IOException("replica " + replicaId + " did not answer /health/live within 90 s:\n" + replica.logTail(60));
    }

    public String replicaId()
    {
        return replicaId;
    }

    public long pid()
    {
        return process.pid();
    }

    public URI uri(String path)
    {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** {@code GET /v1/info}'s {@code leader}; false when the replica does not answer. */
    public boolean isLeader(String token)
    {
        try {
            HttpResponse<String> info = call("GET", "/v1/info", null, token);
            return info.statusCode() == 200 && new JsonObject(info.body()).getBoolean("leader", false);
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public HttpResponse<String> call(String method, String path, String body, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: the process ends at once, without giving up leadership or finishing anything. */
    public void kill()
            throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The last {@code lines} lines of its output. */
    public String logTail(int lines)
    {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path log()
    {
        return log;
    }

    /** SIGTERM (the replica gives up leadership and stops), SIGKILL after 30 s. */
    @Override
    public void close()
            throws InterruptedException
    {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
