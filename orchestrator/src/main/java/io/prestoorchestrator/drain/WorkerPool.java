package io.prestoorchestrator.drain;

import io.prestoorchestrator.config.DrainConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * A cluster's workers as the orchestrator removes and restores them: drains a set of them in
 * parallel (each until the deadline its cluster's queries give, at most {@code drain.timeout}), and puts draining ones back to ACTIVE when
 * capacity is needed again ({@link #reactivateDraining}, which a resize up calls).
 */
public final class WorkerPool
{
    private final ClusterWorkers workers;
    private final TrinoWorkers trino;
    private final WorkerDrainer drainer;
    private final DrainConfig config;
    private final DrainMetrics metrics;

    public WorkerPool(ClusterWorkers workers, TrinoWorkers trino, WorkerDrainer drainer, DrainConfig config, DrainMetrics metrics)
    {
        this.workers = requireNonNull(workers, "workers is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.drainer = requireNonNull(drainer, "drainer is null");
        this.config = requireNonNull(config, "config is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    public DrainConfig config()
    {
        return config;
    }

    public DrainMetrics metrics()
    {
        return metrics;
    }

    public CompletionStage<List<Worker>> workers(String cluster)
    {
        return workers.workers(cluster);
    }

    /** What a drain of one worker tells its caller, who records events and progress. */
    public interface Listener
    {
        CompletionStage<Void> started(Worker worker);

        void progress(Worker worker, String detail);

        CompletionStage<Void> finished(Worker worker, DrainResult result);
    }

    public record Drained(Worker worker, DrainResult result)
    {
        public Drained
        {
            requireNonNull(worker, "worker is null");
            requireNonNull(result, "result is null");
        }
    }

    /** Drains {@code toDrain} in parallel; {@code path} tags the metrics ({@code scale-in}, {@code lifecycle-hook}, ...). */
    public CompletionStage<List<Drained>> drain(String cluster, String path, List<Worker> toDrain, Listener listener)
    {
        requireNonNull(listener, "listener is null");
        List<CompletableFuture<Drained>> drains = new ArrayList<>();
        for (Worker worker : toDrain) {
            drains.add(listener.started(worker)
                    .thenCompose(ignored -> drainer.drain(worker.url(), cluster, config.timeout(), detail -> listener.progress(worker, detail)))
                    .thenCompose(result -> {
                        metrics.finished(cluster, path, result.outcome(), result.took());
                        if (result.outcome() == DrainResult.Outcome.TIMED_OUT || result.outcome() == DrainResult.Outcome.GONE) {
                            metrics.stuck(cluster, path, result.outcome() == DrainResult.Outcome.TIMED_OUT ? "timed-out" : "gone");
                        }
                        return listener.finished(worker, result).thenApply(ignored -> new Drained(worker, result));
                    })
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> drains.stream().map(CompletableFuture::join).toList());
    }

    /** Puts {@code toRestore} back to ACTIVE where they are DRAINING or DRAINED; answers the ones that are ACTIVE again. */
    public CompletionStage<List<Worker>> reactivate(List<Worker> toRestore)
    {
        List<CompletableFuture<Optional<Worker>>> restores = new ArrayList<>();
        for (Worker worker : toRestore) {
            restores.add(trino.state(worker.url())
                    .thenCompose(state -> state.isPresent() && (state.get() == WorkerState.DRAINING || state.get() == WorkerState.DRAINED)
                            ? drainer.reactivate(worker.url()).thenApply(back -> back ? Optional.of(worker) : Optional.<Worker>empty())
                            : CompletableFuture.completedFuture(Optional.<Worker>empty()))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(restores.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> restores.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
    }

    /** Every worker of the cluster Nomad still wants running that is DRAINING or DRAINED, put back to ACTIVE: capacity without starting new ones. */
    public CompletionStage<List<Worker>> reactivateDraining(String cluster)
    {
        return workers.workers(cluster).thenCompose(this::reactivate);
    }

    /** The state of each worker; workers that do not answer are left out. */
    public CompletionStage<List<Observed>> states(String cluster)
    {
        return workers.workers(cluster).thenCompose(found -> {
            List<CompletableFuture<Optional<Observed>>> looks = new ArrayList<>();
            for (Worker worker : found) {
                looks.add(trino.state(worker.url()).thenApply(state -> state.map(value -> new Observed(worker, value))).toCompletableFuture());
            }
            return CompletableFuture.allOf(looks.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> looks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
        });
    }

    public record Observed(Worker worker, WorkerState state)
    {
        public Observed
        {
            requireNonNull(worker, "worker is null");
            requireNonNull(state, "state is null");
        }
    }
}
