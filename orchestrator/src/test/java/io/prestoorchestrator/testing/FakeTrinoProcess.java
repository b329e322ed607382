package io.prestoorchestrator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A Trino process for tests that run the Nomad simulator without Trino: {@link #install} writes a
 * {@code bin/launcher} that starts this class in its own JVM. It listens on the allocation's
 * {@code NOMAD_PORT_http} and answers {@code GET /v1/info} as a started node from the start, so the
 * allocation's Consul checks pass and Nomad's deployment becomes healthy as with a real Trino. Its
 * {@code /metrics} answers only once the test calls {@link #serveCoordinatorMetrics}: until then the
 * coordinator counts no worker, so the orchestrator's wait for Trino waits for the test.
 */
public final class FakeTrinoProcess
{
    private static final String METRICS_FILE = "active-workers";

    private FakeTrinoProcess() {}

    /** Makes {@code trinoHome} a Trino installation whose launcher runs this fake. */
    public static void install(Path trinoHome)
            throws IOException
    {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path classes;
        try {
            classes = Path.of(FakeTrinoProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path launcher = Files.createDirectories(trinoHome.resolve("bin")).resolve("launcher");
        Files.writeString(launcher, """
                #!/bin/sh
                exec '%s' -Xmx32m -XX:TieredStopAtLevel=1 -cp '%s' %s '%s'
                """.formatted(java, classes, FakeTrinoProcess.class.getName(), trinoHome.resolve(METRICS_FILE)));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** From now on every fake coordinator under {@code trinoHome} counts {@code workers} active workers. */
    public static void serveCoordinatorMetrics(Path trinoHome, int workers)
            throws IOException
    {
        Path file = trinoHome.resolve(METRICS_FILE);
        Path temporary = Files.writeString(file.resolveSibling(METRICS_FILE + ".tmp"), Integer.toString(workers));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void main(String[] args)
            throws IOException
    {
        Path metricsFile = Path.of(args[0]);
        String port = System.getenv("NOMAD_PORT_http");
        if (port == null) {
            throw new IllegalStateException("NOMAD_PORT_http is not set: the fake Trino runs in a Nomad allocation with an 'http' port");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 0);
        server.createContext("/v1/info", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/v1/info")) {
                respond(exchange, 200, "{\"starting\":false}");
            }
            else {
                respond(exchange, 404, "");
            }
        });
        server.createContext("/metrics", exchange -> {
            if (!Files.exists(metricsFile)) {
                respond(exchange, 503, "");
                return;
            }
            int workers = Integer.parseInt(Files.readString(metricsFile).strip());
            respond(exchange, 200, "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount " + (workers + 1) + ".0\n");
        });
        server.start();
    }

    private static void respond(HttpExchange exchange, int status, String body)
            throws IOException
    {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
