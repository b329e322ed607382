package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.discovery.LeadershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Runs operations on the leader only. Any replica stores an operation (the API path); this replica
 * runs it only while it holds leadership: at once when it leads as the operation is submitted, else
 * when it finds it. On gaining leadership it runs every unfinished operation (their work is safe to
 * run again), then follows the cluster records with blocking queries and starts any operation a
 * cluster points to that it is not running yet (one asked for through another replica). On losing
 * leadership every execution of that term is stopped at once: its waits end, and it writes nothing more.
 */
public final class OperationRunner
        implements LeadershipListener
{
    private static final Logger log = LoggerFactory.getLogger(OperationRunner.class);
    /** The replica that took a request writes the cluster record, then the operation: look again this many times, twice as late each time. */
    private static final int MISSING_OPERATION_LOOKS = 6;
    private static final Duration FIRST_MISSING_OPERATION_LOOK = Duration.ofMillis(100);

    /** The work behind an operation; must stop writing once {@code execution} is no longer active. */
    @FunctionalInterface
    interface Work
    {
        CompletionStage<Void> run(Operation operation, Execution execution);
    }

    private final String replicaId;
    private final ClusterRepository repository;
    private final Work work;
    private final Executor executor;
    private final Duration watchWait;
    private final Duration retryInterval;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private Term term; // guarded by this; null while not leader
    private long terms; // guarded by this

    OperationRunner(String replicaId, ClusterRepository repository, Work work, Executor executor, Duration watchWait, Duration retryInterval)
    {
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.repository = requireNonNull(repository, "repository is null");
        this.work = requireNonNull(work, "work is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.watchWait = requireNonNull(watchWait, "watchWait is null");
        this.retryInterval = requireNonNull(retryInterval, "retryInterval is null");
    }

    public String replicaId()
    {
        return replicaId;
    }

    public synchronized boolean isLeader()
    {
        return term != null;
    }

    /** Ids of the operations this replica runs now. */
    public Set<String> running()
    {
        return Set.copyOf(running.keySet());
    }

    /** An operation was stored: the leader runs it; on any other replica this does nothing, the leader finds it. */
    void submit(Operation operation)
    {
        Term current = current();
        if (current == null) {
            log.atDebug().addKeyValue("operation", operation.id()).addKeyValue("cluster", operation.cluster()).log("Not the leader: the leader runs this operation");
            return;
        }
        start(current, operation);
    }

    @Override
    public void gained()
    {
        Term started;
        synchronized (this) {
            if (term != null) {
                return;
            }
            term = new Term(++terms);
            started = term;
        }
        log.atInfo().addKeyValue("replica", replicaId).addKeyValue("term", started.number()).log("Leader: resuming unfinished operations, then following the clusters");
        repository.operations()
                .thenAccept(operations -> operations.stream()
                        .filter(operation -> operation.state() == Operation.State.RUNNING)
                        .forEach(operation -> start(started, operation)))
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("error", failure.getMessage()).log("Cannot list the operations to resume; the operations clusters point to are still found by the cluster watch");
                    }
                    watch(started, 0);
                });
    }

    @Override
    public void lost(String reason)
    {
        Term ended;
        synchronized (this) {
            ended = term;
            term = null;
        }
        if (ended == null) {
            return;
        }
        ended.end();
        int stopped = 0;
        for (Map.Entry<String, Execution> entry : Map.copyOf(running).entrySet()) {
            if (entry.getValue().term() == ended && running.remove(entry.getKey(), entry.getValue())) {
                stopped++;
            }
        }
        log.atInfo().addKeyValue("replica", replicaId).addKeyValue("term", ended.number()).addKeyValue("stopped", stopped).addKeyValue("reason", reason)
                .log("No longer the leader: stopped the operations this replica ran; the new leader resumes them");
    }

    private synchronized Term current()
    {
        return term;
    }

    private void start(Term term, Operation operation)
    {
        if (term.ended()) {
            return;
        }
        Execution execution = new Execution(term);
        if (running.putIfAbsent(operation.id(), execution) != null) {
            return;
        }
        CompletionStage<Void> done;
        try {
            done = work.run(operation, execution);
        }
        catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ignored, failure) -> {
            running.remove(operation.id(), execution);
            if (failure != null && execution.active()) {
                log.atError().setCause(failure).addKeyValue("operation", operation.id()).addKeyValue("cluster", operation.cluster()).log("Operation ended without recording how");
            }
        });
    }

    // ---- following the clusters --------------------------------------------------------------

    private void watch(Term term, long index)
    {
        if (term.ended()) {
            return;
        }
        repository.watchClusters(index, watchWait).whenCompleteAsync((listing, failure) -> {
            if (term.ended()) {
                return;
            }
            if (failure != null) {
                log.atWarn().addKeyValue("error", failure.getMessage()).addKeyValue("retry_in", retryInterval).log("Cannot follow the cluster records");
                later(retryInterval, () -> watch(term, 0));
                return;
            }
            reconcile(term, listing.values());
            if (listing.index() == 0) {
                later(retryInterval, () -> watch(term, 0));
            }
            else {
                watch(term, listing.index());
            }
        }, executor);
    }

    private void reconcile(Term term, Iterable<ClusterRecord> records)
    {
        for (ClusterRecord record : records) {
            record.activeOperation()
                    .filter(id -> !running.containsKey(id))
                    .ifPresent(id -> pickUp(term, record.name(), id, 1, FIRST_MISSING_OPERATION_LOOK));
        }
    }

    private void pickUp(Term term, String cluster, String id, int look, Duration nextLook)
    {
        repository.operation(id).whenComplete((found, failure) -> {
            if (term.ended() || running.containsKey(id)) {
                return;
            }
            if (failure != null) {
                log.atWarn().addKeyValue("operation", id).addKeyValue("error", failure.getMessage()).log("Cannot read an operation to run; the next cluster watch answer tries again");
                return;
            }
            if (found.isEmpty()) {
                if (look < MISSING_OPERATION_LOOKS) {
                    later(nextLook, () -> pickUp(term, cluster, id, look + 1, nextLook.multipliedBy(2)));
                }
                else {
                    log.atWarn().addKeyValue("cluster", cluster).addKeyValue("operation", id).log("The cluster record names an operation that is not stored");
                }
                return;
            }
            if (found.get().state() == Operation.State.RUNNING) {
                start(term, found.get());
            }
        });
    }

    private void later(Duration delay, Runnable action)
    {
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor).execute(action);
    }

    // ---- terms and executions ----------------------------------------------------------------

    /** One stretch of leadership: what was started in it stops when it ends. */
    static final class Term
    {
        private final long number;
        private final Set<Runnable> onEnd = ConcurrentHashMap.newKeySet();
        private volatile boolean ended;

        Term(long number)
        {
            this.number = number;
        }

        long number()
        {
            return number;
        }

        boolean ended()
        {
            return ended;
        }

        void end()
        {
            ended = true;
            for (Runnable action : Set.copyOf(onEnd)) {
                onEnd.remove(action);
                action.run();
            }
        }

        /** Runs {@code action} when the term ends (at once if it has); answers a handle that cancels that. */
        Runnable onEnd(Runnable action)
        {
            onEnd.add(action);
            if (ended && onEnd.remove(action)) {
                action.run();
            }
            return () -> onEnd.remove(action);
        }
    }

    /** One run of one operation's work in one term: active while the term lasts. */
    static final class Execution
    {
        private final Term term;

        Execution(Term term)
        {
            this.term = requireNonNull(term, "term is null");
        }

        Term term()
        {
            return term;
        }

        boolean active()
        {
            return !term.ended();
        }

        LeadershipLostException lost()
        {
            return new LeadershipLostException("this replica is no longer the leader (term " + term.number() + " ended)");
        }

        /** {@code wait}, ended at once (and cancelled) when the term ends. */
        <T> CompletionStage<T> guard(CompletionStage<T> wait)
        {
            CompletableFuture<T> guarded = new CompletableFuture<>();
            Runnable forget = term.onEnd(() -> {
                guarded.completeExceptionally(lost());
                try {
                    // stops what can be stopped (a deployment watch, a timer)
                    wait.toCompletableFuture().cancel(false);
                }
                catch (UnsupportedOperationException ignored) {
                    // a stage that cannot be cancelled ends on its own; its result is dropped
                }
            });
            wait.whenComplete((value, failure) -> {
                forget.run();
                if (failure != null) {
                    guarded.completeExceptionally(failure);
                }
                else {
                    guarded.complete(value);
                }
            });
            return guarded;
        }
    }

    /** The work of an operation stopped because this replica lost leadership; the new leader resumes it. */
    static final class LeadershipLostException
            extends RuntimeException
    {
        LeadershipLostException(String message)
        {
            super(message);
        }
    }
}
