package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.discovery.LeaderScopedRunner;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Execution;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Term;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.follow.BlockingFollower;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Runs operations on the leader only. Any replica stores an operation (the API path); this replica
 * runs it only while it holds leadership: at once when it leads as the operation is submitted, else
 * when it finds it. On gaining leadership it runs every unfinished operation (their work is safe to
 * run again), then follows the cluster records with blocking queries and starts any operation a
 * cluster points to that it is not running yet (one asked for through another replica). On losing
 * leadership every execution of that term is stopped at once: its waits end, and it writes nothing more.
 * The terms and executions are {@link LeaderScopedRunner}'s, which the lifecycle drains use too.
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
    private final BlockingFollower<List<ClusterRecord>> feed;
    private final Scheduler waits;
    private final LeaderScopedRunner leader = new LeaderScopedRunner("operation");

    OperationRunner(String replicaId, ClusterRepository repository, BlockingFollower<List<ClusterRecord>> feed, Work work, Scheduler waits)
    {
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.repository = requireNonNull(repository, "repository is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.work = requireNonNull(work, "work is null");
        this.waits = requireNonNull(waits, "waits is null");
        feed.subscribe(snapshot -> leader.current().ifPresent(term -> reconcile(term, snapshot.value())));
    }

    public String replicaId()
    {
        return replicaId;
    }

    public boolean isLeader()
    {
        return leader.isLeader();
    }

    /** Ids of the operations this replica runs now. */
    public Set<String> running()
    {
        return leader.running();
    }

    /** An operation was stored: the leader runs it; on any other replica this does nothing, the leader finds it. */
    void submit(Operation operation)
    {
        Optional<Term> current = leader.current();
        if (current.isEmpty()) {
            log.atDebug().addKeyValue("operation", operation.id()).addKeyValue("cluster", operation.cluster()).log("Not the leader: the leader runs this operation");
            return;
        }
        start(current.get(), operation);
    }

    @Override
    public void gained()
    {
        Optional<Term> begun = leader.begin();
        if (begun.isEmpty()) {
            return;
        }
        Term started = begun.get();
        log.atInfo().addKeyValue("replica", replicaId).addKeyValue("term", started.number()).log("Leader: resuming unfinished operations, then following the clusters");
        repository.operations()
                .thenAccept(operations -> operations.stream()
                        .filter(operation -> operation.state() == Operation.State.RUNNING)
                        .forEach(operation -> start(started, operation)))
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("error", failure.getMessage()).log("Cannot list the operations to resume; the operations clusters point to are still found by the cluster watch");
                    }
                    // every replica follows the records from its start; a leader cannot do without it
                    feed.start();
                    feed.latest().ifPresent(snapshot -> reconcile(started, snapshot.value()));
                });
    }

    @Override
    public void lost(String reason)
    {
        leader.end().ifPresent(ended -> log.atInfo().addKeyValue("replica", replicaId).addKeyValue("term", ended.term().number())
                .addKeyValue("stopped", ended.stopped().size()).addKeyValue("reason", reason)
                .log("No longer the leader: stopped the operations this replica ran; the new leader resumes them"));
    }

    private void start(Term term, Operation operation)
    {
        leader.start(term, operation.id(), execution -> {
            CompletionStage<Void> done;
            try {
                done = work.run(operation, execution);
            }
            catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            return done.exceptionally(failure -> {
                if (execution.active()) {
                    log.atError().setCause(failure).addKeyValue("operation", operation.id()).addKeyValue("cluster", operation.cluster()).log("Operation ended without recording how");
                }
                return null;
            });
        });
    }

    // ---- following the clusters --------------------------------------------------------------

    private void reconcile(Term term, Iterable<ClusterRecord> records)
    {
        if (term.ended()) {
            return;
        }
        for (ClusterRecord record : records) {
            record.activeOperation()
                    .filter(id -> !leader.isRunning(id))
                    .ifPresent(id -> pickUp(term, record.name(), id, 1, FIRST_MISSING_OPERATION_LOOK));
        }
    }

    private void pickUp(Term term, String cluster, String id, int look, Duration nextLook)
    {
        repository.operation(id).whenComplete((found, failure) -> {
            if (term.ended() || leader.isRunning(id)) {
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
        waits.after(delay).thenRun(action);
    }
}
