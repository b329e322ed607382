package io.prestoorchestrator.testing;

import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * A clock that moves only when told and the delays due on it, so code that waits (backoff,
 * heartbeats, polls) is tested without sleeping: it is the {@link Scheduler} of the code under test, and
 * {@link #advance} moves the clock and completes every delay that came due, in order.
 */
public final class TestingScheduler
        implements Scheduler
{
    private final List<Pending> pending = new ArrayList<>();
    private final List<Duration> requested = new ArrayList<>();
    private volatile Instant now;

    public TestingScheduler(Instant start)
    {
        this.now = requireNonNull(start, "start is null");
    }

    public Clock clock()
    {
        return new Clock()
        {
            @Override
            public ZoneId getZone()
            {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone)
            {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant()
            {
                return now;
            }
        };
    }

    /** Completes once the clock has been advanced by {@code delay}. */
    @Override
    public synchronized CompletionStage<Void> after(Duration delay)
    {
        requested.add(delay);
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.add(new Pending(now.plus(delay), done));
        return done;
    }

    /** Every delay asked for so far, in order. */
    public synchronized List<Duration> requested()
    {
        return List.copyOf(requested);
    }

    /** Moves the clock by {@code duration}, completing each delay as the clock reaches it (what they schedule in turn too). */
    public void advance(Duration duration)
    {
        Instant until = now.plus(duration);
        while (true) {
            Pending next;
            synchronized (this) {
                next = pending.stream().filter(each -> !each.due().isAfter(until)).min(Comparator.comparing(Pending::due)).orElse(null);
                if (next == null) {
                    now = until;
                    return;
                }
                pending.remove(next);
                now = next.due();
            }
            next.done().complete(null);
        }
    }

    /**
     * Moves the clock to the earliest delay asked for and not yet due, completing it (and any due at
     * the same instant); does nothing when none is pending. For code that runs on its own threads: a
     * test that calls this whenever that code waits moves time exactly as far as the code waits.
     */
    public void advanceToNextDelay()
    {
        Instant next;
        synchronized (this) {
            next = pending.stream().map(Pending::due).min(Comparator.naturalOrder()).orElse(null);
            if (next == null) {
                return;
            }
        }
        advance(next.isAfter(now) ? Duration.between(now, next) : Duration.ZERO);
    }

    /** Delays asked for and not yet come due. */
    public synchronized int pending()
    {
        return pending.size();
    }

    private record Pending(Instant due, CompletableFuture<Void> done) {}
}
