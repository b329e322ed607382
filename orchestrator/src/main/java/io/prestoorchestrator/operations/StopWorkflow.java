package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
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
    private volatile Optional<BlueGreenWorkflow> blueGreen = Optional.empty();

    StopWorkflow(ClusterRepository repository, NomadJobs nomad, Clock clock, Duration settleTimeout, OperationSteps steps)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.steps = requireNonNull(steps, "steps is null");
    }

    /** The operation input that skips the wait for running queries. */
    static final String FORCE = "force";

    /** Issue 18: public routes in Traefik's KV, and the wait for running queries. Call once, before leadership is gained. */
    void useBlueGreen(BlueGreenWorkflow workflow)
    {
        this.blueGreen = Optional.of(requireNonNull(workflow, "workflow is null"));
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return unroute(record, tracker).thenCompose(ignored -> stopJob(record.name(), tracker, tracker.kind() == OperationKind.DELETE));
    }

    /**
     * Issue 18's graceful stop: first the public host stops taking new queries (its routers go from
     * Traefik's KV), then the queries already running finish (their nextUri keeps reaching the
     * coordinator through its pinned host, which stays until the job stops), at most the job's
     * old-side timeout; {@code force} skips that wait.
     */
    private CompletionStage<Void> unroute(ClusterRecord record, Tracker tracker)
    {
        if (blueGreen.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        BlueGreenWorkflow workflow = blueGreen.get();
        String name = record.name();
        Operation operation = tracker.operation();
        boolean force = operation.input(FORCE).map(Boolean::parseBoolean).orElse(false);
        return tracker.step("unroute", "the public host stops taking new queries (its Traefik KV routers are removed)")
                .thenCompose(ignored -> tracker.whileLeading(() -> workflow.routes().removeAll(name)))
                .thenCompose(ignored -> nomad.job(ClusterSpec.jobId(name)))
                .thenCompose(job -> {
                    if (job.isEmpty() || job.get().stop()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (force) {
                        return tracker.whileLeading(() -> steps.event(name, "unrouted", "The public host takes no new queries; force: queries still running are not waited for",
                                operation.requestedBy(), operation));
                    }
                    Duration bound = Duration.ofSeconds(job.get().spec().path("Meta").path(BlueGreenWorkflow.OLD_SIDE_TIMEOUT_META).asLong(1800));
                    return tracker.whileLeading(() -> steps.event(name, "unrouted", "The public host takes no new queries; queries already running may finish (at most "
                                    + bound.toSeconds() + " s, or stop with force=true)", operation.requestedBy(), operation))
                            .thenCompose(ignored -> tracker.step("queries-end", "waiting for the queries running on the coordinator to end (at most " + bound.toSeconds() + " s)"))
                            .thenCompose(ignored -> tracker.await(steps.delay(BlueGreenWorkflow.switchSettle(job.get().spec()))))
                            .thenCompose(ignored -> workflow.awaitNoQueries("queries-end", "the coordinator", () -> workflow.allCoordinators(record), bound, tracker))
                            .thenCompose(left -> left == 0
                                    ? CompletableFuture.completedFuture(null)
                                    : tracker.whileLeading(() -> steps.event(name, "stop-bound-reached", left + " query(ies) still ran after " + bound.toSeconds()
                                            + " s; they fail as the cluster stops now", operation.requestedBy(), operation)));
                });
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
        return steps.poll(tracker, "drain-allocations", steps.pollInterval(), deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
            long live = allocations.stream().filter(a -> !a.clientTerminal()).count();
            Optional<String> progress = Optional.of(live + " allocation(s) still running");
            return live == 0
                    ? Look.done(live, progress)
                    : Look.<Long>waiting(progress, live + " allocation(s) of " + jobId + " still run " + settleTimeout.toSeconds() + "s after the job was stopped");
        }));
    }
}
