package io.prestoorchestrator.sim.consul.http;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An error answered the way Consul answers errors: a status code and a text/plain body.
 */
final class ConsulHttpException
        extends RuntimeException
{
    private final int status;
    private final Map<String, String> headers;

    ConsulHttpException(int status, String message)
    {
        this(status, message, Map.of());
    }

    ConsulHttpException(int status, String message, Map<String, String> headers)
    {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.headers = Map.copyOf(requireNonNull(headers, "headers is null"));
    }

    static ConsulHttpException badRequest(String message)
    {
        return new ConsulHttpException(400, message);
    }

    static ConsulHttpException decodeFailed(String detail)
    {
        return new ConsulHttpException(400, "Request decode failed: " + detail);
    }

    static ConsulHttpException notFound(String message)
    {
        return new ConsulHttpException(404, message);
    }

    int status()
    {
        return status;
    }

    Map<String, String> headers()
    {
        return headers;
    }
}
