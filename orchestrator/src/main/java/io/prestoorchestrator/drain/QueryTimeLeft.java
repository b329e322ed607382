package io.prestoorchestrator.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How much longer the queries of a cluster may still run, by Trino's own time limits: what a
 * drain's deadline is derived from ({@link WorkerDrainer}). A worker cannot need to drain for
 * longer than the longest of these, since Trino fails a query at its limit.
 */
@FunctionalInterface
public interface QueryTimeLeft
{
    /**
     * The longest time any unfinished query of {@code cluster} created before {@code createdBy}
     * may still run ({@link Duration#ZERO} when none runs); empty when that cannot be told (no
     * coordinator, no answer, an entry that cannot be read), in which case the drain keeps its
     * configured bound. A query created later cannot have tasks on a worker that was draining by then.
     */
    CompletionStage<Optional<Duration>> longest(String cluster, Instant createdBy);

    /** Never known: every drain keeps its configured bound. */
    static QueryTimeLeft unknown()
    {
        return (cluster, createdBy) -> CompletableFuture.completedFuture(Optional.empty());
    }
}
