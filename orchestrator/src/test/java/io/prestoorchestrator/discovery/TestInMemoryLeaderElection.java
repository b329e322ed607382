package io.prestoorchestrator.discovery;

import org.junit.jupiter.api.BeforeEach;

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

    @Override
    protected void invalidateSession(LeaderLock leader)
    {
        election.invalidate(leader);
    }
}
