package io.prestoorchestrator.sim.nomad;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recording stand-in for Consul's agent service API (register/deregister), for tests; GET
 * /v1/agent/checks answers every check registered so far with the status {@link #setCheckStatus} set.
 */
final class RecordingConsul
        implements AutoCloseable
{
    record Call(String method, String path, String body, long epochNanos) {}

    private final HttpServer server;
    private static final Pattern CHECK_ID = Pattern.compile("\"CheckID\":\"([^\"]+)\"");

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile String checkStatus = "passing";

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
            if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/v1/agent/checks")) {
                byte[] checks = checks().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, checks.length);
                exchange.getResponseBody().write(checks);
                exchange.close();
                return;
            }
            calls.add(new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body, now.getEpochSecond() * 1_000_000_000L + now.getNano()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    void setCheckStatus(String status)
    {
        checkStatus = status;
    }

    private String checks()
    {
        StringBuilder out = new StringBuilder("{");
        for (Call call : calls) {
            if (call.path().equals("/v1/agent/service/register")) {
                Matcher matcher = CHECK_ID.matcher(call.body());
                while (matcher.find()) {
                    out.append(out.length() > 1 ? "," : "").append('"').append(matcher.group(1)).append("\":{\"Status\":\"").append(checkStatus).append("\"}");
                }
            }
        }
        return out.append('}').toString();
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
