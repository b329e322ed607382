package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.drain.DrainResult;
import io.prestoorchestrator.drain.WorkerDrainer;
import io.prestoorchestrator.testing.FakeEngine;
import io.prestoorchestrator.testing.FakeTrinoWorker;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.testing.TurnTaking;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Removing a worker without failing a query, for each flavour, through the orchestrator's one drain loop
 * ({@link WorkerDrainer} over {@link TrinoHttpWorkers}): a worker running a task is safe to stop only once the task
 * ended, by the flavour's states ({@link FlavourProfile#workerDrain()}: Trino {@code DRAINING} then {@code DRAINED};
 * PrestoDB {@code SHUTTING_DOWN}, which waits for its tasks and exits); at the bound it is not safe to stop, and only
 * Trino's can be put back to ACTIVE. A subclass names the flavour; the worker is a {@link FakeEngine}'s, speaking its
 * protocol, on test time. On real processes the same check ({@link FlavourChecks#assertDrainEvents}) runs on the
 * resize under load of {@code PrestoDbClusterIT}; on Trino, {@code DrainPathsIT}'s resize asserts the same
 * {@code worker-drained} event with its own assertions, not yet through this check.
 */
public abstract class DrainContract
{
    private static final Duration TASK = Duration.ofSeconds(40);

    private final Vertx vertx = Vertx.vertx();
    private final WebClient client = WebClient.create(vertx);
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T14:00:00Z"));
    private final TurnTaking turns = new TurnTaking(time);
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private FakeEngine engine;
    private WorkerDrainer drainer;

    protected abstract Flavour flavour();

    @BeforeEach
    void startEngine()
    {
        engine = new FakeEngine(vertx, time, flavour());
        drainer = new WorkerDrainer(new TrinoHttpWorkers(client, FlavourChecks.USER, Duration.ofSeconds(2)), time.clock(), Duration.ofSeconds(1), turns.scheduler(),
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stopEngine()
    {
        engine.close();
        client.close();
        vertx.close().await();
    }

    private FlavourProfile profile()
    {
        return flavour().profile();
    }

    @Test
    void testContractAWorkerIsSafeToStopOnlyAfterItsRunningTask()
    {
        FakeTrinoWorker worker = engine.addWorker().runningTaskFor(TASK);

        DrainResult result = turns.run(drainer.drain(worker.uri(), Duration.ofMinutes(5), progress::add));

        assertThat(result.outcome()).as(result.detail()).isEqualTo(FlavourChecks.expectedDrain(profile()));
        assertThat(result.safeToStop()).isTrue();
        assertThat(result.took()).as("the drain took at least the task's time").isGreaterThanOrEqualTo(TASK);
        assertThat(worker.isGone()).as("a drained Trino worker idles until Nomad stops it; a PrestoDB one exits").isEqualTo(!profile().drainsBeforeShutdown());
    }

    @Test
    void testContractTheWorkerIsAskedForTheFlavoursFirstState()
    {
        FakeTrinoWorker worker = engine.addWorker().runningTaskFor(TASK);

        turns.run(drainer.drain(worker.uri(), Duration.ofMinutes(5), progress::add));

        List<String> asked = worker.requests().stream().filter(request -> request.startsWith("PUT ")).toList();
        assertThat(asked).as("the state changes asked for").isNotEmpty();
        assertThat(asked.get(asked.size() - 1)).as("the drain ends on the first state of the flavour's worker drain %s", profile().workerDrain())
                .startsWith("PUT " + profile().workerDrain().get(0) + " ");
        if (profile().drainsBeforeShutdown()) {
            assertThat(asked).as("SHUTTING_DOWN comes from the worker's own drain when Nomad stops it, not from the orchestrator")
                    .noneMatch(request -> request.startsWith("PUT " + FlavourProfile.SHUTTING_DOWN));
        }
    }

    @Test
    void testContractAtTheBoundTheWorkerStillRunsItsTask()
    {
        FakeTrinoWorker worker = engine.addWorker().runningTaskFor(TASK);

        DrainResult result = turns.run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(DrainResult.Outcome.TIMED_OUT);
        assertThat(result.safeToStop()).isFalse();
        assertThat(worker.isGone()).isFalse();
        assertThat(turns.run(drainer.reactivate(worker.uri()))).as("put back to ACTIVE (drain.at-bound: abort): only a worker that was asked for DRAINING can be")
                .isEqualTo(profile().drainsBeforeShutdown());
    }
}
