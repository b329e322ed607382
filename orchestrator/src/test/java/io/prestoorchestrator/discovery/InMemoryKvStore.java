package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static io.prestoorchestrator.discovery.KvKeys.checkIndex;
import static io.prestoorchestrator.discovery.KvKeys.checkKey;
import static io.prestoorchestrator.discovery.KvKeys.checkPrefix;
import static java.util.Objects.requireNonNull;

/**
 * {@link KvStore} in memory, with Consul's semantics (one index for every write, cas=0 creates only,
 * a CAS delete of a missing key succeeds). {@link #setAvailable(boolean)} simulates Consul being down.
 * Kept honest by {@code KvStoreContract}.
 */
public final class InMemoryKvStore
        implements KvStore
{
    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    private long index;
    private volatile boolean available = true;

    public void setAvailable(boolean available)
    {
        this.available = available;
    }

    @Override
    public CompletionStage<Optional<KvEntry>> get(String key)
    {
        checkKey(key);
        return call(() -> {
            synchronized (this) {
                return Optional.ofNullable(entries.get(key));
            }
        });
    }

    @Override
    public CompletionStage<List<KvEntry>> list(String prefix)
    {
        checkPrefix(prefix);
        return call(() -> {
            synchronized (this) {
                return entries.values().stream().filter(entry -> entry.key().startsWith(prefix)).toList();
            }
        });
    }

    @Override
    public CompletionStage<Void> put(String key, String value)
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        return call(() -> {
            synchronized (this) {
                entries.put(key, new KvEntry(key, value, ++index));
                return null;
            }
        });
    }

    @Override
    public CompletionStage<Void> compareAndSet(String key, String value, long expectedModifyIndex)
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        checkIndex(expectedModifyIndex);
        return call(() -> {
            synchronized (this) {
                KvEntry existing = entries.get(key);
                long current = existing == null ? 0 : existing.modifyIndex();
                if (current != expectedModifyIndex) {
                    throw new ConflictException("key '" + key + "' is at index " + current + ", not " + expectedModifyIndex);
                }
                entries.put(key, new KvEntry(key, value, ++index));
                return null;
            }
        });
    }

    @Override
    public CompletionStage<Void> delete(String key)
    {
        checkKey(key);
        return call(() -> {
            synchronized (this) {
                if (entries.remove(key) != null) {
                    index++;
                }
                return null;
            }
        });
    }

    @Override
    public CompletionStage<Void> deleteIfUnchanged(String key, long expectedModifyIndex)
    {
        checkKey(key);
        checkIndex(expectedModifyIndex);
        return call(() -> {
            synchronized (this) {
                KvEntry existing = entries.get(key);
                if (existing == null) {
                    return null;
                }
                if (existing.modifyIndex() != expectedModifyIndex) {
                    throw new ConflictException("key '" + key + "' is at index " + existing.modifyIndex() + ", not " + expectedModifyIndex);
                }
                entries.remove(key);
                index++;
                return null;
            }
        });
    }

    /** Everything stored, for assertions. */
    public synchronized Map<String, String> snapshot()
    {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((key, entry) -> out.put(key, entry.value()));
        return out;
    }

    private <T> CompletionStage<T> call(Supplier<T> action)
    {
        if (!available) {
            return CompletableFuture.failedFuture(new DependencyException("consul", "Consul (in memory) is down", true, null));
        }
        try {
            return CompletableFuture.completedFuture(action.get());
        }
        catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
