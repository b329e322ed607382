package io.prestoorchestrator.testing;

import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

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
    private final Instant start;
    private volatile Instant now;

    public TestingScheduler(Instant start)
    {
        this.start = requireNonNull(start, "start is null");
        this.now = start;
    }

    /** Nanoseconds the clock has been advanced since the start. */
    @Override
    public long nanoTime()
    {
        return Duration.between(start, now).toNanos();
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
        advanceToNextDelay(ChronoUnit.FOREVER.getDuration());
    }

    /**
     * Moves the clock to the earliest delay asked for and not yet due, but by {@code atMost} at the
     * most: for code that also holds a long wait of its own (a watchdog's round), so that time does
     * not leap to it while the code under test is between two of its short waits.
     */
    public void advanceToNextDelay(Duration atMost)
    {
        requireNonNull(atMost, "atMost is null");
        Duration step;
        synchronized (this) {
            Instant next = pending.stream().map(Pending::due).min(Comparator.naturalOrder()).orElse(null);
            if (next == null) {
                return;
            }
            step = next.isAfter(now) ? Duration.between(now, next) : Duration.ZERO;
        }
        advance(step.compareTo(atMost) > 0 ? atMost : step);
    }

    /**
     * Until {@code done} holds, moves the clock on to each delay the code under test asks for
     * ({@link #advanceToNextDelay}), so that code never waits out a delay in real time. Real time
     * passes only while it works (its steps run on their own threads, its requests reach in-process
     * servers); {@code bound} limits that, and the test fails when {@code done} does not hold by then.
     */
    public void advanceUntil(BooleanSupplier done, Duration bound)
    {
        advanceUntil(done, bound, ChronoUnit.FOREVER.getDuration());
    }

    /** {@link #advanceUntil(BooleanSupplier, Duration)}, moving the clock by {@code step} at the most each time ({@link #advanceToNextDelay(Duration)}). */
    public void advanceUntil(BooleanSupplier done, Duration bound, Duration step)
    {
        requireNonNull(done, "done is null");
        requireNonNull(step, "step is null");
        await().atMost(bound).pollInterval(Duration.ofMillis(5)).until(() -> {
            if (done.getAsBoolean()) {
                return true;
            }
            advanceToNextDelay(step);
            return false;
        });
    }

    /** Delays asked for and not yet come due. */
    public synchronized int pending()
    {
        return pending.size();
    }

    private record Pending(Instant due, CompletableFuture<Void> done) {}
}
