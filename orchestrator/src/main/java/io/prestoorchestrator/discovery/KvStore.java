package io.prestoorchestrator.discovery;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The orchestrator's own state (cluster specs, operations, drains) as versioned text values under
 * one prefix. Every write that can lose an update is a compare-and-set against the
 * {@link KvEntry#modifyIndex()} read before; a lost race fails with
 * {@link io.prestoorchestrator.error.ConflictException} (409). The store being down fails with
 * {@link io.prestoorchestrator.error.DependencyException}. Keys are relative to the store's prefix.
 */
public interface KvStore
{
    /** The entry, or empty when the key does not exist. */
    CompletionStage<Optional<KvEntry>> get(String key);

    /** Every entry whose key starts with {@code prefix} (empty: all), sorted by key. */
    CompletionStage<List<KvEntry>> list(String prefix);

    /** Writes unconditionally (last writer wins): only for values nobody else updates. */
    CompletionStage<Void> put(String key, String value);

    /**
     * Writes only if the key is still at {@code expectedModifyIndex}; 0 means "create, the key must
     * not exist". Fails with a ConflictException otherwise.
     */
    CompletionStage<Void> compareAndSet(String key, String value, long expectedModifyIndex);

    /** Deletes the key; deleting a missing key succeeds. */
    CompletionStage<Void> delete(String key);

    /**
     * Deletes the key only if it is still at {@code expectedModifyIndex}; fails with a
     * ConflictException when it changed. A key that is already gone counts as deleted (as in Consul).
     */
    CompletionStage<Void> deleteIfUnchanged(String key, long expectedModifyIndex);
}
