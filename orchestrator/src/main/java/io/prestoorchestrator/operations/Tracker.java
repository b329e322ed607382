package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Execution;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Persists an operation's progress, writes chained so they land in order; and keeps its work to
 * this replica's term as leader: after it ends, nothing more is written and every wait ends.
 */
final class Tracker
{
    private final Execution execution;
    private final Clock clock;
    private final ClusterRepository repository;
    private Operation operation;
    private CompletionStage<Void> writes = CompletableFuture.completedFuture(null);

    Tracker(Operation operation, Execution execution, Clock clock, ClusterRepository repository)
    {
        this.operation = requireNonNull(operation, "operation is null");
        this.execution = requireNonNull(execution, "execution is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.repository = requireNonNull(repository, "repository is null");
    }

    synchronized Operation operation()
    {
        return operation;
    }

    /** The operation's kind; only known kinds get as far as running. */
    OperationKind kind()
    {
        Operation current = operation();
        return OperationKind.of(current).orElseThrow(() -> new IllegalStateException("operation kind '" + current.kind() + "' is unknown to this orchestrator version"));
    }

    boolean active()
    {
        return execution.active();
    }

    /** Does {@code action} (a write, or a look that leads to one) only while this replica leads. */
    <T> CompletionStage<T> whileLeading(Supplier<CompletionStage<T>> action)
    {
        return execution.active() ? action.get() : CompletableFuture.failedFuture(execution.lost());
    }

    /** {@code wait}, ended at once when this replica stops leading. */
    <T> CompletionStage<T> await(CompletionStage<T> wait)
    {
        return execution.guard(wait);
    }

    synchronized CompletionStage<Void> step(String name, String detail)
    {
        operation = operation.step(name, detail, clock.instant());
        return save();
    }

    synchronized CompletionStage<Void> endStep(Operation.StepState state, Optional<String> detail)
    {
        operation = operation.stepEnded(state, detail, clock.instant());
        return save();
    }

    synchronized void progress(String name, String detail)
    {
        if (execution.active()) {
            operation = operation.step(name, detail, clock.instant());
            save();
        }
    }

    synchronized CompletionStage<Void> succeed()
    {
        operation = operation.succeeded(clock.instant());
        return save();
    }

    synchronized CompletionStage<Void> fail(String reason)
    {
        operation = operation.failed(reason, clock.instant());
        return save();
    }

    synchronized CompletionStage<Void> save()
    {
        Operation snapshot = operation;
        writes = writes.exceptionally(ignored -> null).thenCompose(ignored -> whileLeading(() -> repository.saveOperation(snapshot)));
        return writes;
    }
}
