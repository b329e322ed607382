package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A tiny Nomad HTTP client for tests: raw status, headers and body.
 */
final class NomadHttp
{
    static final ObjectMapper MAPPER = new ObjectMapper();

    record Response(int status, String body, Optional<String> indexHeader)
    {
        JsonNode json()
        {
            try {
                return MAPPER.readTree(body);
            }
            catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }

        Optional<String> index()
        {
            return indexHeader;
        }

        long nomadIndex()
        {
            return Long.parseLong(indexHeader.orElseThrow());
        }
    }

    private final URI base;
    private final Optional<String> token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    NomadHttp(URI base, Optional<String> token)
    {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
    }

    NomadHttp(URI base)
    {
        this(base, Optional.empty());
    }

    Response get(String path)
    {
        return send("GET", path, null);
    }

    Response put(String path, String body)
    {
        return send("PUT", path, body);
    }

    Response post(String path, String body)
    {
        return send("POST", path, body);
    }

    Response delete(String path)
    {
        return send("DELETE", path, null);
    }

    Response send(String method, String path, String body)
    {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        token.ifPresent(t -> builder.header("X-Nomad-Token", t));
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers().firstValue("X-Nomad-Index"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A minimal service job with one raw_exec task running {@code sh -c script}. */
    static String shellJob(String id, String group, int count, String script, String extraTaskFields, String extraGroupFields)
    {
        return """
                {"Job":{"ID":"%s","Datacenters":["dc1"],"Type":"service","TaskGroups":[{"Name":"%s","Count":%d,
                  "RestartPolicy":{"Attempts":1,"Delay":100000000,"Interval":60000000000,"Mode":"fail"}%s,
                  "Tasks":[{"Name":"main","Driver":"raw_exec","Config":{"command":"/bin/sh","args":["-c",%s]}%s}]}]}}
                """.formatted(id, group, count, extraGroupFields, quote(script), extraTaskFields);
    }

    static String quote(String text)
    {
        try {
            return MAPPER.writeValueAsString(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
