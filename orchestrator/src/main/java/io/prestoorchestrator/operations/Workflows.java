package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.Versioned;
import io.prestoorchestrator.discovery.LeaderScopedRunner;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Execution;
import io.prestoorchestrator.error.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * The work behind every operation, on the leader ({@link OperationRunner.Work}): the workflow of
 * its kind, from the start or again from the start when a new leader resumes it. Whatever fails is
 * recorded on the operation and the cluster, never lost; losing leadership records nothing. A new
 * kind of operation is one {@link OperationKind} constant and one {@link Workflow} given here.
 */
final class Workflows
        implements OperationRunner.Work
{
    private static final Logger log = LoggerFactory.getLogger(Workflows.class);

    private final ClusterRepository repository;
    private final Clock clock;
    private final String replicaId;
    private final OperationSteps steps;
    private final Map<OperationKind, Workflow> workflows;

    /** @param workflows the workflow of every {@link OperationKind} */
    Workflows(ClusterRepository repository, Clock clock, String replicaId, OperationSteps steps, Map<OperationKind, Workflow> workflows)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.workflows = new EnumMap<>(OperationKind.class);
        this.workflows.putAll(requireNonNull(workflows, "workflows is null"));
        Set<OperationKind> missing = EnumSet.allOf(OperationKind.class);
        missing.removeAll(this.workflows.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no workflow for operation kind(s) " + missing);
        }
    }

    /** The workflow that runs operations of {@code kind}. */
    Workflow of(OperationKind kind)
    {
        return workflows.get(requireNonNull(kind, "kind is null"));
    }

    @Override
    public CompletionStage<Void> run(Operation operation, Execution execution)
    {
        return execute(operation, execution);
    }

    /**
     * An operation's work, on the leader: from its start, or again from the start when a new leader
     * resumes it (then {@code stored} names the replica that ran it before). Whatever fails is
     * recorded on the operation and the cluster, never lost; losing leadership records nothing.
     */
    private CompletionStage<Void> execute(Operation stored, Execution execution)
    {
        boolean resumed = stored.runner().isPresent();
        Tracker tracker = new Tracker(resumed
                ? stored.resumedBy(replicaId, "resumed by " + replicaId + " after leader change (it was run by " + stored.runner().get() + ")", clock.instant())
                : stored.runBy(replicaId), execution, clock, repository);
        String name = stored.cluster();
        CompletionStage<Void> work = repository.cluster(name).thenCompose(found -> {
            if (found.isEmpty() || !found.get().value().activeOperation().equals(Optional.of(stored.id()))) {
                return conclude(stored, found, tracker);
            }
            CompletionStage<Void> announced = CompletableFuture.completedFuture(null);
            if (resumed) {
                log.atInfo().addKeyValue("cluster", name).addKeyValue("operation", stored.id()).addKeyValue("replica", replicaId).log("Resuming an operation after a leader change");
                announced = tracker.save().thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "operation-resumed",
                        OperationSteps.capitalize(stored.kind()) + " operation resumed by " + replicaId + " after leader change", stored.requestedBy(), stored)));
            }
            ClusterRecord record = found.get().value();
            return announced.thenCompose(ignored -> OperationKind.of(stored)
                    .map(kind -> of(kind).run(record, tracker, resumed))
                    .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("operation kind '" + stored.kind() + "' is unknown to this orchestrator version"))));
        });
        return recordFailure(work, tracker);
    }

    /**
     * An unfinished operation the cluster record no longer points to: the replica that ran it
     * settled the cluster, then lost leadership before it marked the operation done. The cluster's
     * timeline says how it ended.
     */
    private CompletionStage<Void> conclude(Operation stored, Optional<Versioned<ClusterRecord>> cluster, Tracker tracker)
    {
        if (cluster.isEmpty()) {
            return OperationKind.DELETE.is(stored)
                    ? tracker.succeed()
                    : tracker.fail("cluster " + stored.cluster() + " no longer exists");
        }
        return repository.events(stored.cluster()).thenCompose(events -> {
            Optional<ClusterEvent> last = events.stream().filter(event -> event.operation().equals(Optional.of(stored.id()))).reduce((first, second) -> second);
            if (last.isPresent() && last.get().type().endsWith("-failed")) {
                return tracker.fail(last.get().message());
            }
            if (last.isPresent() && !last.get().type().endsWith("-requested") && !last.get().type().equals("operation-resumed")) {
                return tracker.succeed();
            }
            return tracker.fail("interrupted by a leader change before it finished; the cluster is " + cluster.get().value().state().label());
        });
    }

    /** Whatever fails is recorded on the operation and the cluster, never lost; unless this replica stopped leading, then the new leader resumes it. */
    private CompletionStage<Void> recordFailure(CompletionStage<Void> work, Tracker tracker)
    {
        Operation operation = tracker.operation();
        return work.handle((ignored, failure) -> failure).thenCompose(failure -> {
            if (failure == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = Failures.unwrap(failure);
            if (cause instanceof ScaleInDrain.DrainAborted) {
                return forgetScaleIn(tracker);
            }
            if (cause instanceof LeaderScopedRunner.LeadershipLostException || !tracker.active()) {
                log.atInfo().addKeyValue("cluster", operation.cluster()).addKeyValue("operation", operation.id())
                        .log("Operation stopped: this replica is no longer the leader, the new leader resumes it");
                return CompletableFuture.<Void>completedFuture(null);
            }
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return repository.operation(operation.id())
                    .thenCompose(current -> {
                        if (current.map(Operation::state).orElse(Operation.State.RUNNING) != Operation.State.RUNNING) {
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        return steps.fail(operation.cluster(), tracker, null, reason);
                    })
                    .exceptionally(error -> {
                        log.atError().setCause(error).addKeyValue("operation", operation.id()).log("Could not record the failure of an operation");
                        return null;
                    })
                    .thenCompose(ignored -> forgetScaleIn(tracker));
        });
    }

    /** A resize that ended in failure drops its scale-in decision as a finished one does (a new leader resuming it still needs it, so only while leading). */
    private CompletionStage<Void> forgetScaleIn(Tracker tracker)
    {
        if (!OperationKind.RESIZE.is(tracker.operation())) {
            return CompletableFuture.completedFuture(null);
        }
        return tracker.whileLeading(() -> repository.forgetScaleIn(tracker.operation().id()))
                .exceptionally(error -> {
                    log.atWarn().setCause(error).addKeyValue("operation", tracker.operation().id()).log("Could not drop the scale-in decision of a failed resize");
                    return null;
                });
    }
}
