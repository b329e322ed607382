package io.prestoorchestrator.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs a statement over Trino's client protocol (POST /v1/statement, then every nextUri) without
 * starting a CLI process: cheap enough to keep a stream of short queries going on a 2-core machine.
 * Like Trino's own clients it retries a nextUri request answered 502, 503 or 504 (the protocol
 * calls those intermittent, to be retried after 50-100 ms) a bounded number of times; the submitting
 * POST is never repeated, and any other answer counts.
 */
public final class TrinoStatements
{
    private static final int RETRIES = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private TrinoStatements() {}

    /**
     * @param error the failure as Trino names it ({@code errorName: message}), or how the protocol broke; empty when the query finished
     * @param rows the number of data rows received
     */
    public record Outcome(String sql, long startedNanos, long endedNanos, Optional<String> error, long rows)
    {
        public boolean succeeded()
        {
            return error.isEmpty();
        }
    }

    public static Outcome run(String coordinator, String user, String sql)
    {
        return run(HTTP, coordinator, user, sql);
    }

    /** As {@link #run(String, String, String)}, with {@code client} for every request (e.g. one with Traefik as its proxy: the public URL, as the Trino CLI reaches it). */
    public static Outcome run(HttpClient client, String coordinator, String user, String sql)
    {
        long started = System.nanoTime();
        long rows = 0;
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/statement"))
                    .timeout(Duration.ofMinutes(2))
                    .header("X-Trino-User", user)
                    .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
            while (true) {
                if (response.statusCode() != 200) {
                    return new Outcome(sql, started, System.nanoTime(), Optional.of("HTTP " + response.statusCode() + ": " + response.body()), rows);
                }
                JsonObject body = new JsonObject(response.body());
                if (body.getJsonArray("data") != null) {
                    rows += body.getJsonArray("data").size();
                }
                JsonObject error = body.getJsonObject("error");
                if (error != null) {
                    return new Outcome(sql, started, System.nanoTime(), Optional.of(error.getString("errorName") + ": " + error.getString("message")), rows);
                }
                String next = body.getString("nextUri");
                if (next == null) {
                    return new Outcome(sql, started, System.nanoTime(), Optional.empty(), rows);
                }
                response = sendIdempotent(client, HttpRequest.newBuilder(URI.create(next)).timeout(Duration.ofMinutes(2)).header("X-Trino-User", user).build());
            }
        }
        catch (IOException e) {
            return new Outcome(sql, started, System.nanoTime(), Optional.of("protocol: " + e), rows);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(sql, started, System.nanoTime(), Optional.of("interrupted"), rows);
        }
    }

    private static HttpResponse<String> sendIdempotent(HttpClient client, HttpRequest request)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        for (int attempt = 1; attempt < RETRIES && List.of(502, 503, 504).contains(response.statusCode()); attempt++) {
            Thread.sleep(100);
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        return response;
    }
}
