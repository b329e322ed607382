package io.prestoorchestrator.nomad;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One allocation of a job (Nomad's allocation list stub).
 *
 * @param name {@code job.group[index]}
 * @param clientStatus pending, running, complete, failed, lost
 * @param desiredStatus run, stop, evict
 * @param healthy the deployment's verdict on it, empty while undecided
 * @param taskStates by task name
 */
public record AllocationStub(
        String id,
        String name,
        String taskGroup,
        String clientStatus,
        String desiredStatus,
        String nodeId,
        long jobVersion,
        Optional<Boolean> healthy,
        Map<String, TaskState> taskStates)
{
    public AllocationStub
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(taskGroup, "taskGroup is null");
        requireNonNull(clientStatus, "clientStatus is null");
        requireNonNull(desiredStatus, "desiredStatus is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(healthy, "healthy is null");
        taskStates = Map.copyOf(requireNonNull(taskStates, "taskStates is null"));
    }

    /** The task has stopped on its client (complete, failed or lost), not only been told to stop. */
    public boolean clientTerminal()
    {
        return clientStatus.equals("complete") || clientStatus.equals("failed") || clientStatus.equals("lost");
    }

    public boolean terminal()
    {
        return !desiredStatus.equals("run") || clientStatus.equals("complete") || clientStatus.equals("failed") || clientStatus.equals("lost");
    }
}
