package io.prestoorchestrator.nomad;

import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A Nomad deployment: one job version being rolled out.
 *
 * @param status running, paused, pending, blocked, successful, failed, cancelled, ...
 * @param modifyIndex changes with every progress update
 */
public record Deployment(String id, String jobId, long jobVersion, String status, String statusDescription, Map<String, GroupProgress> groups, long modifyIndex)
{
    private static final Set<String> TERMINAL = Set.of("successful", "failed", "cancelled");

    public Deployment
    {
        requireNonNull(id, "id is null");
        requireNonNull(jobId, "jobId is null");
        requireNonNull(status, "status is null");
        requireNonNull(statusDescription, "statusDescription is null");
        groups = Map.copyOf(requireNonNull(groups, "groups is null"));
    }

    public boolean terminal()
    {
        return TERMINAL.contains(status);
    }

    public boolean successful()
    {
        return status.equals("successful");
    }
}
