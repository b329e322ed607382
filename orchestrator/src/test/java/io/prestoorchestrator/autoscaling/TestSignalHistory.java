package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.autoscaling.SignalHistory.Point;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSignalHistory
{
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void testCapacityIsOnePointPerPollOverTheWindowBounded()
    {
        assertThat(SignalHistory.capacity(Duration.ofHours(1), Duration.ofSeconds(5))).isEqualTo(721);
        assertThat(SignalHistory.capacity(Duration.ofHours(1), Duration.ofSeconds(7))).isEqualTo(516);
        assertThat(SignalHistory.capacity(Duration.ofHours(1), Duration.ofMillis(100))).isEqualTo(SignalHistory.MAX_POINTS);
        assertThat(SignalHistory.capacity(Duration.ofMinutes(1), Duration.ofMinutes(5))).isEqualTo(2);
        assertThatThrownBy(() -> new SignalHistory(Duration.ofHours(1), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void testPointsOfTheWindowOldestFirstWithGaps()
    {
        SignalHistory history = new SignalHistory(Duration.ofMinutes(1), Duration.ofSeconds(10));
        history.record(ok("demo", T0, 2, 1, 3, 5));
        history.record(unavailable("demo", T0.plusSeconds(10)));
        history.record(ok("demo", T0.plusSeconds(20), 3, 2, 4, 6));
        history.record(ok("other", T0.plusSeconds(20), 1, 1, 0, 0));

        assertThat(history.points("demo", T0.plusSeconds(30))).containsExactly(
                new Point(T0, true, 2, 1, 0, 3, 5),
                new Point(T0.plusSeconds(10), false, 0, 0, 0, 0, 0),
                new Point(T0.plusSeconds(20), true, 3, 2, 0, 4, 6));
        assertThat(history.points("other", T0.plusSeconds(30))).hasSize(1);
        assertThat(history.points("never-polled", T0)).isEmpty();
    }

    @Test
    void testOlderThanTheWindowIsDropped()
    {
        SignalHistory history = new SignalHistory(Duration.ofMinutes(1), Duration.ofSeconds(10));
        history.record(ok("demo", T0, 2, 1, 0, 0));
        history.record(ok("demo", T0.plusSeconds(30), 2, 2, 0, 0));

        assertThat(history.points("demo", T0.plusSeconds(60))).extracting(Point::at).containsExactly(T0, T0.plusSeconds(30));
        assertThat(history.points("demo", T0.plusSeconds(61))).extracting(Point::at).containsExactly(T0.plusSeconds(30));
        // a cluster no longer polled (stopped) keeps its points until they age out
        assertThat(history.points("demo", T0.plusSeconds(91))).isEmpty();
    }

    @Test
    void testTheRingNeverHoldsMoreThanItsCapacity()
    {
        SignalHistory history = new SignalHistory(Duration.ofHours(1), Duration.ofSeconds(10));
        int capacity = history.capacity();
        // polls closer together than the interval (a slow round, then a quick one) cannot grow it past its capacity
        for (int i = 0; i < capacity * 3; i++) {
            history.record(ok("demo", T0.plusMillis(i * 100L), i, 0, 0, 0));
        }

        assertThat(history.points("demo", T0.plusMillis(capacity * 300L))).hasSize(capacity)
                .first().extracting(Point::needed).isEqualTo(capacity * 2);
    }

    @Test
    void testForgetDropsTheCluster()
    {
        SignalHistory history = new SignalHistory(Duration.ofHours(1), Duration.ofSeconds(5));
        history.record(ok("demo", T0, 1, 1, 0, 0));
        history.forget("demo");

        assertThat(history.points("demo", T0)).isEmpty();
    }

    private static ClusterSignal ok(String cluster, Instant at, int needed, int active, int running, int queued)
    {
        SignalInputs inputs = new SignalInputs(running, queued, 0, 0, active, 0, 4, 0, 10);
        WorkersNeeded computation = new WorkersNeeded(needed, running, needed, WorkersNeeded.Clamp.NONE, "test", inputs);
        return new ClusterSignal(cluster, at, Optional.of("http://127.0.0.1:8080"), Optional.of(computation), Optional.empty());
    }

    private static ClusterSignal unavailable(String cluster, Instant at)
    {
        return new ClusterSignal(cluster, at, Optional.empty(), Optional.empty(), Optional.of("no answer"));
    }
}
