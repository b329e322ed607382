package io.prestoorchestrator.trino;

import io.prestoorchestrator.drain.TrinoWorkers;
import io.prestoorchestrator.drain.WorkerState;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.testing.Await.await;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.with;

/**
 * {@link TrinoWorkersContract} on one real, running Trino worker that its caller can lose: run it
 * with {@link #checkAll()} from an integration test whose cluster runs the worker
 * ({@code ClusterLifecycleIT}); the last check stops the worker's process. Every check gets the same
 * worker, first put back to ACTIVE from where the check before left it (DRAINED). Time is real:
 * {@link #eventually} asks again every 250 ms.
 */
public final class RunningTrinoWorker
        extends TrinoWorkersContract
{
    /** The orchestrator's own Trino user: the rendered workers' access control lets only it change their state. */
    private static final String USER = "presto-orchestrator";

    private final TrinoHttpWorkers workers;
    private final URI worker;
    private final Duration settle;

    /** @param settle longer than the worker takes to reach DRAINED when idle (two of its {@code shutdown.grace-period}s) */
    public RunningTrinoWorker(WebClient client, URI worker, Duration settle)
    {
        this.workers = new TrinoHttpWorkers(requireNonNull(client, "client is null"), USER, Duration.ofSeconds(5));
        this.worker = requireNonNull(worker, "worker is null");
        this.settle = requireNonNull(settle, "settle is null");
    }

    @Override
    protected TrinoWorkers workers()
    {
        return workers;
    }

    @Override
    protected URI worker()
    {
        if (!await(workers.state(worker)).equals(Optional.of(WorkerState.ACTIVE))) {
            await(workers.request(worker, WorkerState.ACTIVE));
            eventually(() -> assertThat(await(workers.state(worker))).as("%s back to ACTIVE", worker).contains(WorkerState.ACTIVE));
        }
        return worker;
    }

    @Override
    protected void elapse(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void eventually(Runnable check)
    {
        with().pollInterval(Duration.ofMillis(250)).atMost(settle).untilAsserted(check::run);
    }

    @Override
    protected Duration settle()
    {
        return settle;
    }

    @Override
    protected Duration hold()
    {
        return Duration.ofSeconds(5);
    }
}
