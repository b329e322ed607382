package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** {@link OperationKind#UPDATE_SPEC}: a stopped cluster's new spec stored; nothing asked of Nomad, {@code start} deploys it. */
final class SpecUpdateWorkflow
        implements Workflow
{
    private final Clock clock;
    private final OperationSteps steps;

    SpecUpdateWorkflow(Clock clock, OperationSteps steps)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.steps = requireNonNull(steps, "steps is null");
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return settleWithoutNomad(record.name(), tracker);
    }

    private CompletionStage<Void> settleWithoutNomad(String name, Tracker tracker)
    {
        Operation operation = tracker.operation();
        return tracker.step("store", "spec stored; the cluster is stopped, start deploys it")
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.updateRecord(name, record -> record.with(ClusterState.STOPPED, Optional.empty(), clock.instant()))))
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "spec-updated", "Spec updated while stopped", operation.requestedBy(), operation)))
                .thenCompose(ignored -> tracker.succeed());
    }
}
