package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Acl;
import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One request to a Consul endpoint: its decoded path suffix, parameters, body and token, and the
 * ways to answer it with Consul's headers.
 */
final class Call
{
    private final HttpServerRequest request;
    private final Buffer body;
    private final String suffix;
    private final Acl acl;
    private Authorizer authorizer;

    Call(HttpServerRequest request, Buffer body, String suffix, Acl acl)
    {
        this.request = requireNonNull(request, "request is null");
        this.body = requireNonNull(body, "body is null");
        this.suffix = requireNonNull(suffix, "suffix is null");
        this.acl = requireNonNull(acl, "acl is null");
    }

    HttpServerRequest request()
    {
        return request;
    }

    String method()
    {
        return request.method().name();
    }

    /**
     * The part of the (decoded) path after the endpoint's prefix, e.g. the key of /v1/kv/:key.
     */
    String suffix()
    {
        return suffix;
    }

    Buffer body()
    {
        return body;
    }

    MultiMap params()
    {
        return request.params();
    }

    boolean hasParam(String name)
    {
        return request.params().contains(name);
    }

    Optional<String> param(String name)
    {
        return Optional.ofNullable(request.params().get(name)).filter(value -> !value.isEmpty());
    }

    /**
     * The request's token: ?token=, else X-Consul-Token, else "Authorization: Bearer", else empty.
     */
    String token()
    {
        String query = request.params().get("token");
        if (query != null && !query.isEmpty()) {
            return query;
        }
        String header = request.getHeader("X-Consul-Token");
        if (header != null && !header.isEmpty()) {
            return header;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            String[] parts = authorization.trim().split("\\s+");
            if (parts.length > 1 && parts[0].equalsIgnoreCase("bearer")) {
                return parts[1];
            }
        }
        return "";
    }

    /**
     * Resolves the token; throws the 403 "ACL not found" for an unknown token.
     */
    Authorizer authorizer()
    {
        if (authorizer == null) {
            authorizer = acl.resolve(token());
        }
        return authorizer;
    }

    void respondJson(int status, Object value, Map<String, String> headers)
    {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status);
        headers.forEach(response::putHeader);
        if (value == null) {
            response.end();
            return;
        }
        if (value instanceof KvEndpoints.RawValue raw) {
            raw.writeTo(response);
            return;
        }
        if (value instanceof QueryResult.PlainText text) {
            response.putHeader("Content-Type", "text/plain; charset=utf-8").end(text.text());
            return;
        }
        response.putHeader("Content-Type", "application/json").end(GoJson.marshalIndent(value));
    }

    void respondJson(Object value)
    {
        respondJson(200, value, Map.of());
    }

    /**
     * A successful write with no body, as Consul answers agent registrations.
     */
    void respondEmpty()
    {
        respondJson(200, null, Map.of());
    }
}
