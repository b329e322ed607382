package io.prestoorchestrator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.DependencyException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Transport to a HashiCorp HTTP API (Nomad, Consul): base address, ACL token header, timeout,
 * and one mapping of transport and status errors to {@link DependencyException} naming the
 * dependency. Written against the documented APIs (Nomad 1.6+, Consul 1.15+), not the simulators.
 */
public final class DependencyHttp
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final WebClient client;
    private final String dependency;
    private final String displayName;
    private final URI address;
    private final String tokenHeader;
    private final Optional<Secret> token;
    private final Duration timeout;

    public DependencyHttp(WebClient client, String dependency, String displayName, URI address, String tokenHeader, Optional<Secret> token, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.dependency = requireNonNull(dependency, "dependency is null");
        this.displayName = requireNonNull(displayName, "displayName is null");
        this.address = requireNonNull(address, "address is null");
        this.tokenHeader = requireNonNull(tokenHeader, "tokenHeader is null");
        this.token = requireNonNull(token, "token is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    public static DependencyHttp nomad(WebClient client, NomadConfig config)
    {
        return new DependencyHttp(client, "nomad", "Nomad", config.address(), "X-Nomad-Token", config.token(), config.requestTimeout());
    }

    public static DependencyHttp consul(WebClient client, ConsulConfig config)
    {
        return new DependencyHttp(client, "consul", "Consul", config.address(), "X-Consul-Token", config.token(), config.requestTimeout());
    }

    /**
     * {@code GET /v1/status/leader}, the same on Nomad and Consul: a JSON string with the leader's
     * RPC address, empty when there is none. (vertx-consul-client's {@code leaderStatus()} cuts the
     * last character off the address Consul sends, so it is not used.)
     */
    public Future<String> leader()
    {
        return send(request(HttpMethod.GET, "/v1/status/leader"))
                .compose(response -> {
                    try {
                        Object body = Json.decodeValue(response.bodyAsBuffer() == null ? Buffer.buffer("\"\"") : response.bodyAsBuffer());
                        return Future.succeededFuture(body instanceof String text ? text : "");
                    }
                    catch (DecodeException e) {
                        return Future.failedFuture(new DependencyException(dependency,
                                displayName + " at " + address + " answered /v1/status/leader with something that is not JSON", false, e));
                    }
                });
    }

    public HttpRequest<Buffer> request(HttpMethod method, String path)
    {
        String base = address.toString().replaceAll("/+$", "");
        HttpRequest<Buffer> request = client.requestAbs(method, base + path)
                .timeout(timeout.toMillis())
                .putHeader("Accept", "application/json");
        token.ifPresent(value -> request.putHeader(tokenHeader, value.reveal()));
        return request;
    }

    /**
     * Sends; a transport failure is 503-style (unavailable), a non-2xx answer names the status and body. A {@code GET}
     * whose connection was closed before an answer is sent once more on a new connection.
     */
    public Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request)
    {
        return send(request, Optional.empty(), Set.of());
    }

    /**
     * Sends with an optional JSON body; statuses in {@code passThrough} (e.g. 404 on a read, 409 on a
     * check-and-set) are handed back like 2xx for the caller to interpret, every other non-2xx fails.
     */
    public Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, Optional<? extends JsonNode> body, Set<Integer> passThrough)
    {
        requireNonNull(body, "body is null");
        requireNonNull(passThrough, "passThrough is null");
        Future<HttpResponse<Buffer>> sent;
        if (body.isPresent()) {
            byte[] bytes;
            try {
                bytes = MAPPER.writeValueAsBytes(body.get());
            }
            catch (JsonProcessingException e) {
                return Future.failedFuture(new IllegalArgumentException("cannot serialise request body: " + e.getMessage(), e));
            }
            sent = request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(bytes));
        }
        else {
            sent = request.send();
            if (request.method() == HttpMethod.GET) {
                // a read that went out on a pooled keep-alive connection the server had just closed (it restarted, or its
                // idle timeout ran out) never reached it: it goes once more, on a new connection, before anything is
                // concluded about the server (a readiness check once named Consul down for "Connection was closed")
                sent = sent.recover(failure -> failure instanceof HttpClosedException ? request.send() : Future.failedFuture(failure));
            }
        }
        return sent
                .recover(failure -> Future.failedFuture(unreachable(failure)))
                .compose(response -> response.statusCode() / 100 == 2 || passThrough.contains(response.statusCode())
                        ? Future.succeededFuture(response)
                        : Future.failedFuture(statusFailure(response)));
    }

    /** Sends with a raw body (Consul KV values); see {@link #send(HttpRequest, Optional, Set)}. */
    public Future<HttpResponse<Buffer>> sendBuffer(HttpRequest<Buffer> request, Buffer body, Set<Integer> passThrough)
    {
        requireNonNull(body, "body is null");
        requireNonNull(passThrough, "passThrough is null");
        return request.sendBuffer(body)
                .recover(failure -> Future.failedFuture(unreachable(failure)))
                .compose(response -> response.statusCode() / 100 == 2 || passThrough.contains(response.statusCode())
                        ? Future.succeededFuture(response)
                        : Future.failedFuture(statusFailure(response)));
    }

    /**
     * Makes a request a blocking query ({@code ?index=N&wait=D}, the same on Nomad and Consul): the
     * server holds it until something past {@code index} changes or {@code wait} passes, so the
     * timeout becomes wait + wait/16 (the jitter Consul adds) + the normal request timeout.
     */
    public HttpRequest<Buffer> blocking(HttpRequest<Buffer> request, long index, Duration wait)
    {
        requireNonNull(request, "request is null");
        requireNonNull(wait, "wait is null");
        if (index < 0) {
            throw new IllegalArgumentException("index is negative: " + index);
        }
        if (index > 0) {
            request.addQueryParam("index", Long.toString(index));
            long millis = Math.max(1, wait.toMillis());
            request.addQueryParam("wait", millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms");
        }
        return request.timeout(timeout.plus(wait).plus(wait.dividedBy(16)).toMillis());
    }

    /** The JSON body of an answer; an answer that is not JSON fails naming the dependency. */
    public JsonNode json(HttpResponse<Buffer> response)
    {
        Buffer body = response.bodyAsBuffer();
        if (body == null || body.length() == 0) {
            throw new DependencyException(dependency, displayName + " answered " + response.statusCode() + " with an empty body where JSON was expected", false, null);
        }
        try {
            return MAPPER.readTree(body.getBytes());
        }
        catch (java.io.IOException e) {
            throw new DependencyException(dependency, displayName + " answered " + response.statusCode() + " with something that is not JSON: "
                    + abbreviate(response.bodyAsString()), false, e);
        }
    }

    /** The raft index header ({@code X-Nomad-Index}, {@code X-Consul-Index}), when present and numeric. */
    public static OptionalLong index(HttpResponse<Buffer> response, String header)
    {
        String value = response.getHeader(header);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.strip()));
        }
        catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The failure for an answer the caller cannot use: names the status and the body; 5xx counts as unavailable. */
    public DependencyException statusFailure(HttpResponse<Buffer> response)
    {
        return new DependencyException(dependency,
                displayName + " answered " + response.statusCode() + ": " + abbreviate(response.bodyAsString()), response.statusCode() >= 500, null);
    }

    public String dependency()
    {
        return dependency;
    }

    public String displayName()
    {
        return displayName;
    }

    private DependencyException unreachable(Throwable failure)
    {
        return new DependencyException(dependency, displayName + " at " + address + " cannot be reached: " + failure.getMessage(), true, failure);
    }

    public static String abbreviate(String body)
    {
        if (body == null) {
            return "(no body)";
        }
        String trimmed = body.strip();
        return trimmed.length() > 300 ? trimmed.substring(0, 300) + "..." : trimmed;
    }
}
