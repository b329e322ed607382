package io.prestoorchestrator.sim.consul.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A scheduler and clock that only move when the test says so.
 */
final class TestingScheduler
        extends Clock
        implements Scheduler
{
    private Instant now = Instant.parse("2024-01-01T00:00:00Z");
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public Cancellable schedule(Duration delay, Runnable task)
    {
        Task scheduled = new Task(now.plus(delay), task);
        tasks.add(scheduled);
        return () -> tasks.remove(scheduled);
    }

    /**
     * Moves time forward, running every task that falls due on the way.
     */
    void advance(Duration duration)
    {
        Instant target = now.plus(duration);
        while (true) {
            Task next = tasks.stream().filter(task -> !task.due().isAfter(target)).min(Comparator.comparing(Task::due)).orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            now = next.due();
            next.task().run();
        }
        now = target;
    }

    int pending()
    {
        return tasks.size();
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone)
    {
        return this;
    }

    @Override
    public Instant instant()
    {
        return now;
    }

    private record Task(Instant due, Runnable task) {}
}
