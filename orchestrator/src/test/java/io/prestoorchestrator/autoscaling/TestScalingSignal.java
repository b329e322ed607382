package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.autoscaling.WorkersNeeded.Clamp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestScalingSignal
{
    @Test
    void testQueuedQueriesAskForMoreWorkers()
    {
        // the captured Trino 476 load: 2 running, 4 queued, 1 worker, 2 queries per worker
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(2, 4, 0, 0, 1, 0, 2, 1, 10));
        assertThat(signal.needed()).isEqualTo(3);
        assertThat(signal.rawNeed()).isEqualTo(3);
        assertThat(signal.busyQueries()).isEqualTo(2);
        assertThat(signal.clamp()).isEqualTo(Clamp.NONE);
        assertThat(signal.change()).isEqualTo(2);
        assertThat(signal.reason()).isEqualTo("2 running + 4 queued = 6 queries at 2 per worker: 3 worker(s); 1 active: scale out by 2");
    }

    @Test
    void testRoundsUp()
    {
        assertThat(ScalingSignal.compute(new SignalInputs(5, 0, 0, 0, 1, 0, 4, 0, 10)).needed()).isEqualTo(2);
        assertThat(ScalingSignal.compute(new SignalInputs(4, 0, 0, 0, 1, 0, 4, 0, 10)).needed()).isEqualTo(1);
        assertThat(ScalingSignal.compute(new SignalInputs(1, 0, 0, 0, 1, 0, 4, 0, 10)).needed()).isEqualTo(1);
    }

    @Test
    void testIdleClusterFallsToMin()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(0, 0, 0, 0, 3, 0, 4, 1, 10));
        assertThat(signal.needed()).isEqualTo(1);
        assertThat(signal.rawNeed()).isZero();
        assertThat(signal.clamp()).isEqualTo(Clamp.MIN);
        assertThat(signal.change()).isEqualTo(-2);
        assertThat(signal.reason()).isEqualTo("0 running + 0 queued = 0 queries at 4 per worker: 0 worker(s), raised to workers.min 1; 3 active: scale in by 2");
    }

    @Test
    void testScaleToZeroWhenMinIsZero()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(0, 0, 0, 0, 1, 0, 4, 0, 4));
        assertThat(signal.needed()).isZero();
        assertThat(signal.clamp()).isEqualTo(Clamp.NONE);
    }

    @Test
    void testAQueryWaitingOnAClusterAtZeroAsksForAWorker()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(0, 1, 0, 0, 0, 0, 4, 0, 4));
        assertThat(signal.needed()).isEqualTo(1);
        assertThat(signal.reason()).endsWith("0 active: scale out by 1");
    }

    @Test
    void testQueriesWaitingForWorkersAskForWorkers()
    {
        // a cluster scaled to zero: the arriving query waits for a worker, and no metric counts it as queued or running
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(0, 0, 1, 0, 0, 0, 4, 0, 4));
        assertThat(signal.needed()).isEqualTo(1);
        assertThat(signal.clamp()).isEqualTo(Clamp.NONE);
        assertThat(signal.reason()).isEqualTo("0 running + 0 queued + 1 waiting for workers = 1 queries at 4 per worker: 1 worker(s); 0 active: scale out by 1");
        assertThat(ScalingSignal.compute(new SignalInputs(0, 2, 3, 0, 0, 0, 2, 0, 4)).needed()).isEqualTo(3);
        assertThat(ScalingSignal.compute(new SignalInputs(0, 0, 0, 0, 0, 0, 4, 0, 4)).needed()).isZero();
    }

    @Test
    void testCappedAtMax()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(10, 30, 0, 0, 2, 0, 2, 1, 6));
        assertThat(signal.rawNeed()).isEqualTo(20);
        assertThat(signal.needed()).isEqualTo(6);
        assertThat(signal.clamp()).isEqualTo(Clamp.MAX);
        assertThat(signal.reason()).contains("20 worker(s), capped at workers.max 6").endsWith("2 active: scale out by 4");
    }

    @Test
    void testFullyBlockedQueriesDoNotCount()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(6, 0, 0, 4, 2, 0, 1, 1, 10));
        assertThat(signal.busyQueries()).isEqualTo(2);
        assertThat(signal.needed()).isEqualTo(2);
        assertThat(signal.reason()).startsWith("6 running (4 fully blocked, not counted) + 0 queued = 2 queries").endsWith(": no change");
        // more blocked than running (two gauges read at slightly different moments) never goes negative
        assertThat(ScalingSignal.compute(new SignalInputs(1, 3, 0, 2, 1, 0, 1, 0, 10)).busyQueries()).isZero();
        assertThat(ScalingSignal.compute(new SignalInputs(1, 3, 0, 2, 1, 0, 1, 0, 10)).needed()).isEqualTo(3);
    }

    @Test
    void testDrainingWorkersAreNotCapacity()
    {
        WorkersNeeded signal = ScalingSignal.compute(new SignalInputs(8, 0, 0, 0, 1, 1, 4, 1, 10));
        assertThat(signal.needed()).isEqualTo(2);
        assertThat(signal.change()).isEqualTo(1);
        assertThat(signal.reason()).endsWith("1 active (+1 draining): scale out by 1");
    }

    @Test
    void testInputsAreChecked()
    {
        assertThatThrownBy(() -> new SignalInputs(-1, 0, 0, 0, 0, 0, 4, 0, 1)).hasMessageContaining("runningQueries");
        assertThatThrownBy(() -> new SignalInputs(0, 0, -1, 0, 0, 0, 4, 0, 1)).hasMessageContaining("waitingQueries is negative");
        assertThatThrownBy(() -> new SignalInputs(0, 0, 0, 0, 0, 0, 0, 0, 1)).hasMessageContaining("queriesPerWorker");
        assertThatThrownBy(() -> new SignalInputs(0, 0, 0, 0, 0, 0, 4, 3, 2)).hasMessageContaining("max (2) is below min (3)");
    }
}
