package io.prestoorchestrator.cluster;

import static java.util.Objects.requireNonNull;

/**
 * Query memory limits.
 *
 * @param maxPerNode {@code query.max-memory-per-node}
 * @param max {@code query.max-memory} (whole cluster)
 */
public record QueryMemory(DataSize maxPerNode, DataSize max)
{
    public QueryMemory
    {
        requireNonNull(maxPerNode, "maxPerNode is null");
        requireNonNull(max, "max is null");
    }
}
