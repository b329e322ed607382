package io.prestoorchestrator.discovery;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas contend: exactly one leads; when it closes, or its session is invalidated, the
 * other takes over. Run against the in-memory fake and against Consul (the simulator).
 */
public abstract class LeaderLockContract
{
    /** Longest a takeover may take: TTL + lock delay + a retry, with slack for a loaded machine. */
    protected static final Duration TAKEOVER = Duration.ofSeconds(15);

    private final List<LeaderLock> locks = new ArrayList<>();

    protected abstract LeaderLock newLock(String holder, LeadershipListener listener);

    /**
     * Asserts that {@code condition} holds and keeps holding: a backend that works in the background (renews, watches)
     * waits a while to see it does; one that changes only when called checks it once.
     */
    protected abstract void assertHolds(String what, BooleanSupplier condition);

    /** Invalidates the leader's session behind its back (an operator, or Consul losing the node). */
    protected abstract void invalidateSession(LeaderLock leader);

    protected final LeaderLock contender(String holder, LeadershipListener listener)
    {
        LeaderLock lock = newLock(holder, listener);
        locks.add(lock);
        return lock;
    }

    /** Closes every contender (idempotent: subclasses call it before taking their backend down). */
    @AfterEach
    protected void closeLocks()
    {
        locks.forEach(lock -> await(lock.close()));
        locks.clear();
    }

    @Test
    void testExactlyOneLeadsAndClosingHandsOver()
    {
        RecordingLeadershipListener firstEvents = new RecordingLeadershipListener();
        RecordingLeadershipListener secondEvents = new RecordingLeadershipListener();
        LeaderLock first = contender("first", firstEvents);
        LeaderLock second = contender("second", secondEvents);
        first.start();
        second.start();

        await().atMost(TAKEOVER).until(() -> first.isLeader() || second.isLeader());
        assertHolds("exactly one of the two leads", () -> first.isLeader() ^ second.isLeader());
        LeaderLock leader = first.isLeader() ? first : second;
        LeaderLock follower = leader == first ? second : first;
        RecordingLeadershipListener leaderEvents = leader == first ? firstEvents : secondEvents;
        RecordingLeadershipListener followerEvents = leader == first ? secondEvents : firstEvents;
        assertThat(leaderEvents.events()).containsExactly("gained");
        assertThat(followerEvents.events()).isEmpty();

        await(leader.close());
        assertThat(leader.isLeader()).isFalse();
        assertThat(leaderEvents.events()).hasSize(2).last().asString().startsWith("lost: ");

        await().atMost(TAKEOVER).until(follower::isLeader);
        assertThat(followerEvents.events()).containsExactly("gained");
    }

    @Test
    void testInvalidatedSessionLosesLeadershipAndTheOtherTakesOver()
    {
        RecordingLeadershipListener firstEvents = new RecordingLeadershipListener();
        RecordingLeadershipListener secondEvents = new RecordingLeadershipListener();
        LeaderLock first = contender("first", firstEvents);
        first.start();
        await().atMost(TAKEOVER).until(first::isLeader);
        LeaderLock second = contender("second", secondEvents);
        second.start();

        invalidateSession(first);

        await().atMost(TAKEOVER).until(second::isLeader);
        await().atMost(TAKEOVER).until(() -> firstEvents.events().size() >= 2);
        assertThat(firstEvents.events().get(0)).isEqualTo("gained");
        assertThat(firstEvents.events().get(1)).startsWith("lost: ").contains("session");
        // the old leader keeps contending but does not lead while the other does
        assertHolds("the new leader leads and the old one does not", () -> !first.isLeader() && second.isLeader());
    }

    @Test
    void testCloseWithoutLeadingTellsNothing()
    {
        RecordingLeadershipListener leaderEvents = new RecordingLeadershipListener();
        RecordingLeadershipListener followerEvents = new RecordingLeadershipListener();
        LeaderLock leader = contender("leader", leaderEvents);
        leader.start();
        await().atMost(TAKEOVER).until(leader::isLeader);
        LeaderLock follower = contender("follower", followerEvents);
        follower.start();
        await(follower.close());
        assertThat(followerEvents.events()).isEmpty();
        assertThat(leader.isLeader()).isTrue();
    }
}
