package io.prestoorchestrator.discovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The leader-scoped part of running background work, shared by the operations
 * ({@code operations/OperationRunner}) and the lifecycle drains ({@code lifecycle/LifecycleService}):
 * leadership comes in {@linkplain Term terms}; work is started under a key (an operation id, an
 * instance id) in a term, at most one run per key at a time; when the term ends every wait
 * {@linkplain Execution#guard guarded} by it ends at once, its runs are forgotten (a new term may start
 * the same keys again), and their work must write nothing more ({@link Execution#active()}).
 * <p>
 * The owners implement {@link LeadershipListener}: {@link #begin()} on {@code gained}, then resume
 * what they find in the store; {@link #end()} on {@code lost}.
 */
public final class LeaderScopedRunner
{
    private static final Logger log = LoggerFactory.getLogger(LeaderScopedRunner.class);

    /** The work run under one key; must stop writing once {@code execution} is no longer active. */
    @FunctionalInterface
    public interface Work
    {
        CompletionStage<Void> run(Execution execution);
    }

    /** What runs here, for the log ("operation", "lifecycle drain"). */
    private final String what;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private Term term; // guarded by this; null while not leader
    private long terms; // guarded by this

    public LeaderScopedRunner(String what)
    {
        this.what = requireNonNull(what, "what is null");
    }

    public synchronized boolean isLeader()
    {
        return term != null;
    }

    /** The current term; empty while this replica does not lead. */
    public synchronized Optional<Term> current()
    {
        return Optional.ofNullable(term);
    }

    /** Keys of the work running now, in the current term. */
    public Set<String> running()
    {
        return Set.copyOf(running.keySet());
    }

    /** Starts a term; empty when one is on already (a repeated {@code gained}). */
    public Optional<Term> begin()
    {
        synchronized (this) {
            if (term != null) {
                return Optional.empty();
            }
            term = new Term(++terms);
            return Optional.of(term);
        }
    }

    /**
     * Ends the current term: its guarded waits end with {@link LeadershipLostException} and its runs
     * are forgotten. Answers the ended term and the keys it was running; empty when there was no term.
     */
    public Optional<Ended> end()
    {
        Term ended;
        synchronized (this) {
            ended = term;
            term = null;
        }
        if (ended == null) {
            return Optional.empty();
        }
        // what the term runs, taken before its end completes the guarded waits (and their runs leave)
        Map<String, Execution> runs = Map.copyOf(running);
        ended.end();
        Set<String> stopped = new TreeSet<>();
        runs.forEach((key, execution) -> {
            if (execution.term() == ended) {
                running.remove(key, execution);
                stopped.add(key);
            }
        });
        return Optional.of(new Ended(ended, Collections.unmodifiableSet(stopped)));
    }

    /**
     * Runs {@code work} under {@code key} in {@code term}, unless the term has ended or the key runs
     * already; the key is free again once the stage the work returns completes. Answers whether it
     * started.
     */
    public boolean start(Term term, String key, Work work)
    {
        requireNonNull(term, "term is null");
        requireNonNull(key, "key is null");
        requireNonNull(work, "work is null");
        if (term.ended()) {
            return false;
        }
        Execution execution = new Execution(term);
        if (running.putIfAbsent(key, execution) != null) {
            return false;
        }
        if (term.ended()) {
            // the term ended between the check and the put, after end() looked at the runs
            running.remove(key, execution);
            return false;
        }
        CompletionStage<Void> done;
        try {
            done = work.run(execution);
        }
        catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ignored, failure) -> {
            running.remove(key, execution);
            if (failure != null && execution.active()) {
                log.atError().setCause(failure).addKeyValue("what", what).addKeyValue("key", key).log("Leader-scoped work ended without recording how");
            }
        });
        return true;
    }

    /** Whether {@code key} runs now. */
    public boolean isRunning(String key)
    {
        return running.containsKey(key);
    }

    /** A term that ended, and the keys it was running then. */
    public record Ended(Term term, Set<String> stopped) {}

    /** One stretch of leadership: what was started in it stops when it ends. */
    public static final class Term
    {
        private final long number;
        private final Set<Runnable> onEnd = ConcurrentHashMap.newKeySet();
        private volatile boolean ended;

        Term(long number)
        {
            this.number = number;
        }

        public long number()
        {
            return number;
        }

        public boolean ended()
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

    /** One run of one key's work in one term: active while the term lasts. */
    public static final class Execution
    {
        private final Term term;

        Execution(Term term)
        {
            this.term = requireNonNull(term, "term is null");
        }

        public Term term()
        {
            return term;
        }

        public boolean active()
        {
            return !term.ended();
        }

        public LeadershipLostException lost()
        {
            return new LeadershipLostException("this replica is no longer the leader (term " + term.number() + " ended)");
        }

        /** {@code wait}, ended at once (and cancelled) when the term ends. */
        public <T> CompletionStage<T> guard(CompletionStage<T> wait)
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

    /** Work stopped because this replica lost leadership; the new leader resumes it. */
    public static final class LeadershipLostException
            extends RuntimeException
    {
        public LeadershipLostException(String message)
        {
            super(message);
        }
    }
}
