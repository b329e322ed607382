package io.prestoorchestrator.discovery;

import org.junit.jupiter.api.BeforeEach;

import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class TestInMemoryLeaderElection
        extends LeaderLockContract
{
    private InMemoryLeaderElection election;

    @BeforeEach
    void setUp()
    {
        election = new InMemoryLeaderElection();
    }

    @Override
    protected LeaderLock newLock(String holder, LeadershipListener listener)
    {
        return election.newLock(holder, listener);
    }

    /** The election changes only when a contender is started, closed or invalidated: what holds now holds until then. */
    @Override
    protected void assertHolds(String what, BooleanSupplier condition)
    {
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Override
    protected void invalidateSession(LeaderLock leader)
    {
        election.invalidate(leader);
    }
}
