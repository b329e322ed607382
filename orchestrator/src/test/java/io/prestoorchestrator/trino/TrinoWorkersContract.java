package io.prestoorchestrator.trino;

import io.prestoorchestrator.drain.TrinoWorkers;
import io.prestoorchestrator.drain.TrinoWorkers.StateChange;
import io.prestoorchestrator.drain.WorkerState;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The states and answers of a Trino worker's {@code /v1/info/state} that the drain relies on, as
 * Trino 476 behaves (FACTS.md), through the orchestrator's client ({@link TrinoHttpWorkers}): an idle
 * worker is ACTIVE; DRAINING reaches DRAINED and the worker keeps running; ACTIVE cancels a drain,
 * drained or not; SHUTTING_DOWN cannot be cancelled and the process exits. Run against the fake the
 * drain's unit tests use ({@code TestFakeTrinoWorker}, by JUnit) and against a real Trino 476 worker
 * of {@code ClusterLifecycleIT}'s running cluster ({@link RunningTrinoWorker}, by {@link #checkAll()}).
 * The checks run in their order; only the last one stops its worker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class TrinoWorkersContract
{
    protected abstract TrinoWorkers workers();

    /** An idle worker, ACTIVE, that this check may drain (and the last check stop). */
    protected abstract URI worker();

    /** Lets {@code duration} pass for the worker (a fake's clock; real time for a real worker). */
    protected abstract void elapse(Duration duration);

    /**
     * Passes once {@code check} holds, within {@link #settle()}: a fake's clock moves on by it, then
     * the check runs; a real worker is checked again until it holds or that time has passed.
     */
    protected abstract void eventually(Runnable check);

    /** Longer than an idle worker takes to reach DRAINED (a real one: ~10 s) or to exit after SHUTTING_DOWN (grace periods). */
    protected abstract Duration settle();

    /**
     * How long a state is watched to see that nothing changes it (a drained worker keeps running, a
     * cancelled drain does not come back): longer than a drained worker takes to exit when told to
     * (a real one: ~1.3 s).
     */
    protected abstract Duration hold();

    @Test
    @Order(1)
    void testContractAnIdleWorkerIsActive()
    {
        assertThat(await(workers().state(worker()))).contains(WorkerState.ACTIVE);
    }

    @Test
    @Order(2)
    void testContractADrainingWorkerReachesDrainedAndKeepsRunning()
    {
        URI worker = worker();
        assertThat(await(workers().request(worker, WorkerState.DRAINING))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker)).orElseThrow()).isIn(WorkerState.DRAINING, WorkerState.DRAINED);

        eventually(() -> assertThat(await(workers().state(worker))).as("drained, and still answering").contains(WorkerState.DRAINED));
        elapse(hold());
        assertThat(await(workers().state(worker))).as("a drained worker keeps running").contains(WorkerState.DRAINED);
    }

    @Test
    @Order(3)
    void testContractActiveCancelsADrainBeforeAndAfterItEnds()
    {
        URI worker = worker();
        await(workers().request(worker, WorkerState.DRAINING));
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker))).contains(WorkerState.ACTIVE);

        await(workers().request(worker, WorkerState.DRAINING));
        eventually(() -> assertThat(await(workers().state(worker))).contains(WorkerState.DRAINED));
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker))).contains(WorkerState.ACTIVE);
        elapse(hold());
        assertThat(await(workers().state(worker))).as("the cancelled drain does not come back").contains(WorkerState.ACTIVE);
    }

    @Test
    @Order(4)
    void testContractShuttingDownCannotBeCancelledAndTheWorkerExits()
    {
        // from ACTIVE, as the drain asks a worker that has no DRAINING: it waits out its grace periods before
        // it exits, long enough to see ACTIVE refused. A drained worker told SHUTTING_DOWN exits within about
        // a second: a real one answered SHUTTING_DOWN, then no longer answered the ACTIVE sent right after it
        // (ClusterLifecycleIT, 2026-12-07), so that is no way to see the refusal
        URI worker = worker();
        assertThat(await(workers().request(worker, WorkerState.SHUTTING_DOWN))).isEqualTo(StateChange.ACCEPTED);
        assertThat(await(workers().state(worker))).contains(WorkerState.SHUTTING_DOWN);
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).as("ACTIVE is a state it cannot go to").isEqualTo(StateChange.UNSUPPORTED);
        assertThat(await(workers().state(worker))).as("not cancelled").contains(WorkerState.SHUTTING_DOWN);

        eventually(() -> assertThat(await(workers().state(worker))).as("gone").isEmpty());
        assertThat(await(workers().request(worker, WorkerState.ACTIVE))).isEqualTo(StateChange.UNREACHABLE);
    }

    /**
     * Runs every check of this contract in its order, outside JUnit: for a real worker borrowed
     * from an integration test's running cluster, which a JUnit run of a subclass cannot reach. The
     * last check stops the worker.
     */
    public final void checkAll()
    {
        for (Method check : checks()) {
            try {
                check.invoke(this);
            }
            catch (InvocationTargetException e) {
                throw new AssertionError("Trino worker contract: " + check.getName() + " failed: " + e.getCause().getMessage(), e.getCause());
            }
            catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The contract's checks in their order. */
    static List<Method> checks()
    {
        return Arrays.stream(TrinoWorkersContract.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Test.class))
                .sorted(Comparator.comparingInt(method -> method.getAnnotation(Order.class).value()))
                .toList();
    }
}
