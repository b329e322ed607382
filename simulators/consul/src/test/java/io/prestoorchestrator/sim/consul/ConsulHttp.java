package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * A plain HTTP client for talking to a Consul API (simulated or real) in tests.
 */
final class ConsulHttp
{
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final URI base;
    private final Map<String, String> defaultHeaders;

    ConsulHttp(URI base)
    {
        this(base, Map.of());
    }

    ConsulHttp(URI base, Map<String, String> defaultHeaders)
    {
        this.base = requireNonNull(base, "base is null");
        this.defaultHeaders = Map.copyOf(defaultHeaders);
    }

    ConsulHttp withToken(String token)
    {
        return new ConsulHttp(base, Map.of("X-Consul-Token", token));
    }

    Response get(String pathAndQuery, String... headers)
    {
        return send("GET", pathAndQuery, null, headers);
    }

    Response put(String pathAndQuery, String body, String... headers)
    {
        return send("PUT", pathAndQuery, body, headers);
    }

    Response delete(String pathAndQuery, String... headers)
    {
        return send("DELETE", pathAndQuery, null, headers);
    }

    Response send(String method, String pathAndQuery, String body, String... headers)
    {
        try {
            return sendAsync(method, pathAndQuery, body, headers).join();
        }
        catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw e;
        }
    }

    CompletableFuture<Response> sendAsync(String method, String pathAndQuery, String body, String... headers)
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        defaultHeaders.forEach(request::header);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Response(response.statusCode(), response.headers().map(), response.body()));
    }

    record Response(int status, Map<String, java.util.List<String>> headers, String body)
    {
        Optional<String> header(String name)
        {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .flatMap(entry -> entry.getValue().stream())
                    .findFirst();
        }

        long index()
        {
            return Long.parseLong(header("X-Consul-Index").orElseThrow(() -> new AssertionError("no X-Consul-Index header: " + this)));
        }

        /**
         * The body without the newline a dev agent appends to JSON, e.g. "true" for a KV write.
         */
        String text()
        {
            return body.endsWith("\n") ? body.substring(0, body.length() - 1) : body;
        }

        JsonObject json()
        {
            return new JsonObject(body);
        }

        JsonArray jsonArray()
        {
            return new JsonArray(body);
        }
    }
}
