package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.drain.WorkerDrainer;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Drains one Trino worker (DRAINING, wait for DRAINED; SHUTTING_DOWN where there is no DRAINING).
 * The lifecycle path's view of the shared drain loop ({@code io.prestoorchestrator.drain.WorkerDrainer}).
 */
@FunctionalInterface
public interface WorkerDrain
{
    /** The shared drain loop, seen through this interface. */
    static WorkerDrain of(WorkerDrainer drainer)
    {
        requireNonNull(drainer, "drainer is null");
        return (worker, bound, progress) -> drainer.drain(worker, bound, progress)
                .thenApply(result -> new Result(result.outcome().name(), result.safeToStop(), result.took(), result.detail()));
    }

    /** What {@link #disabled()} answers for every worker. */
    String DISABLED = "DISABLED";

    /**
     * No Trino drain ({@code drain.enabled: false}): each worker is reported at once, and the node
     * drain that follows stops it with Nomad's kill signal (the task's own drain on that signal, path 3,
     * is the job template's {@code drain_on_stop}).
     */
    static WorkerDrain disabled()
    {
        return (worker, bound, progress) -> java.util.concurrent.CompletableFuture.completedFuture(
                new Result(DISABLED, true, Duration.ZERO, "drain.enabled is false: the node drain stops the worker without a drain by the orchestrator"));
    }

    /** Never fails for Trino-side outcomes; they are in the result. */
    CompletionStage<Result> drain(URI worker, Duration bound, Consumer<String> progress);

    /**
     * @param outcome DRAINED, SHUTTING_DOWN, TIMED_OUT, GONE or REFUSED (the shared drainer's outcomes), or DISABLED
     * @param finished whether the worker no longer runs tasks: drained, shutting down after its tasks, or gone
     */
    record Result(String outcome, boolean finished, Duration took, String detail)
    {
        public Result
        {
            requireNonNull(outcome, "outcome is null");
            requireNonNull(took, "took is null");
            requireNonNull(detail, "detail is null");
        }
    }
}
