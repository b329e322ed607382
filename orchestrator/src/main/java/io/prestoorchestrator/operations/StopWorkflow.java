package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** {@link OperationKind#STOP} (the spec kept) and {@link OperationKind#DELETE} (everything removed): deregister with purge, wait until no allocation runs. */
final class StopWorkflow
        implements Workflow
{
    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final Clock clock;
    private final Duration settleTimeout;
    private final OperationSteps steps;

    StopWorkflow(ClusterRepository repository, NomadJobs nomad, Clock clock, Duration settleTimeout, OperationSteps steps)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.steps = requireNonNull(steps, "steps is null");
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return stopJob(record.name(), tracker, tracker.kind() == OperationKind.DELETE);
    }

    /** Stop (keep the spec) or delete (remove everything): deregister with purge, then wait until no allocation runs. */
    private CompletionStage<Void> stopJob(String name, Tracker tracker, boolean delete)
    {
        String jobId = ClusterSpec.jobId(name);
        CompletionStage<Long> stopped = tracker.step("deregister", "stopping job " + jobId)
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deregister(jobId, true)))
                .thenCompose(ignored -> tracker.step("drain-allocations", "waiting until no allocation of " + jobId + " runs"))
                .thenCompose(ignored -> awaitNoAllocations(jobId, clock.instant().plus(settleTimeout), tracker));
        if (!delete) {
            return stopped.thenCompose(ignored -> steps.settle(name, ClusterState.Action.STOP_COMPLETED, tracker, "stopped", "Stopped; the spec is kept, start brings it back"));
        }
        return stopped
                .thenCompose(ignored -> tracker.step("cleanup", "removing Nomad variables and stored state"))
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deleteVariable(JobRenderer.variablePath(jobId), OptionalLong.empty())))
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deleteVariable(JobRenderer.catalogVariablePath(jobId), OptionalLong.empty())))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.deleteEvents(name)))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.deleteCluster(name)))
                .thenCompose(ignored -> tracker.succeed());
    }

    private CompletionStage<Long> awaitNoAllocations(String jobId, java.time.Instant deadline, Tracker tracker)
    {
        return steps.poll(tracker, "drain-allocations", Duration.ofSeconds(1), deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
            long live = allocations.stream().filter(a -> !a.clientTerminal()).count();
            Optional<String> progress = Optional.of(live + " allocation(s) still running");
            return live == 0
                    ? Look.done(live, progress)
                    : Look.<Long>waiting(progress, live + " allocation(s) of " + jobId + " still run " + settleTimeout.toSeconds() + "s after the job was stopped");
        }));
    }
}
