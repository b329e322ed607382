package io.prestoorchestrator.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A terminating instance's drain as kept in the KV store ({@code lifecycle/<instance-id>}), so a new
 * leader resumes it and a duplicate message finds it. Written by the leader only (created by
 * compare-and-set by whichever replica received the event).
 *
 * @param via how the event arrived: sqs, sns, eventbridge, http
 * @param nodeId the Nomad node, once found
 * @param clusters the clusters with workers on the node, once known
 * @param workersDrainedAt when every worker on the node had drained (or its bound passed)
 * @param result the lifecycle action's result once completed: CONTINUE, ABANDON, or EXPIRED (the action was gone)
 */
public record DrainRecord(
        LifecycleAction action,
        String via,
        State state,
        Instant receivedAt,
        Instant updatedAt,
        Optional<String> runner,
        Optional<String> nodeId,
        List<String> clusters,
        Optional<Instant> workersDrainedAt,
        Optional<Instant> completedAt,
        Optional<String> result,
        String detail)
{
    public enum State
    {
        RECEIVED, DRAINING_WORKERS, DRAINING_NODE, COMPLETING, DONE
    }

    public DrainRecord
    {
        requireNonNull(action, "action is null");
        requireNonNull(via, "via is null");
        requireNonNull(state, "state is null");
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(runner, "runner is null");
        requireNonNull(nodeId, "nodeId is null");
        clusters = List.copyOf(requireNonNull(clusters, "clusters is null"));
        requireNonNull(workersDrainedAt, "workersDrainedAt is null");
        requireNonNull(completedAt, "completedAt is null");
        requireNonNull(result, "result is null");
        requireNonNull(detail, "detail is null");
    }

    public static DrainRecord received(LifecycleAction action, String via, Instant now)
    {
        return new DrainRecord(action, via, State.RECEIVED, now, now, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), "received");
    }

    public static String key(String instanceId)
    {
        return "lifecycle/" + instanceId;
    }

    DrainRecord withState(State newState, Instant now, String newDetail)
    {
        return new DrainRecord(action, via, newState, receivedAt, now, runner, nodeId, clusters, workersDrainedAt, completedAt, result, newDetail);
    }

    DrainRecord withRunner(String replica)
    {
        return new DrainRecord(action, via, state, receivedAt, updatedAt, Optional.of(replica), nodeId, clusters, workersDrainedAt, completedAt, result, detail);
    }

    DrainRecord withNode(String node, List<String> newClusters)
    {
        return new DrainRecord(action, via, state, receivedAt, updatedAt, runner, Optional.of(node), newClusters, workersDrainedAt, completedAt, result, detail);
    }

    DrainRecord withWorkersDrainedAt(Instant at)
    {
        return new DrainRecord(action, via, state, receivedAt, updatedAt, runner, nodeId, clusters, Optional.of(at), completedAt, result, detail);
    }

    DrainRecord done(String newResult, Instant now, String newDetail)
    {
        return new DrainRecord(action, via, State.DONE, receivedAt, now, runner, nodeId, clusters, workersDrainedAt, Optional.of(now), Optional.of(newResult), newDetail);
    }
}
