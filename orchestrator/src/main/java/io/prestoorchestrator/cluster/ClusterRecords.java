package io.prestoorchestrator.cluster;

import io.prestoorchestrator.follow.BlockingFollower;
import io.prestoorchestrator.follow.Indexed;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/**
 * The cluster records as the API reads them ({@code GET /v1/clusters}, {@code GET
 * /v1/clusters/{name}}, the autoscaling rounds): kept in memory from the snapshots of one blocking
 * query on their prefix ({@link #follower}: Consul's {@code GET /v1/kv/<prefix>/clusters/?recurse&index=N}),
 * which every replica runs and whose other observer is the leader's operation runner. A read makes
 * no Consul call (issue 23: at 1,000 clusters each list request read and decoded every record from
 * Consul KV).
 * <p>
 * <b>Read your writes.</b> A record this replica wrote (created, updated, deleted) is shown as
 * written at once, until a snapshot of a query sent after the write came back: that one shows it
 * too, or what changed it since.
 * <p>
 * <b>Consul failing.</b> While the feed has not answered yet, or its last query failed, a read goes
 * to Consul as before: it answers what Consul holds, or fails as Consul fails (the API's 503
 * problem+json naming {@code consul}). So a read never shows records older than the feed's last
 * working blocking query, and the route answers whenever Consul does.
 */
public final class ClusterRecords
{
    private final BlockingFollower<List<ClusterRecord>> feed;
    private final ClusterRepository repository;
    private NavigableMap<String, ClusterRecord> records = new TreeMap<>(); // guarded by this
    /** Writes of this replica not yet seen in a snapshot: the record written (empty: deleted) and the feed's round then. */
    private final Map<String, Written> written = new HashMap<>(); // guarded by this

    /**
     * The one blocking query on the cluster records.
     *
     * @param executor where its observers run
     * @param waits its retry waits
     * @param watchWait how long Consul may hold one query ({@code leader.watch-wait})
     * @param retryInterval how long to wait after a failed query ({@code leader.retry-interval})
     */
    public static BlockingFollower<List<ClusterRecord>> follower(ClusterRepository repository, Executor executor, Scheduler waits, Clock clock, Duration watchWait, Duration retryInterval)
    {
        requireNonNull(repository, "repository is null");
        requireNonNull(watchWait, "watchWait is null");
        return new BlockingFollower<>("the cluster records in Consul",
                index -> repository.watchClusters(index, watchWait).thenApply(listing -> new Indexed<>(listing.values(), listing.index())),
                executor, waits, clock, retryInterval);
    }

    public ClusterRecords(BlockingFollower<List<ClusterRecord>> feed, ClusterRepository repository)
    {
        this.feed = requireNonNull(feed, "feed is null");
        this.repository = requireNonNull(repository, "repository is null");
        feed.subscribe(this::update);
        repository.onClusterWritten(this::written);
    }

    /** The record named {@code name}, or empty when there is none. */
    public CompletionStage<Optional<ClusterRecord>> find(String name)
    {
        requireNonNull(name, "name is null");
        if (!inMemory()) {
            return repository.cluster(name).thenApply(found -> found.map(Versioned::value));
        }
        synchronized (this) {
            Written mine = written.get(name);
            return CompletableFuture.completedFuture(mine != null ? mine.record() : Optional.ofNullable(records.get(name)));
        }
    }

    /** Records sorted by name: {@code limit} of them after the name {@code after} (empty: from the first). */
    public CompletionStage<List<ClusterRecord>> page(int limit, Optional<String> after)
    {
        requireNonNull(after, "after is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
        if (!inMemory()) {
            return repository.clusters().thenApply(all -> {
                NavigableMap<String, ClusterRecord> byName = new TreeMap<>();
                all.forEach(record -> byName.put(record.name(), record));
                return page(byName, limit, after);
            });
        }
        synchronized (this) {
            if (written.isEmpty()) {
                return CompletableFuture.completedFuture(page(records, limit, after));
            }
            NavigableMap<String, ClusterRecord> merged = new TreeMap<>(records);
            written.forEach((name, mine) -> mine.record().ifPresentOrElse(record -> merged.put(name, record), () -> merged.remove(name)));
            return CompletableFuture.completedFuture(page(merged, limit, after));
        }
    }

    /** Whether reads are served from memory now: the feed has answered, and its last query did not fail. */
    public boolean inMemory()
    {
        return feed.current().isPresent();
    }

    private static List<ClusterRecord> page(NavigableMap<String, ClusterRecord> byName, int limit, Optional<String> after)
    {
        NavigableMap<String, ClusterRecord> from = after.isPresent() ? byName.tailMap(after.get(), false) : byName;
        return from.values().stream().limit(limit).toList();
    }

    private void update(BlockingFollower.Snapshot<List<ClusterRecord>> snapshot)
    {
        NavigableMap<String, ClusterRecord> byName = new TreeMap<>();
        snapshot.value().forEach(record -> byName.put(record.name(), record));
        synchronized (this) {
            records = byName;
            written.values().removeIf(mine -> snapshot.round() > mine.round());
        }
    }

    private void written(String name, Optional<ClusterRecord> record)
    {
        long round = feed.rounds();
        synchronized (this) {
            written.put(name, new Written(record, round));
        }
    }

    private record Written(Optional<ClusterRecord> record, long round) {}
}
