package io.prestoorchestrator.cluster;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestClusterStatusCache
{
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");

    private final MovingClock clock = new MovingClock(START);
    private final ClusterStatusCache cache = new ClusterStatusCache(Duration.ofSeconds(2), clock);
    private final AtomicInteger reads = new AtomicInteger();
    private final Function<ClusterRecord, CompletionStage<ClusterView.Status>> read = record -> CompletableFuture.completedFuture(status(reads.incrementAndGet()));

    @Test
    public void keepsTheStatusForItsMaxAge()
    {
        ClusterRecord demo = record("demo", 7);

        assertThat(activeWorkers(cache.status(demo, read))).isEqualTo(1);
        clock.advance(Duration.ofMillis(1999));
        assertThat(activeWorkers(cache.status(demo, read))).isEqualTo(1);
        clock.advance(Duration.ofMillis(2));
        assertThat(activeWorkers(cache.status(demo, read))).isEqualTo(2);
        assertThat(reads).hasValue(2);
    }

    @Test
    public void aChangedRecordReadsAgainAtOnce()
    {
        assertThat(activeWorkers(cache.status(record("demo", 7), read))).isEqualTo(1);
        assertThat(activeWorkers(cache.status(record("demo", 8), read))).isEqualTo(2);
        assertThat(activeWorkers(cache.status(record("other", 8), read))).isEqualTo(3);
        assertThat(activeWorkers(cache.status(record("demo", 8), read))).isEqualTo(2);
    }

    @Test
    public void concurrentRequestsShareOneRead()
    {
        CompletableFuture<ClusterView.Status> pending = new CompletableFuture<>();
        Function<ClusterRecord, CompletionStage<ClusterView.Status>> slow = record -> {
            reads.incrementAndGet();
            return pending;
        };
        CompletionStage<ClusterView.Status> first = cache.status(record("demo", 7), slow);
        // even past the max age: a read still running is shared, not started again
        clock.advance(Duration.ofSeconds(5));
        CompletionStage<ClusterView.Status> second = cache.status(record("demo", 7), slow);

        assertThat(first.toCompletableFuture()).isNotDone();
        pending.complete(status(9));
        assertThat(activeWorkers(first)).isEqualTo(9);
        assertThat(activeWorkers(second)).isEqualTo(9);
        assertThat(reads).hasValue(1);
    }

    @Test
    public void aFailedReadIsNotKept()
    {
        Function<ClusterRecord, CompletionStage<ClusterView.Status>> failing = record -> {
            reads.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("Nomad is down"));
        };
        assertThatThrownBy(() -> cache.status(record("demo", 7), failing).toCompletableFuture().join()).hasRootCauseMessage("Nomad is down");

        assertThat(activeWorkers(cache.status(record("demo", 7), read))).isEqualTo(2);
        assertThat(reads).hasValue(2);
    }

    @Test
    public void aClusterWithAnOperationRunningIsReadEveryTime()
    {
        ClusterRecord idle = record("demo", 7);
        ClusterRecord busy = new ClusterRecord(idle.spec(), ClusterState.DEPLOYING, Optional.empty(), Optional.of("operation-1"), Optional.empty(),
                START, START, "test");

        assertThat(activeWorkers(cache.status(busy, read))).isEqualTo(1);
        assertThat(activeWorkers(cache.status(busy, read))).isEqualTo(2);
        assertThat(activeWorkers(cache.status(idle, read))).isEqualTo(3);
        assertThat(activeWorkers(cache.status(idle, read))).isEqualTo(3);
    }

    @Test
    public void rejectsANonPositiveMaxAge()
    {
        assertThatThrownBy(() -> new ClusterStatusCache(Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
    }

    private static ClusterRecord record(String name, long version)
    {
        ClusterSpec local = TestingClusterSpecs.local();
        ClusterSpec spec = new ClusterSpec(name, local.flavour(), local.version(), local.image(), local.environment(), local.coordinator(), local.workers(), local.workerResources(),
                local.jvm(), local.queryMemory(), local.catalogs(), local.properties(), local.allowUnknownProperties(), local.labels(), local.autoscaling());
        // each write of a record stamps its update time: the version here
        return new ClusterRecord(spec, ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.empty(), START, START.plusSeconds(version), "test");
    }

    private static ClusterView.Status status(int activeWorkers)
    {
        return new ClusterView.Status(Optional.of(1L), Optional.of("running"), Map.of(), Optional.empty(), Optional.of(activeWorkers), false, Optional.empty(),
                new ClusterView.Routing(Optional.empty(), true, "test"), START);
    }

    private static int activeWorkers(CompletionStage<ClusterView.Status> status)
    {
        return status.toCompletableFuture().join().activeWorkers().orElseThrow();
    }

    private static final class MovingClock
            extends Clock
    {
        private Instant now;

        MovingClock(Instant now)
        {
            this.now = now;
        }

        void advance(Duration duration)
        {
            now = now.plus(duration);
        }

        @Override
        public Instant instant()
        {
            return now;
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
    }
}
