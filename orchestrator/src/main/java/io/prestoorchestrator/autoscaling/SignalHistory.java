package io.prestoorchestrator.autoscaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The recent past of each cluster's scaling signal, in memory: one point per poll, kept for
 * {@code window}, at most {@link #capacity} points per cluster (a ring: the oldest goes first), so
 * the memory it takes is bounded by the clusters that exist. Each replica keeps its own (every
 * replica polls); a restarted replica starts empty. For the console's chart
 * ({@code GET /v1/clusters/{name}/autoscaling/history}); Prometheus keeps the long history.
 */
public final class SignalHistory
{
    public static final Duration WINDOW = Duration.ofHours(1);
    /** Whatever the poll interval: a 1 s poll over an hour. */
    static final int MAX_POINTS = 3600;

    private final Duration window;
    private final int capacity;
    private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();

    public SignalHistory(Duration window, Duration pollInterval)
    {
        this.window = requireNonNull(window, "window is null");
        requireNonNull(pollInterval, "pollInterval is null");
        if (window.isNegative() || window.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("window and pollInterval must be positive: " + window + ", " + pollInterval);
        }
        this.capacity = capacity(window, pollInterval);
    }

    /** One point per poll over the window, and one more for a poll that ends late; never more than {@link #MAX_POINTS}. */
    static int capacity(Duration window, Duration pollInterval)
    {
        long perWindow = (window.toMillis() + pollInterval.toMillis() - 1) / pollInterval.toMillis() + 1;
        return (int) Math.min(MAX_POINTS, perWindow);
    }

    public int capacity()
    {
        return capacity;
    }

    public Duration window()
    {
        return window;
    }

    /** Adds the poll's point to its cluster's ring, dropping what fell out of the window (measured from this poll) or beyond the capacity. */
    public void record(ClusterSignal signal)
    {
        Point point = Point.of(signal);
        Deque<Point> ring = points.computeIfAbsent(signal.cluster(), ignored -> new ArrayDeque<>());
        synchronized (ring) {
            ring.addLast(point);
            prune(ring, point.at());
            while (ring.size() > capacity) {
                ring.removeFirst();
            }
        }
    }

    /** The cluster's points of the window that ends at {@code now}, oldest first; empty for a cluster never polled. */
    public List<Point> points(String cluster, Instant now)
    {
        Deque<Point> ring = points.get(cluster);
        if (ring == null) {
            return List.of();
        }
        synchronized (ring) {
            prune(ring, now);
            return List.copyOf(ring);
        }
    }

    /** A cluster that no longer exists: its points go. */
    public void forget(String cluster)
    {
        points.remove(cluster);
    }

    private void prune(Deque<Point> ring, Instant now)
    {
        Instant oldest = now.minus(window);
        while (!ring.isEmpty() && ring.peekFirst().at().isBefore(oldest)) {
            ring.removeFirst();
        }
    }

    /**
     * One poll: the signal and the inputs the console charts, or, when the coordinator did not
     * answer, a gap ({@code available} false, the numbers 0).
     */
    public record Point(Instant at, boolean available, int needed, int activeWorkers, int drainingWorkers, int runningQueries, int queuedQueries)
    {
        public Point
        {
            requireNonNull(at, "at is null");
        }

        static Point of(ClusterSignal signal)
        {
            return signal.computation()
                    .map(computation -> new Point(signal.computedAt(), true, computation.needed(), computation.inputs().activeWorkers(),
                            computation.inputs().drainingWorkers(), computation.inputs().runningQueries(), computation.inputs().queuedQueries()))
                    .orElseGet(() -> new Point(signal.computedAt(), false, 0, 0, 0, 0, 0));
        }
    }
}
