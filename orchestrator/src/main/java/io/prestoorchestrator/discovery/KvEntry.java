package io.prestoorchestrator.discovery;

import static io.prestoorchestrator.discovery.KvKeys.checkKey;
import static java.util.Objects.requireNonNull;

/**
 * One key of the orchestrator's KV store.
 *
 * @param key the key relative to the store's prefix ({@code clusters/c1})
 * @param value the value, UTF-8 text (JSON documents in practice)
 * @param modifyIndex the index of the last write: the version to hand to a compare-and-set
 */
public record KvEntry(String key, String value, long modifyIndex)
{
    public KvEntry
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        if (modifyIndex <= 0) {
            throw new IllegalArgumentException("modifyIndex must be positive: " + modifyIndex);
        }
    }
}
