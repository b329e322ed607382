package io.prestoorchestrator.sim.nomad;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A recording stand-in for Consul's agent service API (register/deregister), for tests.
 */
final class RecordingConsul
        implements AutoCloseable
{
    record Call(String method, String path, String body, long epochNanos) {}

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    RecordingConsul()
    {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            java.time.Instant now = java.time.Instant.now();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body, now.getEpochSecond() * 1_000_000_000L + now.getNano()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    URI address()
    {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Call> calls()
    {
        return List.copyOf(calls);
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
