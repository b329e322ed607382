package io.prestoorchestrator.sim.consul.state;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A check as the catalog holds it. {@code spec} is empty for the agent's own serfHealth check.
 * {@code criticalSince} is internal bookkeeping for DeregisterCriticalServiceAfter and never rendered.
 */
public record HealthCheck(
        String node,
        String checkId,
        String name,
        CheckStatus status,
        String notes,
        String output,
        String serviceId,
        String serviceName,
        List<String> serviceTags,
        Optional<CheckSpec> spec,
        Optional<Instant> criticalSince,
        long createIndex,
        long modifyIndex)
{
    public HealthCheck
    {
        requireNonNull(node, "node is null");
        requireNonNull(checkId, "checkId is null");
        requireNonNull(name, "name is null");
        requireNonNull(status, "status is null");
        requireNonNull(notes, "notes is null");
        requireNonNull(output, "output is null");
        requireNonNull(serviceId, "serviceId is null");
        requireNonNull(serviceName, "serviceName is null");
        serviceTags = List.copyOf(requireNonNull(serviceTags, "serviceTags is null"));
        requireNonNull(spec, "spec is null");
        requireNonNull(criticalSince, "criticalSince is null");
        if (checkId.isEmpty()) {
            throw new IllegalArgumentException("checkId is empty");
        }
    }

    public boolean isServiceCheck()
    {
        return !serviceId.isEmpty();
    }

    public String type()
    {
        return spec.map(CheckSpec::type).orElse("");
    }

    HealthCheck withIndexes(long createIndex, long modifyIndex)
    {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName, serviceTags, spec, criticalSince, createIndex, modifyIndex);
    }

    HealthCheck withStatus(CheckStatus newStatus, String newOutput, Optional<Instant> newCriticalSince, long newModifyIndex)
    {
        return new HealthCheck(node, checkId, name, newStatus, notes, newOutput, serviceId, serviceName, serviceTags, spec, newCriticalSince, createIndex, newModifyIndex);
    }

    HealthCheck withServiceTags(List<String> tags, long newModifyIndex)
    {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName, tags, spec, criticalSince, createIndex, newModifyIndex);
    }
}
