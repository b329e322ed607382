package io.prestoorchestrator.discovery;

/**
 * Told when this replica becomes the leader and when it stops being it. Called on the lock's
 * thread (an event loop for the Consul lock): must not block. {@code lost} always follows a
 * {@code gained}; after {@code lost} the replica must stop its background work at once.
 */
public interface LeadershipListener
{
    void gained();

    /** @param reason why, for the log: closed, session invalidated, session not renewable, lock taken */
    void lost(String reason);
}
