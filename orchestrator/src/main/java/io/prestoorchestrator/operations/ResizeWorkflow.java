package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.Versioned;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.drain.DrainResult;
import io.prestoorchestrator.drain.Worker;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.RegisterResult;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link OperationKind#RESIZE}: Nomad's scale API on the worker group; with drains on, a scale-in
 * drains the workers Nomad stops first and a scale-up puts draining workers back first. Decisions
 * in {@link ScaleInPlan} and {@link ScaleIn}.
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
    private final Optional<WorkerPool> drains;
    private final OperationSteps steps;

    ResizeWorkflow(ClusterRepository repository, NomadJobs nomad, Clock clock, Duration settleTimeout, String replicaId, Optional<WorkerPool> drains, OperationSteps steps)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.drains = requireNonNull(drains, "drains is null");
        this.steps = requireNonNull(steps, "steps is null");
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return resize(record.name(), tracker, record.spec().workers().count(), resumed);
    }

    /**
     * Scale the worker group; resumed, it scales only if the former leader did not get to it. With
     * drains on, a scale-in first drains the workers Nomad will stop (see {@link #drainForScaleIn}),
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
                case REACTIVATE_THEN_SCALE -> reactivateForCapacity(name, tracker)
                        .thenCompose(ignored -> scale(name, tracker, count, previous, false))
                        .thenApply(ignored -> List.<Worker>of());
                case DRAIN -> drainForScaleIn(name, tracker, current, count, previous);
                case LOWER, SUPERSEDE -> throw new IllegalStateException("a resize does not start with " + plan.action());
            };
        }).thenCompose(drained -> drained.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : awaitStopped(name, jobId, drained, tracker))
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

    /**
     * Path 2 of issue 6: drain the workers Nomad will stop (the highest allocation indices) in
     * parallel, record an event per worker, and only then lower the count, so the worker's own
     * drain wrapper finds it DRAINED and exits at once. A worker still draining at the bound is
     * handled as {@code drain.at-bound} says. If the scale fails, or the drain is aborted, the
     * workers are put back to ACTIVE. Resumed by a new leader, workers already DRAINED are not
     * asked again. Answers the drained workers, whose allocations the caller waits to see stop.
     */
    private CompletionStage<List<Worker>> drainForScaleIn(String name, Tracker tracker, int current, int count, String previous)
    {
        return repository.scaleInDecision(tracker.operation().id()).thenCompose(decided -> {
            ScaleInPlan plan = ScaleInPlan.drain(current, count, decided);
            return plan.action() == ScaleInPlan.Action.SUPERSEDE
                    ? superseded(name, tracker, List.of(), plan.resize().orElseThrow(), current)
                    : drainThenDecide(name, tracker, current, plan.count(), previous);
        });
    }

    private CompletionStage<List<Worker>> drainThenDecide(String name, Tracker tracker, int current, int count, String previous)
    {
        WorkerPool pool = drains.orElseThrow();
        DrainConfig config = pool.config();
        Operation operation = tracker.operation();
        Map<String, java.time.Instant> finishedAt = new java.util.concurrent.ConcurrentHashMap<>();
        return tracker.step("drain", "finding the workers Nomad stops when the count goes " + current + " -> " + count)
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.workers(name)))
                .thenCompose(workers -> {
                    List<Worker> chosen = ScaleInPlan.toDrain(workers, count);
                    if (chosen.isEmpty()) {
                        tracker.progress("drain", "no registered worker beyond the count " + count + ": nothing to drain");
                        return CompletableFuture.completedFuture(List.<WorkerPool.Drained>of());
                    }
                    tracker.progress("drain", "draining " + OperationSteps.labels(chosen) + " (bound " + config.timeout().toSeconds() + "s each)");
                    return pool.drain(name, "scale-in", chosen, new WorkerPool.Listener()
                    {
                        @Override
                        public CompletionStage<Void> started(Worker worker)
                        {
                            return tracker.whileLeading(() -> steps.event(name, "drain-started", "Draining worker " + describe(worker) + " before the count goes " + current + " -> " + count
                                    + "; bound " + config.timeout().toSeconds() + "s, at the bound: " + config.atBound().name().toLowerCase(java.util.Locale.ROOT), operation.requestedBy(), operation));
                        }

                        @Override
                        public void progress(Worker worker, String detail)
                        {
                            tracker.progress("drain", worker.label() + ": " + detail);
                        }

                        @Override
                        public CompletionStage<Void> finished(Worker worker, DrainResult result)
                        {
                            finishedAt.put(worker.allocId(), clock.instant());
                            CompletionStage<Optional<ScaleInDecision>> reversal = result.outcome() == DrainResult.Outcome.REFUSED
                                    ? repository.scaleInDecision(operation.id())
                                    : CompletableFuture.completedFuture(Optional.empty());
                            return reversal.thenCompose(decision -> {
                                // a drain ended by a resize that superseded or retargeted the scale-in and keeps this worker
                                Optional<Workers> resize = decision.flatMap(found -> found.supersededBy().or(found::retargetedTo));
                                if (resize.isPresent() && !ScaleInPlan.stoppedAt(chosen, current, resize.get().count()).contains(worker)) {
                                    return tracker.whileLeading(() -> steps.event(name, "drain-cancelled", "Worker " + worker.label() + " stopped draining after " + OperationSteps.seconds(result.took())
                                            + ": the resize to " + resize.get().count() + " by " + decision.get().by() + " keeps it, ACTIVE again", operation.requestedBy(), operation));
                                }
                                return tracker.whileLeading(() -> steps.event(name, drainEventType(result), describe(worker, result, config), operation.requestedBy(), operation));
                            });
                        }
                    });
                })
                .thenCompose(results -> tracker.whileLeading(() -> decideLowering(operation.id(), 5))
                        .thenCompose(decision -> {
                            List<Worker> chosen = results.stream().map(WorkerPool.Drained::worker).toList();
                            ScaleInPlan plan = ScaleInPlan.afterDrains(decision, current, count, chosen);
                            if (plan.action() == ScaleInPlan.Action.SUPERSEDE) {
                                return superseded(name, tracker, chosen, plan.resize().orElseThrow(), current);
                            }
                            if (plan.resize().isEmpty()) {
                                return lowerAfterDrains(name, tracker, current, count, previous, config, finishedAt, results);
                            }
                            return lowerToRetarget(name, tracker, current, plan, previous, config, finishedAt, results);
                        }));
    }

    /**
     * The scale-in's final decision once its workers drained: the operation lowers the count (to a
     * pending retarget's count, if a resize retargeted it) unless a resize superseded it first.
     * Compare-and-set against the resizes that retarget or supersede it meanwhile.
     */
    private CompletionStage<ScaleInDecision> decideLowering(String operationId, int attempts)
    {
        return repository.versionedScaleInDecision(operationId).thenCompose(recorded -> {
            ScaleIn.Outcome outcome = ScaleIn.on(recorded.map(Versioned::value), new ScaleIn.Lower(replicaId));
            if (outcome instanceof ScaleIn.Keep kept) {
                return CompletableFuture.completedFuture(kept.decision());
            }
            ScaleInDecision lowering = ((ScaleIn.Decide) outcome).decision();
            return repository.decideScaleIn(operationId, lowering, recorded.map(Versioned::index).orElse(0L)).thenCompose(decided -> {
                if (decided) {
                    return CompletableFuture.completedFuture(lowering);
                }
                if (attempts > 1) {
                    return decideLowering(operationId, attempts - 1);
                }
                return CompletableFuture.<ScaleInDecision>failedFuture(new IllegalStateException("the decision of scale-in " + operationId + " kept changing while it was being made"));
            });
        });
    }

    /**
     * A resize retargeted the scale-in to {@code wanted}, between its target and the count it
     * started from: Nomad stops only the highest-index workers beyond {@code wanted}, so only they
     * must have drained; the others are ACTIVE again (the resize put them back; again here in case
     * that failed, so none is left DRAINED and kept).
     */
    private CompletionStage<List<Worker>> lowerToRetarget(String name, Tracker tracker, int current, ScaleInPlan plan, String previous, DrainConfig config,
            Map<String, java.time.Instant> finishedAt, List<WorkerPool.Drained> results)
    {
        Workers wanted = plan.resize().flatMap(ScaleInDecision::retargetedTo).orElseThrow();
        List<WorkerPool.Drained> stopping = results.stream().filter(drained -> plan.stop().contains(drained.worker())).toList();
        List<Worker> keptBack = plan.restore();
        Map<String, java.time.Instant> stoppingFinishedAt = new HashMap<>(finishedAt);
        stoppingFinishedAt.keySet().retainAll(stopping.stream().map(drained -> drained.worker().allocId()).toList());
        return tracker.whileLeading(() -> steps.retargetSpec(name, wanted))
                .thenCompose(ignored -> tracker.whileLeading(() -> drains.orElseThrow().reactivate(keptBack)))
                .thenCompose(back -> back.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> steps.event(name, "drain-reversed", OperationSteps.labels(back) + " put back to ACTIVE because a resize to " + wanted.count() + " retargeted the scale-in",
                        tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> lowerAfterDrains(name, tracker, current, wanted.count(), previous, config, stoppingFinishedAt, stopping));
    }

    /** The scale-in goes ahead: {@code drain.at-bound} for unfinished drains, then the count lowered. */
    private CompletionStage<List<Worker>> lowerAfterDrains(String name, Tracker tracker, int current, int count, String previous, DrainConfig config,
            Map<String, java.time.Instant> finishedAt, List<WorkerPool.Drained> results)
    {
        Operation operation = tracker.operation();
        List<Worker> chosen = results.stream().map(WorkerPool.Drained::worker).toList();
        List<WorkerPool.Drained> unfinished = results.stream().filter(drained -> !drained.result().safeToStop()).toList();
        if (!unfinished.isEmpty() && config.atBound() == DrainConfig.AtBound.ABORT) {
            return abortScaleIn(name, tracker, chosen, unfinished, current);
        }
        CompletionStage<Void> noted = unfinished.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : tracker.whileLeading(() -> steps.event(name, "drain-bound-reached", OperationSteps.labels(unfinished.stream().map(WorkerPool.Drained::worker).toList())
                        + " did not finish draining; drain.at-bound is continue: the count is lowered anyway, Nomad's kill signal and the worker's own drain wrapper take over",
                        operation.requestedBy(), operation));
        java.time.Instant lastDrained = finishedAt.values().stream().max(java.time.Instant::compareTo).orElse(clock.instant());
        return noted
                .thenCompose(ignored -> scale(name, tracker, count, previous, false))
                .handle((ignored, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure == null) {
                        Duration overhead = Duration.between(lastDrained, clock.instant());
                        return tracker.whileLeading(() -> steps.event(name, "count-lowered", "Count lowered " + current + " -> " + count + " " + OperationSteps.seconds(overhead)
                                        + " after the last worker finished draining; Nomad stops " + OperationSteps.labels(chosen), operation.requestedBy(), operation))
                                .thenApply(ignored -> chosen);
                    }
                    if (!tracker.active()) {
                        return CompletableFuture.<List<Worker>>failedFuture(failure);
                    }
                    // the count was not lowered: the spec goes back to what Nomad runs and the cluster to RUNNING, as after an
                    // aborted drain, so that the failed operation leaves no spec that nothing runs (a Nomad outage during the scale call)
                    String reason = Failures.unwrap(failure).getMessage();
                    // the steps say which one failed: the scale, then the workers put back (done), then the operation fails
                    return tracker.endStep(Operation.StepState.FAILED, Optional.of("workers " + current + " -> " + count + ": " + reason))
                            .thenCompose(ignored -> restore(name, tracker, chosen, "the resize failed (" + reason + ")"))
                            .thenCompose(ignored -> tracker.whileLeading(() -> steps.updateRecord(name, record -> record
                                    .withSpec(record.spec().withWorkers(new Workers(current, record.spec().workers().min(), record.spec().workers().max())), clock.instant())
                                    .with(ClusterState.RUNNING, Optional.empty(), clock.instant()))))
                            .thenCompose(ignored -> tracker.endStep(Operation.StepState.DONE, Optional.empty()))
                            .thenCompose(ignored -> CompletableFuture.<List<Worker>>failedFuture(new IllegalStateException(reason + "; the count stays " + current, failure)));
                });
    }

    /**
     * A larger resize superseded the scale-in ({@code ClusterService.supersedeScaleIn}): the workers it drained
     * back to ACTIVE, the spec to the workers asked for, and the count raised if that is above what
     * runs now. Nothing is left to wait to stop.
     */
    private CompletionStage<List<Worker>> superseded(String name, Tracker tracker, List<Worker> chosen, ScaleInDecision decision, int current)
    {
        Workers wanted = decision.supersededBy().orElseThrow();
        CompletionStage<Void> restored = chosen.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : restore(name, tracker, chosen, "a resize to " + wanted.count() + " by " + decision.by() + " superseded the scale-in");
        return restored
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.retargetSpec(name, wanted)))
                .thenCompose(ignored -> wanted.count() > current
                        ? reactivateForCapacity(name, tracker).thenCompose(none -> scale(name, tracker, wanted.count(), Integer.toString(current), false))
                        : CompletableFuture.<Void>completedFuture(null))
                .thenApply(ignored -> List.<Worker>of());
    }

    /** {@code drain.at-bound: abort}: every worker of the operation back to ACTIVE, the spec back to the count Nomad runs, the operation failed. */
    private CompletionStage<List<Worker>> abortScaleIn(String name, Tracker tracker, List<Worker> chosen, List<WorkerPool.Drained> unfinished, int current)
    {
        String reason = "Drain aborted: " + unfinished.stream().map(drained -> drained.worker().label() + " " + drained.result().outcome().name().toLowerCase(java.util.Locale.ROOT)
                + " (" + drained.result().detail() + ")").collect(java.util.stream.Collectors.joining("; "))
                + "; drain.at-bound is abort, so every worker was put back to ACTIVE and the count stays " + current;
        return restore(name, tracker, chosen, "drain.at-bound is abort")
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.updateRecord(name, record -> record
                        .withSpec(record.spec().withWorkers(new Workers(current, record.spec().workers().min(), record.spec().workers().max())), clock.instant())
                        .with(ClusterState.RUNNING, Optional.empty(), clock.instant()))))
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "drain-aborted", reason, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.fail(reason))
                .thenCompose(ignored -> CompletableFuture.<List<Worker>>failedFuture(new DrainAborted(reason)));
    }

    /** Raised after an aborted drain recorded everything, so nothing else is recorded. */
    static final class DrainAborted
            extends RuntimeException
    {
        DrainAborted(String message)
        {
            super(message);
        }
    }

    /** A reversible drain undone: the workers back to ACTIVE, one event naming them. */
    private CompletionStage<Void> restore(String name, Tracker tracker, List<Worker> workers, String why)
    {
        WorkerPool pool = drains.orElseThrow();
        return tracker.step("reactivate", "putting " + OperationSteps.labels(workers) + " back to ACTIVE: " + why)
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivate(workers)))
                .thenCompose(back -> tracker.whileLeading(() -> steps.event(name, "drain-reversed", (back.isEmpty() ? "No worker needed putting back" : OperationSteps.labels(back) + " put back to ACTIVE")
                        + " because " + why, tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Capacity is wanted: workers still DRAINING or DRAINED are put back to ACTIVE before any new one is started. */
    private CompletionStage<Void> reactivateForCapacity(String name, Tracker tracker)
    {
        WorkerPool pool = drains.orElseThrow();
        return tracker.step("reactivate", "putting draining workers back to ACTIVE before starting new ones")
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivateDraining(name)))
                .thenCompose(back -> back.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> steps.event(name, "worker-reactivated", OperationSteps.labels(back) + " were draining and are ACTIVE again: capacity back without starting new workers",
                        tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Waits until the drained workers' allocations have stopped, recording when each stopped relative to the count being lowered. */
    private CompletionStage<Void> awaitStopped(String name, String jobId, List<Worker> drained, Tracker tracker)
    {
        java.time.Instant lowered = clock.instant();
        java.time.Instant deadline = lowered.plus(settleTimeout);
        Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Operation operation = tracker.operation();
        return tracker.step("stop-drained", "waiting for the allocations of " + OperationSteps.labels(drained) + " to stop")
                .thenCompose(ignored -> steps.poll(tracker, "stop-drained", Duration.ofMillis(250), deadline, () -> nomad.allocations(jobId).thenCompose(allocations -> {
                    CompletionStage<Void> events = CompletableFuture.completedFuture(null);
                    int stopped = 0;
                    for (Worker worker : drained) {
                        Optional<AllocationStub> allocation = allocations.stream().filter(candidate -> candidate.id().equals(worker.allocId())).findFirst();
                        if (allocation.isEmpty() || allocation.get().clientTerminal()) {
                            stopped++;
                            if (reported.add(worker.allocId())) {
                                Duration after = Duration.between(lowered, clock.instant());
                                events = events.thenCompose(written -> steps.event(name, "worker-stopped", "Worker " + worker.label() + " (alloc " + OperationSteps.shortId(worker.allocId())
                                        + ") stopped " + OperationSteps.seconds(after) + " after the count was lowered", operation.requestedBy(), operation));
                            }
                        }
                    }
                    int done = stopped;
                    return events.thenApply(written -> done == drained.size()
                            ? Look.done(done, Optional.of(done + "/" + drained.size() + " drained worker(s) stopped"))
                            : Look.<Integer>waiting(Optional.of(done + "/" + drained.size() + " drained worker(s) stopped"),
                            "The allocations of " + OperationSteps.labels(drained) + " did not stop within " + settleTimeout.toSeconds() + "s of the count being lowered"));
                })))
                .thenApply(ignored -> null);
    }

    private static String drainEventType(DrainResult result)
    {
        return switch (result.outcome()) {
            case DRAINED -> "worker-drained";
            case SHUTTING_DOWN -> "worker-shut-down";
            case TIMED_OUT -> "drain-timed-out";
            case GONE -> "drain-worker-gone";
            case REFUSED -> "drain-refused";
        };
    }

    private static String describe(Worker worker)
    {
        return worker.label() + " (alloc " + OperationSteps.shortId(worker.allocId()) + " on node " + OperationSteps.shortId(worker.nodeId()) + ", " + worker.url() + ")";
    }

    private static String describe(Worker worker, DrainResult result, DrainConfig config)
    {
        String took = OperationSteps.seconds(result.took());
        return switch (result.outcome()) {
            case DRAINED -> "Worker " + worker.label() + " drained after " + took + ": it runs no tasks and is stopped next";
            case SHUTTING_DOWN -> "Worker " + worker.label() + " has no DRAINING state: SHUTTING_DOWN used instead, it exited after " + took;
            case GONE -> "Worker " + worker.label() + " went away while draining (" + result.detail() + ") after " + took + "; its allocation or node is gone";
            case TIMED_OUT -> "Worker " + worker.label() + " did not finish draining within " + config.timeout().toSeconds() + "s (" + result.detail() + "); at the bound: "
                    + (config.atBound() == DrainConfig.AtBound.CONTINUE ? "continue, it is stopped anyway" : "abort, it is put back to ACTIVE");
            case REFUSED -> "Worker " + worker.label() + " refused to drain (" + result.detail() + ") after " + took + "; at the bound: "
                    + (config.atBound() == DrainConfig.AtBound.CONTINUE ? "continue, it is stopped anyway" : "abort, it is put back to ACTIVE");
        };
    }
}
