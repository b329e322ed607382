package io.prestoorchestrator.cluster;

import static java.util.Objects.requireNonNull;

/** A stored value with the modify index its next compare-and-set must name. */
public record Versioned<T>(T value, long index)
{
    public Versioned
    {
        requireNonNull(value, "value is null");
    }
}
