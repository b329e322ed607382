package io.prestoorchestrator.autoscaling;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@link Autoscaler#autoscale} did.
 *
 * @param operationId the operation that applies the count: the one it started or superseded, or the
 *        one already running when nothing changed; empty when nothing changed and nothing runs
 * @param changed whether the spec's count changed
 */
public record Autoscaled(Optional<String> operationId, boolean changed)
{
    public Autoscaled
    {
        requireNonNull(operationId, "operationId is null");
    }
}
