package io.prestoorchestrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.error.FieldError;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * One-shot calls to the orchestrator's REST API with {@link HttpClient}. An answer outside 2xx
 * becomes a {@link CliException} that shows the problem document ({@code error: <title>: <detail>}
 * and a line per field error); an orchestrator that cannot be reached becomes one that names the
 * URL and how to fix it.
 */
final class OrchestratorClient
{
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final URI base;
    private final Optional<String> token;

    OrchestratorClient(URI base, Optional<String> token)
    {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
    }

    URI base()
    {
        return base;
    }

    /** The answer whatever its status. */
    Response send(String method, String path, Optional<JsonNode> body)
            throws InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        if (body.isPresent()) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json(body.get()), UTF_8));
        }
        else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        }
        catch (HttpConnectTimeoutException e) {
            throw unreachable("connecting timed out");
        }
        catch (HttpTimeoutException e) {
            throw CliException.failed(method + " " + base + path + " got no answer within " + REQUEST_TIMEOUT.toSeconds() + "s: the orchestrator or one of its dependencies is slow; try again, or check its log");
        }
        catch (ConnectException e) {
            throw unreachable(describe(e));
        }
        catch (IOException e) {
            throw unreachable(describe(e));
        }
        return new Response(method, path, response.statusCode(), parse(response.body()), response.body());
    }

    /** The body of a 2xx answer; any other answer fails. */
    JsonNode call(String method, String path, Optional<JsonNode> body)
            throws InterruptedException
    {
        Response response = send(method, path, body);
        if (!response.ok()) {
            throw response.failure(token.isPresent());
        }
        return response.body();
    }

    JsonNode get(String path)
            throws InterruptedException
    {
        return call("GET", path, Optional.empty());
    }

    static String segment(String value)
    {
        return URLEncoder.encode(value, UTF_8).replace("+", "%20");
    }

    private CliException unreachable(String reason)
    {
        return CliException.unreachable("cannot reach the orchestrator at " + base + ": " + reason,
                List.of("start it (java -jar orchestrator/target/presto-orchestrator.jar serve, or scripts/run-local.sh) or point --url (or $"
                        + ApiOptions.URL_ENV + ") at a running one"));
    }

    private String describe(IOException e)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "host " + base.getHost() + " is unknown";
            }
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank()) {
                return message.equalsIgnoreCase("Connection refused") ? "connection refused" : message;
            }
        }
        // the JDK's client reports a refused connection as a ConnectException without a message
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    private static String json(JsonNode body)
    {
        try {
            return ClusterJson.MAPPER.writeValueAsString(body);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body)
    {
        if (body == null || body.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return ClusterJson.MAPPER.readTree(body);
        }
        catch (JsonProcessingException e) {
            return NullNode.getInstance();
        }
    }

    /** An answer: {@code body} is the JSON document, or null when there was none (or it was not JSON; {@code text} has it). */
    record Response(String method, String path, int status, JsonNode body, String text)
    {
        boolean ok()
        {
            return status >= 200 && status < 300;
        }

        CliException failure(boolean tokenGiven)
        {
            List<String> hints = new ArrayList<>();
            if (status == 401 && !tokenGiven) {
                hints.add("give an API token with --token-file FILE, --token TOKEN or $" + ApiOptions.TOKEN_ENV);
            }
            if (body.isObject() && body.hasNonNull("title")) {
                List<FieldError> errors = new ArrayList<>();
                body.path("errors").forEach(error -> errors.add(new FieldError(error.path("field").asText("/"), error.path("message").asText(""))));
                String detail = body.path("detail").asText("");
                return new CliException(CliException.FAILED, body.get("title").asText() + (detail.isEmpty() ? "" : ": " + detail), errors, hints);
            }
            String excerpt = text == null ? "" : text.strip();
            excerpt = excerpt.length() > 200 ? excerpt.substring(0, 200) + "..." : excerpt;
            return new CliException(CliException.FAILED, "HTTP " + status + " from " + method + " " + path + (excerpt.isEmpty() ? "" : ": " + excerpt), List.of(), hints);
        }
    }
}
