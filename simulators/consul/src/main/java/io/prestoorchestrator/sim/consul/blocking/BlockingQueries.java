package io.prestoorchestrator.sim.consul.blocking;

import io.prestoorchestrator.sim.consul.state.ChangeSet;
import io.prestoorchestrator.sim.consul.state.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Parks blocking reads until the data they read moves past the client's index, or their wait
 * expires. A waiter is re-evaluated only for commits whose topics it is interested in, and answers
 * once the re-evaluated index exceeds the one the client sent (Consul's semantics: a later index,
 * not necessarily different data). Like Consul, a random jitter of up to wait/16 is added.
 */
public final class BlockingQueries
        implements Consumer<ChangeSet>
{
    private static final int JITTER_FRACTION = 16;
    private static final Logger log = LoggerFactory.getLogger(BlockingQueries.class);

    private final Scheduler scheduler;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    public BlockingQueries(Scheduler scheduler)
    {
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
    }

    /**
     * Answers {@code respond} now when the query does not block or its index already moved past
     * {@code options.minIndex()}; later otherwise. The returned handle cancels a parked query
     * (when the client goes away).
     */
    public Scheduler.Cancellable run(QueryOptions options, Predicate<ChangeSet> interest, Supplier<QueryResult> query, Consumer<QueryResult> respond)
    {
        requireNonNull(options, "options is null");
        return run(options.blocking(), options.effectiveWait(), interest, query, result -> result.index() > options.minIndex(), respond);
    }

    /**
     * The general form: answers once {@code moved} accepts an evaluation (or at once when not
     * blocking). Hash-based blocking queries use it with a content hash instead of an index.
     */
    public Scheduler.Cancellable run(boolean blocking, Duration wait, Predicate<ChangeSet> interest, Supplier<QueryResult> query, Predicate<QueryResult> moved, Consumer<QueryResult> respond)
    {
        requireNonNull(wait, "wait is null");
        requireNonNull(interest, "interest is null");
        requireNonNull(query, "query is null");
        requireNonNull(moved, "moved is null");
        requireNonNull(respond, "respond is null");
        QueryResult first = query.get();
        if (!blocking || moved.test(first)) {
            respond.accept(first);
            return () -> {};
        }
        Waiter waiter = new Waiter(moved, interest, query, respond);
        waiters.add(waiter);
        long jitterBound = wait.toNanos() / JITTER_FRACTION;
        Duration jitter = Duration.ofNanos(jitterBound > 0 ? ThreadLocalRandom.current().nextLong(jitterBound) : 0);
        waiter.timer = scheduler.schedule(wait.plus(jitter), () -> waiter.finish(query.get()));
        return waiter::cancel;
    }

    public int parkedQueries()
    {
        return waiters.size();
    }

    @Override
    public void accept(ChangeSet changes)
    {
        for (Waiter waiter : List.copyOf(waiters)) {
            if (waiter.interest.test(changes)) {
                QueryResult result;
                try {
                    result = waiter.query.get();
                }
                catch (RuntimeException e) {
                    // a parked read must never break the write that woke it
                    log.error("Blocking query failed on re-evaluation", e);
                    waiter.finish(QueryResult.text(500, String.valueOf(e.getMessage())));
                    continue;
                }
                if (waiter.moved.test(result)) {
                    waiter.finish(result);
                }
            }
        }
    }

    /**
     * Answers every parked query now (used when the simulator shuts down).
     */
    public void releaseAll()
    {
        for (Waiter waiter : List.copyOf(waiters)) {
            waiter.finish(waiter.query.get());
        }
    }

    private final class Waiter
    {
        private final Predicate<QueryResult> moved;
        private final Predicate<ChangeSet> interest;
        private final Supplier<QueryResult> query;
        private final Consumer<QueryResult> respond;
        private Scheduler.Cancellable timer = () -> {};

        private Waiter(Predicate<QueryResult> moved, Predicate<ChangeSet> interest, Supplier<QueryResult> query, Consumer<QueryResult> respond)
        {
            this.moved = moved;
            this.interest = interest;
            this.query = query;
            this.respond = respond;
        }

        private void finish(QueryResult result)
        {
            if (waiters.remove(this)) {
                timer.cancel();
                respond.accept(result);
            }
        }

        private void cancel()
        {
            if (waiters.remove(this)) {
                timer.cancel();
            }
        }
    }
}
