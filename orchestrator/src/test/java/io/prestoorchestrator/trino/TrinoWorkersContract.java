package io.prestoorchestrator.trino;

import io.prestoorchestrator.drain.TrinoWorkers;
import io.prestoorchestrator.drain.TrinoWorkers.StateChange;
import io.prestoorchestrator.drain.WorkerState;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The states and answers of a Trino worker's {@code /v1/info/state} that the drain relies on, as
 * Trino 476 behaves (FACTS.md), through the orchestrator's client ({@link TrinoHttpWorkers}): an idle
 * worker is ACTIVE; DRAINING reaches DRAINED and the worker keeps running; ACTIVE cancels a drain,
 * drained or not; SHUTTING_DOWN cannot be cancelled and the process exits. Run against the fake the
 * drain's unit tests use ({@code TestFakeTrinoWorker}); a run against a real worker needs a subclass
 * whose {@link #worker()} starts one idle Trino worker per test (SHUTTING_DOWN ends it).
 */
public abstract class TrinoWorkersContract
{
    protected abstract TrinoWorkers workers();

    /** An idle worker, ACTIVE, that this test may drain and stop. */
    protected abstract URI worker();

    /** Lets {@code duration} pass for the worker (a fake's clock; real time for a real worker). */
    protected abstract void elapse(Duration duration);

    /** Longer than an idle worker takes to reach DRAINED (a real one: ~10 s) or to exit after SHUTTING_DOWN (grace periods). */
    protected abstract Duration settle();

    @Test
    void testContractAnIdleWorkerIsActive()
    {
        assertThat(await(workers().state(worker()))).contains(WorkerState.ACTIVE);
    }

    @Test
    void testContractADrainingWorkerReachesDrainedAndKeepsRunning()
    {
        URI worker = worker();
        assertThat(await(workers().request(worker, WorkerState.DRAINING))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker)).orElseThrow()).isIn(WorkerState.DRAINING, WorkerState.DRAINED);

        elapse(settle());
        assertThat(await(workers().state(worker))).as("drained, and still answering").contains(WorkerState.DRAINED);
        elapse(settle());
        assertThat(await(workers().state(worker))).as("a drained worker keeps running").contains(WorkerState.DRAINED);
    }

    @Test
    void testContractActiveCancelsADrainBeforeAndAfterItEnds()
    {
        URI worker = worker();
        await(workers().request(worker, WorkerState.DRAINING));
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker))).contains(WorkerState.ACTIVE);

        await(workers().request(worker, WorkerState.DRAINING));
        elapse(settle());
        assertThat(await(workers().state(worker))).contains(WorkerState.DRAINED);
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker))).contains(WorkerState.ACTIVE);
        elapse(settle());
        assertThat(await(workers().state(worker))).as("the cancelled drain does not come back").contains(WorkerState.ACTIVE);
    }

    @Test
    void testContractShuttingDownCannotBeCancelledAndTheWorkerExits()
    {
        URI worker = worker();
        await(workers().request(worker, WorkerState.DRAINING));
        elapse(settle());
        assertThat(await(workers().request(worker, WorkerState.SHUTTING_DOWN))).isEqualTo(StateChange.ACCEPTED);
        Optional<WorkerState> stopping = await(workers().state(worker));
        if (stopping.isPresent()) {
            // still up: SHUTTING_DOWN, and ACTIVE is refused as a state it cannot go to
            assertThat(stopping).contains(WorkerState.SHUTTING_DOWN);
            assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.UNSUPPORTED);
        }

        elapse(settle());
        assertThat(await(workers().state(worker))).as("gone").isEmpty();
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.UNREACHABLE);
    }
}
