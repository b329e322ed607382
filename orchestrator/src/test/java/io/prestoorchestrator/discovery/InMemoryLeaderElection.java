package io.prestoorchestrator.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * An in-memory election for unit tests: {@link #newLock} makes contenders; the earliest started one
 * leads; closing or {@link #invalidate invalidating} the leader hands over at once to the next.
 * Listeners are called on the caller's thread. Kept honest by {@code LeaderLockContract}.
 */
public final class InMemoryLeaderElection
{
    private final List<Contender> queue = new ArrayList<>();
    private Contender leader;

    public LeaderLock newLock(String holder, LeadershipListener listener)
    {
        return new Contender(requireNonNull(holder, "holder is null"), requireNonNull(listener, "listener is null"));
    }

    /** Takes leadership away from {@code lock}, as an invalidated Consul session would; it keeps contending, at the back. */
    public void invalidate(LeaderLock lock)
    {
        List<Runnable> notifications = new ArrayList<>();
        synchronized (this) {
            if (leader == lock) {
                Contender old = leader;
                leader = null;
                notifications.add(() -> old.listener.lost("session invalidated"));
                queue.remove(old);
                queue.add(old);
                elect(notifications);
            }
        }
        notifications.forEach(Runnable::run);
    }

    private void elect(List<Runnable> notifications)
    {
        if (leader == null && !queue.isEmpty()) {
            Contender next = queue.get(0);
            leader = next;
            notifications.add(next.listener::gained);
        }
    }

    private final class Contender
            implements LeaderLock
    {
        private final String holder;
        private final LeadershipListener listener;
        private boolean started;
        private boolean closed;

        private Contender(String holder, LeadershipListener listener)
        {
            this.holder = holder;
            this.listener = listener;
        }

        @Override
        public void start()
        {
            List<Runnable> notifications = new ArrayList<>();
            synchronized (InMemoryLeaderElection.this) {
                if (started || closed) {
                    return;
                }
                started = true;
                queue.add(this);
                elect(notifications);
            }
            notifications.forEach(Runnable::run);
        }

        @Override
        public boolean isLeader()
        {
            synchronized (InMemoryLeaderElection.this) {
                return leader == this;
            }
        }

        @Override
        public CompletionStage<Void> close()
        {
            List<Runnable> notifications = new ArrayList<>();
            synchronized (InMemoryLeaderElection.this) {
                if (!closed) {
                    closed = true;
                    queue.remove(this);
                    if (leader == this) {
                        leader = null;
                        notifications.add(() -> listener.lost("this replica is shutting down"));
                        elect(notifications);
                    }
                }
            }
            notifications.forEach(Runnable::run);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String toString()
        {
            return "InMemoryLeaderLock[" + holder + "]";
        }
    }
}
