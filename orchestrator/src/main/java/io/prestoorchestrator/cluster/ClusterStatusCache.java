package io.prestoorchestrator.cluster;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The live status of each cluster (its Nomad job and allocations, its routing in Consul, the
 * coordinator's active workers) kept for at most {@code maxAge}, so that {@code GET
 * /v1/clusters/{name}} does not make four or five outside reads on every request (issue 23: 26
 * requests/s at p50 146 ms with one cluster). Kept per cluster record as it reads: any change to the
 * record (its state, an operation starting or ending, a new job modify index) reads the status
 * again at once, and a cluster with an operation running is read on every request (its allocations,
 * routing and workers change by the second then, and tests and users watch them). One read at a
 * time per cluster and record: concurrent requests share it. A failed read is not kept, so
 * the next request tries again.
 */
public final class ClusterStatusCache
{
    /** How old a status may be. Nomad and Consul change it between two orchestrator changes only by failures and by hand. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(2);
    /** More than any one orchestrator runs clusters: older record versions and deleted clusters fall out first. */
    private static final int MAXIMUM_ENTRIES = 20_000;

    private final AsyncCache<Key, Read> statuses;

    public ClusterStatusCache(Duration maxAge, Clock clock)
    {
        requireNonNull(maxAge, "maxAge is null");
        requireNonNull(clock, "clock is null");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
        }
        Ticker ticker = () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
        this.statuses = Caffeine.newBuilder()
                .expireAfterWrite(maxAge)
                .maximumSize(MAXIMUM_ENTRIES)
                .ticker(ticker)
                // its upkeep is a few map operations: on the caller's thread, not a pool of its own
                .executor(Runnable::run)
                .buildAsync();
    }

    /** The status of {@code record}'s cluster: kept, or being read by another request, or read now with {@code read}. */
    public CompletionStage<ClusterView.Status> status(ClusterRecord record, Function<ClusterRecord, CompletionStage<ClusterView.Status>> read)
    {
        requireNonNull(record, "record is null");
        requireNonNull(read, "read is null");
        if (record.activeOperation().isPresent()) {
            return read.apply(record);
        }
        Key key = new Key(record.name(), record);
        // a failed read completes normally here, so that the cache does not log it as a failed load; it is dropped below
        CompletableFuture<Read> shared = statuses.get(key, (ignored, executor) -> read.apply(record).toCompletableFuture()
                .handle((status, failure) -> new Read(Optional.ofNullable(status), Optional.ofNullable(failure))));
        return shared.thenCompose(outcome -> {
            if (outcome.failure().isPresent()) {
                statuses.asMap().remove(key, shared);
                return CompletableFuture.failedFuture(outcome.failure().get());
            }
            return CompletableFuture.completedFuture(outcome.status().orElseThrow());
        });
    }

    private record Read(Optional<ClusterView.Status> status, Optional<Throwable> failure) {}

    /** The record as read (a record is a value: every write changes at least its update time). */
    private record Key(String cluster, ClusterRecord record) {}
}
