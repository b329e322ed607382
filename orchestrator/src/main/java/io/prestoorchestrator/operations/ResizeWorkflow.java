package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.drain.Worker;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.RegisterResult;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link OperationKind#RESIZE}: Nomad's scale API on the worker group; with drains on, a scale-in
 * drains the workers Nomad stops first and a scale-up puts draining workers back first. Decisions
 * in {@link ScaleInPlan} and {@link ScaleIn}; the scale-in's drains in {@link ScaleInDrain}.
 */
final class ResizeWorkflow
        implements Workflow
{
    /** Operation input: the worker count a resize started from. */
    static final String WORKERS_BEFORE = "workersBefore";
    /** Operation input: why it was asked, when someone other than a user asked (nomad-autoscaler's reason). */
    static final String REASON = "reason";

    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final Clock clock;
    private final Duration settleTimeout;
    private final String replicaId;
    /** With drains on: the scale-in's drains and the scale-up's reactivation. */
    private final Optional<ScaleInDrain> drains;
    private final OperationSteps steps;

    ResizeWorkflow(ClusterRepository repository, NomadJobs nomad, Clock clock, Duration settleTimeout, String replicaId, Optional<WorkerPool> drains, OperationSteps steps)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.drains = requireNonNull(drains, "drains is null").map(pool -> new ScaleInDrain(repository, nomad, clock, settleTimeout, replicaId, pool, steps, this::scale));
        this.steps = requireNonNull(steps, "steps is null");
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return resize(record.name(), tracker, record.spec().workers().count(), resumed);
    }

    /**
     * Scale the worker group; resumed, it scales only if the former leader did not get to it. With
     * drains on, a scale-in first drains the workers Nomad will stop (see {@link ScaleInDrain#drainForScaleIn}),
     * and a scale-up first puts draining workers back to ACTIVE.
     */
    private CompletionStage<Void> resize(String name, Tracker tracker, int count, boolean resumed)
    {
        Operation operation = tracker.operation();
        String previous = operation.input(WORKERS_BEFORE).orElse("?");
        String jobId = ClusterSpec.jobId(name);
        return nomad.job(jobId).thenCompose(job -> {
            int current = job.filter(found -> !found.stop()).map(found -> found.groupCount(JobNames.WORKER_GROUP)).orElse(-1);
            ScaleInPlan plan = ScaleInPlan.start(current, count, drains.isPresent(), resumed);
            return switch (plan.action()) {
                case SCALE, ALREADY_SCALED -> scale(name, tracker, count, previous, plan.action() == ScaleInPlan.Action.ALREADY_SCALED).thenApply(ignored -> List.<Worker>of());
                case REACTIVATE_THEN_SCALE -> drains.orElseThrow().reactivateForCapacity(name, tracker)
                        .thenCompose(ignored -> scale(name, tracker, count, previous, false))
                        .thenApply(ignored -> List.<Worker>of());
                case DRAIN -> drains.orElseThrow().drainForScaleIn(name, tracker, current, count, previous);
                case LOWER, SUPERSEDE -> throw new IllegalStateException("a resize does not start with " + plan.action());
            };
        }).thenCompose(drained -> drained.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : drains.orElseThrow().awaitStopped(name, jobId, drained, tracker))
                // a superseded scale-in changed the spec's count
                .thenCompose(ignored -> steps.existing(name)).thenApply(record -> record.value().spec().workers().count())
                .thenCompose(finalCount -> tracker.step("place", "waiting for " + finalCount + " running worker allocation(s)")
                        .thenCompose(ignored -> steps.awaitRunning(jobId, JobNames.WORKER_GROUP, finalCount, clock.instant().plus(settleTimeout), tracker))
                        .thenCompose(ignored -> steps.awaitTrinoReady(name, jobId, OptionalLong.empty(), tracker))
                        .thenCompose(ignored -> steps.settle(name, ClusterState.Action.DEPLOY_SUCCEEDED, tracker, "scaled", "Workers scaled from " + previous + " to " + finalCount)))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.forgetScaleIn(operation.id())));
    }

    private CompletionStage<Void> scale(String name, Tracker tracker, int count, String previous, boolean alreadyScaled)
    {
        Operation operation = tracker.operation();
        String jobId = ClusterSpec.jobId(name);
        return tracker.step("scale", "workers " + previous + " -> " + count)
                .thenCompose(ignored -> alreadyScaled
                        ? nomad.job(jobId).thenApply(job -> job.map(NomadJob::jobModifyIndex).orElse(0L))
                        : steps.awaitNoDeployment(jobId, "scale", tracker)
                                .thenCompose(none -> tracker.whileLeading(() -> nomad.scale(jobId, JobNames.WORKER_GROUP, count,
                                        "presto-orchestrator: resize by " + operation.requestedBy() + operation.input(REASON).map(why -> ": " + why).orElse(""))))
                                .thenApply(RegisterResult::jobModifyIndex))
                .thenCompose(index -> steps.recordIndex(name, index, tracker));
    }

}
