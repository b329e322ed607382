package io.prestoorchestrator.cluster;

import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Follows the cluster records in the KV store with one blocking query on their prefix (Consul's
 * {@code GET /v1/kv/<prefix>/clusters/?recurse&index=N&wait=W}) and hands every answer, as one
 * immutable {@link Snapshot}, to its observers: the API's read model ({@link ClusterRecords}) and,
 * on the leader, the operation runner, which starts the operations the records point to. Every
 * replica runs one, so that followers serve reads from memory too. The poller is kept apart from
 * what reacts to it, as trino-gateway keeps its cluster monitor apart from its observers.
 * <p>
 * A failed query is logged and asked again from index 0 after {@code retryInterval}; until an
 * answer comes back {@link #failing()} says what went wrong.
 */
public final class ClusterRecordFeed
{
    private static final Logger log = LoggerFactory.getLogger(ClusterRecordFeed.class);

    /**
     * One answer of the blocking query.
     *
     * @param records every cluster record, by name
     * @param index the index for the next blocking query (Consul's {@code X-Consul-Index})
     * @param round the number of the query that answered: a query is numbered when it is sent, so a
     *         snapshot of round r shows every write that had succeeded before query r was sent
     * @param at when it answered
     */
    public record Snapshot(List<ClusterRecord> records, long index, long round, Instant at)
    {
        public Snapshot
        {
            records = List.copyOf(requireNonNull(records, "records is null"));
            requireNonNull(at, "at is null");
        }
    }

    private final ClusterRepository repository;
    private final Executor executor;
    private final Scheduler waits;
    private final Clock clock;
    private final Duration watchWait;
    private final Duration retryInterval;
    private final List<Consumer<Snapshot>> observers = new CopyOnWriteArrayList<>();
    private boolean started; // guarded by this
    private boolean closed; // guarded by this
    private long rounds; // guarded by this: queries sent so far
    private Snapshot latest; // guarded by this
    private String failing = "the cluster records have not been read yet"; // guarded by this; null while the last query answered

    /**
     * @param executor where the observers run (the blocking pool: the runner's reconcile reads the store)
     * @param waits the retry waits after a failed query
     * @param watchWait how long Consul may hold one blocking query ({@code leader.watch-wait})
     * @param retryInterval how long to wait after a failed query ({@code leader.retry-interval})
     */
    public ClusterRecordFeed(ClusterRepository repository, Executor executor, Scheduler waits, Clock clock, Duration watchWait, Duration retryInterval)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.watchWait = requireNonNull(watchWait, "watchWait is null");
        this.retryInterval = requireNonNull(retryInterval, "retryInterval is null");
    }

    /** Adds an observer of every snapshot from now on (on the executor, one snapshot at a time, in order). */
    public void subscribe(Consumer<Snapshot> observer)
    {
        observers.add(requireNonNull(observer, "observer is null"));
    }

    /** Starts following; a second call does nothing. */
    public void start()
    {
        synchronized (this) {
            if (started || closed) {
                return;
            }
            started = true;
        }
        follow(0);
    }

    /** Stops following: the query in flight is let run out, and its answer dropped. */
    public synchronized void close()
    {
        closed = true;
    }

    /** The last answer; empty until the first one. */
    public synchronized Optional<Snapshot> latest()
    {
        return Optional.ofNullable(latest);
    }

    /** What went wrong with the last query; empty while the last query answered (and one has). */
    public synchronized Optional<String> failing()
    {
        return Optional.ofNullable(failing);
    }

    /** How many queries were sent so far: the next snapshot of a higher round shows every write that succeeded before now. */
    public synchronized long rounds()
    {
        return rounds;
    }

    private void follow(long index)
    {
        long round;
        synchronized (this) {
            if (closed) {
                return;
            }
            round = ++rounds;
        }
        repository.watchClusters(index, watchWait).whenCompleteAsync((listing, failure) -> {
            if (failure != null) {
                String reason = String.valueOf(Failures.unwrap(failure).getMessage());
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    failing = "cannot follow the cluster records in Consul: " + reason;
                }
                log.atWarn().addKeyValue("error", reason).addKeyValue("retry_in", retryInterval).log("Cannot follow the cluster records");
                waits.after(retryInterval).thenRun(() -> follow(0));
                return;
            }
            Snapshot snapshot = new Snapshot(listing.values(), listing.index(), round, clock.instant());
            synchronized (this) {
                if (closed) {
                    return;
                }
                latest = snapshot;
                failing = null;
            }
            for (Consumer<Snapshot> observer : observers) {
                try {
                    observer.accept(snapshot);
                }
                catch (RuntimeException e) {
                    log.atError().setCause(e).log("An observer of the cluster records failed");
                }
            }
            if (listing.index() == 0) {
                waits.after(retryInterval).thenRun(() -> follow(0));
            }
            else {
                follow(listing.index());
            }
        }, executor);
    }
}
