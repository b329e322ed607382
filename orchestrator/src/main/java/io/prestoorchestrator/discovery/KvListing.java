package io.prestoorchestrator.discovery;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The answer to a {@link KvStore#watch}: the entries under the prefix, sorted by key, and the index
 * to hand to the next watch.
 */
public record KvListing(List<KvEntry> entries, long index)
{
    public KvListing
    {
        entries = List.copyOf(requireNonNull(entries, "entries is null"));
        if (index < 0) {
            throw new IllegalArgumentException("index is negative: " + index);
        }
    }
}
