package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRepository;
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
import io.prestoorchestrator.nomad.NomadJobs;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * The scale-in half of {@link ResizeWorkflow} with drains on (path 2 of issue 6): select the workers
 * Nomad stops, drain them, lower the count, confirm their allocations stopped; reverted (the
 * workers back to ACTIVE) when the scale fails, the drain is aborted, or a resize supersedes or
 * retargets it. What to do at each point is {@link ScaleInPlan}'s and {@link ScaleIn}'s decision;
 * the count itself is changed through {@link ResizeWorkflow}'s scale step.
 */
final class ScaleInDrain
{
    /** The resize's scale step: Nomad's scale API on the worker group, recorded on the cluster. */
    @FunctionalInterface
    interface Scale
    {
        CompletionStage<Void> scale(String name, Tracker tracker, int count, String previous, boolean alreadyScaled);
    }

    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final Clock clock;
    private final Duration settleTimeout;
    private final String replicaId;
    private final WorkerPool pool;
    private final OperationSteps steps;
    private final Scale scale;

    ScaleInDrain(ClusterRepository repository, NomadJobs nomad, Clock clock, Duration settleTimeout, String replicaId, WorkerPool pool, OperationSteps steps, Scale scale)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.pool = requireNonNull(pool, "pool is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.scale = requireNonNull(scale, "scale is null");
    }

    /**
     * Path 2 of issue 6: drain the workers Nomad will stop (the highest allocation indices) in
     * parallel, record an event per worker, and only then lower the count, so the worker's own
     * drain wrapper finds it DRAINED and exits at once. A worker still draining at the bound is
     * handled as {@code drain.at-bound} says. If the scale fails, or the drain is aborted, the
     * workers are put back to ACTIVE. Resumed by a new leader, workers already DRAINED are not
     * asked again. Answers the drained workers, whose allocations the caller waits to see stop.
     */
    CompletionStage<List<Worker>> drainForScaleIn(String name, Tracker tracker, int current, int count, String previous)
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
        WorkerPool pool = this.pool;
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
                                return tracker.whileLeading(() -> steps.event(name, result.outcome().eventType(), describe(worker, result, config), operation.requestedBy(), operation));
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
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivate(keptBack)))
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
                .thenCompose(ignored -> scale.scale(name, tracker, count, previous, false))
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
                        ? reactivateForCapacity(name, tracker).thenCompose(none -> scale.scale(name, tracker, wanted.count(), Integer.toString(current), false))
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
        WorkerPool pool = this.pool;
        return tracker.step("reactivate", "putting " + OperationSteps.labels(workers) + " back to ACTIVE: " + why)
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivate(workers)))
                .thenCompose(back -> tracker.whileLeading(() -> steps.event(name, "drain-reversed", (back.isEmpty() ? "No worker needed putting back" : OperationSteps.labels(back) + " put back to ACTIVE")
                        + " because " + why, tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Capacity is wanted: workers still DRAINING or DRAINED are put back to ACTIVE before any new one is started. */
    CompletionStage<Void> reactivateForCapacity(String name, Tracker tracker)
    {
        WorkerPool pool = this.pool;
        return tracker.step("reactivate", "putting draining workers back to ACTIVE before starting new ones")
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivateDraining(name)))
                .thenCompose(back -> back.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> steps.event(name, "worker-reactivated", OperationSteps.labels(back) + " were draining and are ACTIVE again: capacity back without starting new workers",
                        tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Waits until the drained workers' allocations have stopped, recording when each stopped relative to the count being lowered. */
    CompletionStage<Void> awaitStopped(String name, String jobId, List<Worker> drained, Tracker tracker)
    {
        java.time.Instant lowered = clock.instant();
        java.time.Instant deadline = lowered.plus(settleTimeout);
        Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Operation operation = tracker.operation();
        return tracker.step("stop-drained", "waiting for the allocations of " + OperationSteps.labels(drained) + " to stop")
                .thenCompose(ignored -> steps.poll(tracker, "stop-drained", pool.config().pollInterval(), deadline, () -> nomad.allocations(jobId).thenCompose(allocations -> {
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
