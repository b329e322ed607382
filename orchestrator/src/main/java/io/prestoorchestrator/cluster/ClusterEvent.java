package io.prestoorchestrator.cluster;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One entry in a cluster's timeline: every deploy, scale, stop, start, failure, with who asked.
 *
 * @param type e.g. {@code deploy-started}, {@code deploy-succeeded}, {@code deploy-failed}, {@code scaled}
 */
public record ClusterEvent(Instant at, String cluster, String type, String message, String actor, Optional<String> operation)
{
    public ClusterEvent
    {
        requireNonNull(at, "at is null");
        requireNonNull(cluster, "cluster is null");
        requireNonNull(type, "type is null");
        requireNonNull(message, "message is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(operation, "operation is null");
    }
}
