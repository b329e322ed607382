package io.prestoorchestrator.discovery;

import java.util.concurrent.CompletionStage;

/**
 * Elects one replica to run the background work (deploy watching, reconciling, drains). Every
 * replica starts one; at most one is leader at a time; when the leader goes away another takes
 * over. Leadership changes are reported to a {@link LeadershipListener}.
 */
public interface LeaderLock
{
    /** Starts contending for leadership (idempotent). */
    void start();

    boolean isLeader();

    /** Stops contending and gives up leadership if held (the listener is told); completes once released. */
    CompletionStage<Void> close();
}
