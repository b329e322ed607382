package io.prestoorchestrator.testing;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The real Traefik binary ({@code TRAEFIK_BIN}) in front of a Consul, configured as
 * scripts/run-local.sh runs it: Consul Catalog provider, {@code exposedByDefault=false},
 * {@code strictChecks=passing}, 2 s refresh, access log to a file.
 */
public final class TestingTraefik
        implements AutoCloseable
{
    public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(2);

    private final Process process;
    private final int webPort;
    private final Path log;
    private final Path accessLog;

    private TestingTraefik(Process process, int webPort, Path log, Path accessLog)
    {
        this.process = process;
        this.webPort = webPort;
        this.log = log;
        this.accessLog = accessLog;
    }

    public static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public static TestingTraefik start(URI consul, int webPort, Path logDir)
            throws IOException, InterruptedException
    {
        String binary = requireNonNull(System.getenv("TRAEFIK_BIN"), "TRAEFIK_BIN is not set: run scripts/setup.sh and source ~/.cache/presto-orchestrator/env.sh");
        if (!new File(binary).canExecute()) {
            throw new IllegalStateException("TRAEFIK_BIN=" + binary + " is not executable: run scripts/setup.sh");
        }
        Files.createDirectories(logDir);
        int pingPort = freePort();
        Path log = logDir.resolve("traefik.log");
        Path accessLog = logDir.resolve("traefik-access.log");
        Process process = new ProcessBuilder(List.of(
                binary,
                "--global.checknewversion=false",
                "--global.sendanonymoususage=false",
                "--log.level=INFO",
                "--accesslog=true",
                "--accesslog.filepath=" + accessLog.toAbsolutePath(),
                "--entrypoints.web.address=127.0.0.1:" + webPort,
                "--entrypoints.traefik.address=127.0.0.1:" + pingPort,
                "--ping=true",
                "--ping.entrypoint=traefik",
                "--providers.consulcatalog=true",
                "--providers.consulcatalog.endpoint.address=" + consul.getHost() + ":" + consul.getPort(),
                "--providers.consulcatalog.exposedByDefault=false",
                "--providers.consulcatalog.strictChecks=passing",
                "--providers.consulcatalog.refreshInterval=" + REFRESH_INTERVAL.toSeconds() + "s",
                // issue 18: each cluster's public host is a KV router the orchestrator writes (consul.traefik-root-key)
                "--providers.consul=true",
                "--providers.consul.endpoints=" + consul.getHost() + ":" + consul.getPort(),
                "--providers.consul.rootKey=traefik"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        TestingTraefik traefik = new TestingTraefik(process, webPort, log, accessLog);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Traefik exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pingPort + "/ping")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return traefik;
                }
            }
            catch (IOException ignored) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                traefik.close();
                throw new IllegalStateException("Traefik did not answer its ping within 30s; see " + log.toAbsolutePath());
            }
            Thread.sleep(200);
        }
    }

    public int webPort()
    {
        return webPort;
    }

    /** An HTTP client that sends every request through Traefik as its proxy, so {@code http://<cluster>.trino.localhost:<port>} needs no DNS. */
    public HttpClient client()
    {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(java.net.ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", webPort))).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public List<String> accessLog()
            throws IOException
    {
        return Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
    }

    @Override
    public void close()
    {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
