package io.prestoorchestrator.autoscaling;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Runs one asynchronous step per item, at most {@code limit} at a time, in list order. The
 * collector's and the scaling-event recorder's rounds used to start every cluster's reads at once:
 * at 1,000 clusters, 1,000 Consul lookups, coordinator reads and Nomad reads queued in the shared
 * HTTP client's connection pools, and every API request's own read of Consul or Nomad waited
 * behind them (issue 23: {@code GET /v1/clusters/{name}} p99 913 ms, a list page p99 3.9 s).
 */
public final class FanOut
{
    /**
     * Cluster reads in flight per round: half the HTTP client's 32 connections per host, the rest
     * for the API and operations. A round takes about (clusters / 16) x one cluster's reads: 0.3 s
     * at 1,000 clusters and 5 ms, 3 s at 50 ms; past the poll interval the signal ages by it.
     */
    static final int ROUND_CONCURRENCY = 16;

    private FanOut() {}

    /** Completes when every item's step has ended; a failed step counts as ended (each step handles its own failures). */
    public static <T> CompletableFuture<Void> each(List<T> items, int limit, Function<T, CompletionStage<Void>> step)
    {
        requireNonNull(items, "items is null");
        requireNonNull(step, "step is null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        List<T> work = List.copyOf(items);
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(limit, work.size())];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = lane(work, next, step);
        }
        return CompletableFuture.allOf(lanes);
    }

    /** One lane: takes the next item, runs its step, and takes another once it ends, until none is left. */
    private static <T> CompletableFuture<Void> lane(List<T> work, AtomicInteger next, Function<T, CompletionStage<Void>> step)
    {
        int index = next.getAndIncrement();
        if (index >= work.size()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> running;
        try {
            running = step.apply(work.get(index));
        }
        catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        return running.handle((ignored, failure) -> (Void) null).toCompletableFuture().thenCompose(ignored -> lane(work, next, step));
    }
}
