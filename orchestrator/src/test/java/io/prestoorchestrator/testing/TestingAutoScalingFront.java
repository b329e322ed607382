package io.prestoorchestrator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The AWS endpoint for lifecycle-hook ITs. moto 5.2.5 serves SQS but answers CompleteLifecycleAction
 * and RecordLifecycleActionHeartbeat with 500, so this front answers and records those two Auto
 * Scaling actions and passes every other request to moto unchanged.
 */
public final class TestingAutoScalingFront
        implements AutoCloseable
{
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final URI moto;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    public TestingAutoScalingFront(URI moto)
            throws IOException
    {
        this.moto = moto;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint()
    {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange)
            throws IOException
    {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> form = form(new String(body, UTF_8));
        String action = form.getOrDefault("Action", "");
        if (action.equals("CompleteLifecycleAction") || action.equals("RecordLifecycleActionHeartbeat")) {
            recorded.add(new Recorded(action, form, Instant.now()));
            byte[] answer = ("<" + action + "Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><" + action + "Result/>"
                    + "<ResponseMetadata><RequestId>" + java.util.UUID.randomUUID() + "</RequestId></ResponseMetadata></" + action + "Response>").getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(moto.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> forward.header(name, value));
            }
        });
        try {
            HttpResponse<byte[]> response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            exchange.getResponseBody().write(response.body());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
        }
        finally {
            exchange.close();
        }
    }

    /** The Auto Scaling calls answered so far, in order. */
    public List<Recorded> recorded()
    {
        return List.copyOf(recorded);
    }

    public record Recorded(String action, Map<String, String> parameters, Instant at) {}

    private static Map<String, String> form(String text)
    {
        Map<String, String> values = new HashMap<>();
        for (String pair : text.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(URLDecoder.decode(pair.substring(0, equals), UTF_8), URLDecoder.decode(pair.substring(equals + 1), UTF_8));
            }
        }
        return values;
    }

    @Override
    public void close()
    {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
