package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.time.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.prestoorchestrator.discovery.KvKeys.checkIndex;
import static io.prestoorchestrator.discovery.KvKeys.checkKey;
import static io.prestoorchestrator.discovery.KvKeys.checkPrefix;
import static java.util.Objects.requireNonNull;

/**
 * {@link KvStore} in memory, with Consul's semantics (one index for every write, cas=0 creates only,
 * a CAS delete of a missing key succeeds, a watch answers when a key under its prefix is written or
 * deleted after its index). {@link #setAvailable(boolean)} simulates Consul being down.
 * Kept honest by {@code KvStoreContract}.
 */
public final class InMemoryKvStore
        implements KvStore
{
    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    /** The index of the last write or delete of every key ever touched: what a prefix watch compares with. */
    private final TreeMap<String, Long> changedAt = new TreeMap<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private final Scheduler scheduler;
    private long index;
    private volatile boolean available = true;

    /** A store whose watches time out in real time (for tests that run the code under test in real time). */
    public InMemoryKvStore()
    {
        this(delay -> CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /** A store whose watches time out on {@code scheduler} (a test's clock). */
    public InMemoryKvStore(Scheduler scheduler)
    {
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
    }

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
    public CompletionStage<KvListing> watch(String prefix, long since, Duration wait)
    {
        checkPrefix(prefix);
        checkIndex(since);
        requireNonNull(wait, "wait is null");
        if (!available) {
            return CompletableFuture.failedFuture(new DependencyException("consul", "Consul (in memory) is down", true, null));
        }
        Watcher watcher = new Watcher(prefix, new CompletableFuture<>());
        synchronized (this) {
            if (since == 0 || prefixIndex(prefix) > since) {
                return CompletableFuture.completedFuture(listing(prefix));
            }
            watchers.add(watcher);
        }
        scheduler.after(wait).thenRun(() -> {
            KvListing unchanged;
            synchronized (this) {
                if (!watchers.remove(watcher)) {
                    return;
                }
                unchanged = listing(prefix);
            }
            watcher.answer().complete(unchanged);
        });
        return watcher.answer();
    }

    @Override
    public CompletionStage<Void> put(String key, String value)
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        return call(() -> {
            synchronized (this) {
                entries.put(key, new KvEntry(key, value, ++index));
                return changed(key);
            }
        }).thenApply(this::wake);
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
                return changed(key);
            }
        }).thenApply(this::wake);
    }

    @Override
    public CompletionStage<Void> delete(String key)
    {
        checkKey(key);
        return call(() -> {
            synchronized (this) {
                if (entries.remove(key) != null) {
                    index++;
                    return changed(key);
                }
                return List.<Watcher>of();
            }
        }).thenApply(this::wake);
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
                    return List.<Watcher>of();
                }
                if (existing.modifyIndex() != expectedModifyIndex) {
                    throw new ConflictException("key '" + key + "' is at index " + existing.modifyIndex() + ", not " + expectedModifyIndex);
                }
                entries.remove(key);
                index++;
                return changed(key);
            }
        }).thenApply(this::wake);
    }

    /** Everything stored, for assertions. */
    public synchronized Map<String, String> snapshot()
    {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((key, entry) -> out.put(key, entry.value()));
        return out;
    }

    /** Records that {@code key} changed at the current index; answers the watchers to wake (outside the lock). */
    private List<Watcher> changed(String key)
    {
        changedAt.put(key, index);
        List<Watcher> woken = new ArrayList<>();
        for (Watcher watcher : List.copyOf(watchers)) {
            if (key.startsWith(watcher.prefix())) {
                watchers.remove(watcher);
                woken.add(watcher);
            }
        }
        return woken;
    }

    private Void wake(List<Watcher> woken)
    {
        for (Watcher watcher : woken) {
            KvListing listing;
            synchronized (this) {
                listing = listing(watcher.prefix());
            }
            watcher.answer().complete(listing);
        }
        return null;
    }

    private long prefixIndex(String prefix)
    {
        long latest = 0;
        for (Map.Entry<String, Long> entry : changedAt.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            latest = Math.max(latest, entry.getValue());
        }
        return latest;
    }

    private KvListing listing(String prefix)
    {
        List<KvEntry> found = entries.values().stream().filter(entry -> entry.key().startsWith(prefix)).toList();
        return new KvListing(found, Math.max(1, prefixIndex(prefix)));
    }

    private record Watcher(String prefix, CompletableFuture<KvListing> answer) {}

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
