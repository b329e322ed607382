package io.prestoorchestrator.sim.consul.state;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A session. {@code ttl} keeps the text the client sent ("30s"), as Consul does.
 */
public record Session(
        String id,
        String name,
        String node,
        Duration lockDelay,
        Behavior behavior,
        String ttl,
        Optional<Duration> ttlDuration,
        List<String> nodeChecks,
        List<String> serviceChecks,
        long createIndex,
        long modifyIndex)
{
    public Session
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(node, "node is null");
        requireNonNull(lockDelay, "lockDelay is null");
        requireNonNull(behavior, "behavior is null");
        requireNonNull(ttl, "ttl is null");
        requireNonNull(ttlDuration, "ttlDuration is null");
        nodeChecks = List.copyOf(requireNonNull(nodeChecks, "nodeChecks is null"));
        serviceChecks = List.copyOf(requireNonNull(serviceChecks, "serviceChecks is null"));
    }

    public boolean usesCheck(String checkId)
    {
        return nodeChecks.contains(checkId) || serviceChecks.contains(checkId);
    }

    Session withIndexes(long newCreateIndex, long newModifyIndex)
    {
        return new Session(id, name, node, lockDelay, behavior, ttl, ttlDuration, nodeChecks, serviceChecks, newCreateIndex, newModifyIndex);
    }

    public enum Behavior
    {
        RELEASE("release"),
        DELETE("delete");

        private final String wireName;

        Behavior(String wireName)
        {
            this.wireName = wireName;
        }

        public String wireName()
        {
            return wireName;
        }

        public static Optional<Behavior> fromWireName(String name)
        {
            for (Behavior behavior : values()) {
                if (behavior.wireName.equals(name)) {
                    return Optional.of(behavior);
                }
            }
            return Optional.empty();
        }
    }
}
