package io.prestoorchestrator.sim.consul.state;

import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * What one committed write touched: the new raft index and the tables ("topics") it moved.
 */
public record ChangeSet(long index, Set<String> topics)
{
    public ChangeSet
    {
        topics = Set.copyOf(requireNonNull(topics, "topics is null"));
        if (index <= 0) {
            throw new IllegalArgumentException("index must be positive");
        }
    }

    public boolean touches(String topic)
    {
        return topics.contains(topic);
    }

    public boolean touchesPrefix(String prefix)
    {
        return topics.stream().anyMatch(topic -> topic.startsWith(prefix));
    }
}
