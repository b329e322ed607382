package io.prestoorchestrator.discovery;

import java.time.Duration;
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

    /**
     * A blocking list, as Consul's blocking queries: answers once something under {@code prefix}
     * changed after {@code index}, or when {@code wait} has passed, with the entries and the index to
     * pass to the next watch. Index 0 answers at once. It may answer with nothing changed (the wait
     * ran out, or a change elsewhere): callers look at the entries, not at the fact of an answer.
     */
    CompletionStage<KvListing> watch(String prefix, long index, Duration wait);

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
