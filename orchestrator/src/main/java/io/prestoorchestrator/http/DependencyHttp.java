package io.prestoorchestrator.http;

import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.DependencyException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Transport to a HashiCorp HTTP API (Nomad, Consul): base address, ACL token header, timeout,
 * and one mapping of transport and status errors to {@link DependencyException} naming the
 * dependency. Written against the documented APIs (Nomad 1.6+, Consul 1.15+), not the simulators.
 */
public final class DependencyHttp
{
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

    /** Sends; a transport failure is 503-style (unavailable), a non-2xx answer names the status and body. */
    public Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request)
    {
        return request.send()
                .recover(failure -> Future.failedFuture(new DependencyException(dependency,
                        displayName + " at " + address + " cannot be reached: " + failure.getMessage(), true, failure)))
                .compose(response -> response.statusCode() / 100 == 2
                        ? Future.succeededFuture(response)
                        : Future.failedFuture(new DependencyException(dependency,
                        displayName + " answered " + response.statusCode() + ": " + abbreviate(response.bodyAsString()), response.statusCode() >= 500, null)));
    }

    private static String abbreviate(String body)
    {
        if (body == null) {
            return "(no body)";
        }
        String trimmed = body.strip();
        return trimmed.length() > 300 ? trimmed.substring(0, 300) + "..." : trimmed;
    }
}
