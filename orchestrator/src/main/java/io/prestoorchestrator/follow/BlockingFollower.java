package io.prestoorchestrator.follow;

import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import static java.util.Objects.requireNonNull;

/**
 * Follows one thing in Consul or Nomad with blocking queries, one at a time, each from the index
 * the last answered, and hands every answer, as an immutable {@link Snapshot}, to its observers. The
 * poller is kept apart from what reacts to it, as trino-gateway keeps its cluster monitor apart from
 * its observers. A failed query is logged and asked again from index 0 after {@code retryInterval};
 * until an answer comes back {@link #failing()} says what went wrong, so a reader can tell a current
 * snapshot from a stale one.
 */
public final class BlockingFollower<T>
{
    private static final Logger log = LoggerFactory.getLogger(BlockingFollower.class);

    /**
     * One answer.
     *
     * @param value what the query answered
     * @param index the index for the next query
     * @param round the number of the query that answered: a query is numbered when it is sent, so a
     *         snapshot of round r shows every change that had been made before query r was sent
     * @param at when it answered
     */
    public record Snapshot<T>(T value, long index, long round, Instant at)
    {
        public Snapshot
        {
            requireNonNull(value, "value is null");
            requireNonNull(at, "at is null");
        }
    }

    private final String what;
    private final LongFunction<CompletionStage<Indexed<T>>> query;
    private final Executor executor;
    private final Scheduler waits;
    private final Clock clock;
    private final Duration retryInterval;
    private final List<Consumer<Snapshot<T>>> observers = new CopyOnWriteArrayList<>();
    private boolean started; // guarded by this
    private boolean closed; // guarded by this
    private long rounds; // guarded by this: queries sent so far
    private Snapshot<T> latest; // guarded by this
    private String failing; // guarded by this; null while the last query answered

    /**
     * @param what what is followed, for the log and {@link #failing()} ("the cluster records in Consul")
     * @param query the blocking query from an index (0: answer at once)
     * @param executor where the observers run, one snapshot at a time, in order
     * @param waits the retry waits after a failed query
     * @param retryInterval how long to wait after a failed query ({@code leader.retry-interval})
     */
    public BlockingFollower(String what, LongFunction<CompletionStage<Indexed<T>>> query, Executor executor, Scheduler waits, Clock clock, Duration retryInterval)
    {
        this.what = requireNonNull(what, "what is null");
        this.query = requireNonNull(query, "query is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.retryInterval = requireNonNull(retryInterval, "retryInterval is null");
        this.failing = what + " have not been read yet";
    }

    /** Adds an observer of every snapshot from now on. */
    public void subscribe(Consumer<Snapshot<T>> observer)
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
    public synchronized Optional<Snapshot<T>> latest()
    {
        return Optional.ofNullable(latest);
    }

    /** The last answer while it is current: one came, and no query failed since. */
    public synchronized Optional<Snapshot<T>> current()
    {
        return failing == null ? Optional.ofNullable(latest) : Optional.empty();
    }

    /** What went wrong with the last query (or that none answered yet); empty while the last query answered. */
    public synchronized Optional<String> failing()
    {
        return Optional.ofNullable(failing);
    }

    /** How many queries were sent so far: a snapshot of a higher round shows every change made before now. */
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
        CompletionStage<Indexed<T>> answer;
        try {
            answer = query.apply(index);
        }
        catch (RuntimeException e) {
            answer = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        answer.whenCompleteAsync((indexed, failure) -> {
            if (failure != null) {
                String reason = String.valueOf(Failures.unwrap(failure).getMessage());
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    failing = "cannot follow " + what + ": " + reason;
                }
                log.atWarn().addKeyValue("what", what).addKeyValue("error", reason).addKeyValue("retry_in", retryInterval).log("Cannot follow with a blocking query");
                waits.after(retryInterval).thenRun(() -> follow(0));
                return;
            }
            Snapshot<T> snapshot = new Snapshot<>(indexed.value(), indexed.index(), round, clock.instant());
            synchronized (this) {
                if (closed) {
                    return;
                }
                latest = snapshot;
                failing = null;
            }
            for (Consumer<Snapshot<T>> observer : observers) {
                try {
                    observer.accept(snapshot);
                }
                catch (RuntimeException e) {
                    log.atError().setCause(e).addKeyValue("what", what).log("An observer of a blocking query failed");
                }
            }
            if (indexed.index() == 0) {
                // no usable index (missing, or gone backwards): ask again from 0, not at once
                waits.after(retryInterval).thenRun(() -> follow(0));
            }
            else {
                follow(indexed.index());
            }
        }, executor);
    }
}
