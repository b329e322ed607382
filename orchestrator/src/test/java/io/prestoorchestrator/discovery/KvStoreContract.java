package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link KvStore} does, run against the in-memory fake and against Consul (the
 * simulator), so the fake cannot drift from the real adapter.
 */
public abstract class KvStoreContract
{
    /** A store with nothing in it (a fresh prefix). */
    protected abstract KvStore store();

    /**
     * Lets {@code duration} pass for the store's watches and returns once a watch issued before
     * has had that long: the fake's test clock moves on; a real server's own clock runs, so this
     * returns once the server holds the watch (its wait then runs out by itself).
     */
    protected abstract void elapse(Duration duration);

    @Test
    void testMissingKeyIsEmpty()
    {
        assertThat(await(store().get("clusters/nope"))).isEmpty();
        assertThat(await(store().list("clusters/"))).isEmpty();
    }

    @Test
    void testPutThenGetKeepsTextAndGivesAnIndex()
    {
        KvStore store = store();
        String value = "{\"name\":\"c1\",\"note\":\"grüße ✓ \\n\"}";
        await(store.put("clusters/c1", value));

        Optional<KvEntry> entry = await(store.get("clusters/c1"));
        assertThat(entry).isPresent();
        assertThat(entry.get().key()).isEqualTo("clusters/c1");
        assertThat(entry.get().value()).isEqualTo(value);
        assertThat(entry.get().modifyIndex()).isPositive();

        await(store.put("clusters/c1", "v2"));
        KvEntry second = await(store.get("clusters/c1")).orElseThrow();
        assertThat(second.value()).isEqualTo("v2");
        assertThat(second.modifyIndex()).isGreaterThan(entry.get().modifyIndex());
    }

    @Test
    void testEmptyValueRoundTrips()
    {
        KvStore store = store();
        await(store.put("flags/empty", ""));
        assertThat(await(store.get("flags/empty")).orElseThrow().value()).isEmpty();
    }

    @Test
    void testListReturnsEntriesUnderPrefixSortedWithRelativeKeys()
    {
        KvStore store = store();
        await(store.put("clusters/b", "B"));
        await(store.put("clusters/a", "A"));
        await(store.put("clusters/a/ops/1", "op"));
        await(store.put("catalogs/tpch", "T"));

        assertThat(await(store.list("clusters/")))
                .extracting(KvEntry::key, KvEntry::value)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("clusters/a", "A"),
                        org.assertj.core.groups.Tuple.tuple("clusters/a/ops/1", "op"),
                        org.assertj.core.groups.Tuple.tuple("clusters/b", "B"));
        assertThat(await(store.list(""))).extracting(KvEntry::key)
                .containsExactly("catalogs/tpch", "clusters/a", "clusters/a/ops/1", "clusters/b");
        assertThat(await(store.list("cat"))).extracting(KvEntry::key).containsExactly("catalogs/tpch");
    }

    @Test
    void testCompareAndSetZeroCreatesOnlyOnce()
    {
        KvStore store = store();
        await(store.compareAndSet("clusters/c1", "first", 0));
        assertThat(await(store.get("clusters/c1")).orElseThrow().value()).isEqualTo("first");

        assertThat(failure(store.compareAndSet("clusters/c1", "second", 0)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("clusters/c1");
        assertThat(await(store.get("clusters/c1")).orElseThrow().value()).isEqualTo("first");
    }

    @Test
    void testCompareAndSetWithStaleIndexLosesAndChangesNothing()
    {
        KvStore store = store();
        await(store.put("clusters/c1", "v1"));
        KvEntry read = await(store.get("clusters/c1")).orElseThrow();

        await(store.compareAndSet("clusters/c1", "v2", read.modifyIndex()));
        KvEntry after = await(store.get("clusters/c1")).orElseThrow();
        assertThat(after.value()).isEqualTo("v2");
        assertThat(after.modifyIndex()).isGreaterThan(read.modifyIndex());

        // a second writer that read v1 loses
        assertThat(failure(store.compareAndSet("clusters/c1", "v2-other", read.modifyIndex())))
                .isInstanceOf(ConflictException.class);
        assertThat(await(store.get("clusters/c1")).orElseThrow()).isEqualTo(after);
    }

    @Test
    void testCompareAndSetOnMissingKeyWithNonZeroIndexLoses()
    {
        KvStore store = store();
        assertThat(failure(store.compareAndSet("clusters/gone", "x", 12345))).isInstanceOf(ConflictException.class);
        assertThat(await(store.get("clusters/gone"))).isEmpty();
    }

    @Test
    void testDelete()
    {
        KvStore store = store();
        await(store.put("clusters/c1", "v1"));
        await(store.delete("clusters/c1"));
        assertThat(await(store.get("clusters/c1"))).isEmpty();
        await(store.delete("clusters/c1")); // idempotent
    }

    @Test
    void testDeleteIfUnchanged()
    {
        KvStore store = store();
        await(store.put("clusters/c1", "v1"));
        KvEntry read = await(store.get("clusters/c1")).orElseThrow();
        await(store.put("clusters/c1", "v2"));

        assertThat(failure(store.deleteIfUnchanged("clusters/c1", read.modifyIndex()))).isInstanceOf(ConflictException.class);
        assertThat(await(store.get("clusters/c1")).orElseThrow().value()).isEqualTo("v2");

        KvEntry current = await(store.get("clusters/c1")).orElseThrow();
        await(store.deleteIfUnchanged("clusters/c1", current.modifyIndex()));
        assertThat(await(store.get("clusters/c1"))).isEmpty();

        // already gone: counts as deleted
        await(store.deleteIfUnchanged("clusters/c1", current.modifyIndex()));
    }

    @Test
    void testWatchFromZeroAnswersAtOnceWithTheEntriesAndAnIndex()
    {
        KvStore store = store();
        await(store.put("clusters/a", "A"));
        await(store.put("catalogs/tpch", "T"));
        KvListing listing = await(store.watch("clusters/", 0, Duration.ofSeconds(20)), Duration.ofSeconds(5));
        assertThat(listing.entries()).extracting(KvEntry::key, KvEntry::value).containsExactly(org.assertj.core.groups.Tuple.tuple("clusters/a", "A"));
        assertThat(listing.index()).isPositive();

        KvListing empty = await(store.watch("drains/", 0, Duration.ofSeconds(20)), Duration.ofSeconds(5));
        assertThat(empty.entries()).isEmpty();
        assertThat(empty.index()).isPositive();
    }

    @Test
    void testWatchBlocksUntilAKeyUnderThePrefixChanges()
    {
        KvStore store = store();
        await(store.put("clusters/a", "A"));
        KvListing first = await(store.watch("clusters/", 0, Duration.ofSeconds(20)));
        CompletableFuture<KvListing> next = store.watch("clusters/", first.index(), Duration.ofSeconds(20)).toCompletableFuture();
        elapse(Duration.ofMillis(300));
        assertThat(next).isNotDone();

        await(store.put("clusters/b", "B"));
        KvListing changed = await(next, Duration.ofSeconds(5));
        assertThat(changed.entries()).extracting(KvEntry::key).containsExactly("clusters/a", "clusters/b");
        assertThat(changed.index()).isGreaterThan(first.index());

        CompletableFuture<KvListing> afterDelete = store.watch("clusters/", changed.index(), Duration.ofSeconds(20)).toCompletableFuture();
        await(store.delete("clusters/a"));
        assertThat(await(afterDelete, Duration.ofSeconds(5)).entries()).extracting(KvEntry::key).containsExactly("clusters/b");
    }

    @Test
    void testWatchWithNothingChangedAnswersAfterTheWaitWithTheSameIndex()
    {
        KvStore store = store();
        await(store.put("clusters/a", "A"));
        KvListing first = await(store.watch("clusters/", 0, Duration.ofSeconds(20)));
        CompletableFuture<KvListing> watch = store.watch("clusters/", first.index(), Duration.ofMillis(500)).toCompletableFuture();
        assertThat(watch).as("nothing changed: the watch waits").isNotDone();
        elapse(Duration.ofMillis(500));
        KvListing again = await(watch, Duration.ofSeconds(10));
        assertThat(again.index()).isEqualTo(first.index());
        assertThat(again.entries()).isEqualTo(first.entries());
    }

    @Test
    void testBadKeysAreRefused()
    {
        KvStore store = store();
        assertThatThrownBy(() -> store.get("/abs")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.put("a//b", "x")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.put("a/../b", "x")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.delete("dir/")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.compareAndSet("a", "x", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
