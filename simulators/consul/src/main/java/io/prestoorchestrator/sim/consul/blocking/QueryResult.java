package io.prestoorchestrator.sim.consul.blocking;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One evaluation of a read endpoint: the HTTP status, the raft index describing the data and the
 * body (a Vert.x JSON value, or null for no body, as Consul sends for a KV 404).
 */
public record QueryResult(int status, long index, Object body, Map<String, String> headers)
{
    public QueryResult
    {
        headers = Map.copyOf(requireNonNull(headers, "headers is null"));
        if (index < 0) {
            throw new IllegalArgumentException("index is negative");
        }
    }

    public static QueryResult ok(long index, Object body)
    {
        return new QueryResult(200, index, body, Map.of());
    }

    public static QueryResult notFound(long index)
    {
        return new QueryResult(404, index, null, Map.of());
    }

    /**
     * An error answer with a text/plain body, as Consul writes errors.
     */
    public static QueryResult text(int status, String message)
    {
        return new QueryResult(status, 0, new PlainText(message), Map.of());
    }

    public record PlainText(String text)
    {
        public PlainText
        {
            requireNonNull(text, "text is null");
        }
    }
}
