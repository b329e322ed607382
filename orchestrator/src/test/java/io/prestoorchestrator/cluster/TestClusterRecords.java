package io.prestoorchestrator.cluster;

import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.discovery.KvListing;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.follow.BlockingFollower;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API's cluster records in memory: followed with one blocking query, read without a Consul
 * call, read-your-writes for this replica's writes, and read through to Consul while the query fails.
 */
class TestClusterRecords
{
    private static final Instant START = Instant.parse("2026-12-07T14:00:00Z");
    private static final Duration WATCH_WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final TestingScheduler time = new TestingScheduler(START);
    private final InMemoryKvStore consul = new InMemoryKvStore(time);
    private final HeldKvStore kv = new HeldKvStore(consul);
    private final ClusterRepository repository = new ClusterRepository(kv);
    /** Another replica's writes: this replica hears of them only through the blocking query. */
    private final ClusterRepository otherReplica = new ClusterRepository(consul);
    private final BlockingFollower<List<ClusterRecord>> feed = ClusterRecords.follower(repository, Runnable::run, time, time.clock(), WATCH_WAIT, RETRY);
    private final ClusterRecords records = new ClusterRecords(feed, repository);

    @Test
    void readsComeFromTheFollowedRecordsWithoutAConsulCall()
    {
        join(otherReplica.createCluster(record("beta", ClusterState.RUNNING)));
        join(otherReplica.createCluster(record("alpha", ClusterState.RUNNING)));
        feed.start();
        join(otherReplica.createCluster(record("gamma", ClusterState.DEPLOYING)));

        kv.reads.set(0);
        assertThat(records.inMemory()).isTrue();
        assertThat(join(records.find("gamma"))).map(ClusterRecord::state).contains(ClusterState.DEPLOYING);
        assertThat(join(records.find("missing"))).isEmpty();
        assertThat(join(records.page(2, Optional.empty()))).extracting(ClusterRecord::name).containsExactly("alpha", "beta");
        assertThat(join(records.page(50, Optional.of("alpha")))).extracting(ClusterRecord::name).containsExactly("beta", "gamma");
        assertThat(kv.reads).as("reads of single keys and listings").hasValue(0);

        join(otherReplica.deleteCluster("beta"));
        assertThat(join(records.page(50, Optional.empty()))).extracting(ClusterRecord::name).containsExactly("alpha", "gamma");
    }

    @Test
    void aWriteIsReadAtOnceEvenBeforeTheBlockingQueryShowsIt()
    {
        kv.hold = true;
        feed.start();
        kv.answerHeld(new KvListing(List.of(), 1));
        // the query in flight was sent before the write; Consul's answer to it may not show the write
        long before = feed.rounds();
        join(repository.createCluster(record("demo", ClusterState.DEPLOYING)));
        assertThat(kv.held).hasSize(1);

        assertThat(join(records.find("demo"))).map(ClusterRecord::state).contains(ClusterState.DEPLOYING);
        assertThat(join(records.page(50, Optional.empty()))).extracting(ClusterRecord::name).containsExactly("demo");

        // an answer to the query sent before the write, without it: the write still shows
        kv.answerHeld(new KvListing(List.of(), 1));
        assertThat(feed.latest().orElseThrow().round()).isEqualTo(before);
        assertThat(join(records.find("demo"))).isPresent();

        // the next query was sent after the write: its answer is what holds from then on, here another replica's delete
        assertThat(kv.held).hasSize(1);
        join(otherReplica.deleteCluster("demo"));
        kv.answerHeld(new KvListing(List.of(), 5));
        assertThat(join(records.find("demo"))).isEmpty();
    }

    @Test
    void aDeleteIsReadAtOnce()
    {
        join(otherReplica.createCluster(record("demo", ClusterState.RUNNING)));
        kv.hold = true;
        feed.start();
        kv.answerHeld(new KvListing(join(consul.list("clusters/")), 1));
        assertThat(join(records.find("demo"))).isPresent();

        join(repository.deleteCluster("demo"));
        assertThat(kv.held).as("the query sent before the delete has not answered").hasSize(1);

        assertThat(join(records.find("demo"))).isEmpty();
        assertThat(join(records.page(50, Optional.empty()))).isEmpty();
    }

    @Test
    void whileTheQueryFailsReadsGoToConsulAndFailAsConsulFails()
    {
        join(otherReplica.createCluster(record("demo", ClusterState.RUNNING)));
        assertThat(records.inMemory()).as("not followed yet").isFalse();
        kv.reads.set(0);
        assertThat(join(records.find("demo"))).isPresent();
        assertThat(kv.reads).as("read through before the first answer").hasValue(1);

        consul.setAvailable(false);
        feed.start();
        assertThat(feed.failing()).hasValueSatisfying(reason -> assertThat(reason).contains("cluster records").contains("Consul (in memory) is down"));
        assertThat(records.inMemory()).isFalse();
        assertThatThrownBy(() -> join(records.find("demo"))).hasRootCauseInstanceOf(DependencyException.class);
        assertThatThrownBy(() -> join(records.page(50, Optional.empty()))).hasRootCauseInstanceOf(DependencyException.class);

        // asked again after the retry interval, not before
        consul.setAvailable(true);
        join(otherReplica.createCluster(record("later", ClusterState.RUNNING)));
        time.advance(RETRY.minusMillis(1));
        assertThat(records.inMemory()).isFalse();
        time.advance(Duration.ofMillis(1));
        assertThat(feed.failing()).isEmpty();
        assertThat(records.inMemory()).isTrue();
        kv.reads.set(0);
        assertThat(join(records.page(50, Optional.empty()))).extracting(ClusterRecord::name).containsExactly("demo", "later");
        assertThat(kv.reads).hasValue(0);
    }

    @Test
    void aQueryThatRunsOutIsAskedAgainFromItsIndexAndClosingStopsIt()
    {
        feed.start();
        long rounds = feed.rounds();
        time.advance(WATCH_WAIT);
        assertThat(feed.rounds()).isEqualTo(rounds + 1);
        assertThat(kv.watchedFrom.getLast()).isPositive();

        feed.close();
        time.advance(WATCH_WAIT);
        assertThat(feed.rounds()).isEqualTo(rounds + 1);
    }

    private static ClusterRecord record(String name, ClusterState state)
    {
        ClusterSpec local = TestingClusterSpecs.local();
        ClusterSpec spec = new ClusterSpec(name, local.flavour(), local.version(), local.image(), local.environment(), local.coordinator(), local.workers(), local.workerResources(),
                local.jvm(), local.queryMemory(), local.catalogs(), local.properties(), local.allowUnknownProperties(), local.labels(), local.autoscaling());
        return new ClusterRecord(spec, state, Optional.empty(), Optional.empty(), Optional.empty(), START, START, "test");
    }

    private static <T> T join(CompletionStage<T> stage)
    {
        return stage.toCompletableFuture().join();
    }

    /** Counts reads, and holds the blocking queries' answers while {@code hold}, for the test to give. */
    private static final class HeldKvStore
            implements KvStore
    {
        private final KvStore delegate;
        private final AtomicInteger reads = new AtomicInteger();
        private final Deque<CompletableFuture<KvListing>> held = new ArrayDeque<>();
        private final Deque<Long> watchedFrom = new ArrayDeque<>();
        private volatile boolean hold;

        HeldKvStore(KvStore delegate)
        {
            this.delegate = delegate;
        }

        void answerHeld(KvListing listing)
        {
            held.removeFirst().complete(listing);
        }

        @Override
        public CompletionStage<Optional<KvEntry>> get(String key)
        {
            reads.incrementAndGet();
            return delegate.get(key);
        }

        @Override
        public CompletionStage<List<KvEntry>> list(String prefix)
        {
            reads.incrementAndGet();
            return delegate.list(prefix);
        }

        @Override
        public CompletionStage<KvListing> watch(String prefix, long index, Duration wait)
        {
            watchedFrom.add(index);
            if (hold) {
                CompletableFuture<KvListing> answer = new CompletableFuture<>();
                held.add(answer);
                return answer;
            }
            return delegate.watch(prefix, index, wait);
        }

        @Override
        public CompletionStage<Void> put(String key, String value)
        {
            return delegate.put(key, value);
        }

        @Override
        public CompletionStage<Void> compareAndSet(String key, String value, long expectedModifyIndex)
        {
            return delegate.compareAndSet(key, value, expectedModifyIndex);
        }

        @Override
        public CompletionStage<Void> delete(String key)
        {
            return delegate.delete(key);
        }

        @Override
        public CompletionStage<Void> deleteIfUnchanged(String key, long expectedModifyIndex)
        {
            return delegate.deleteIfUnchanged(key, expectedModifyIndex);
        }
    }
}
