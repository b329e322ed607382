package io.prestoorchestrator.cluster;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The one decision about a scale-in operation's count, recorded once ({@link ClusterRepository#decideScaleIn}):
 * the operation lowers the count as planned, or a larger resize that arrived while its workers
 * still drained supersedes it, and the draining workers are put back to ACTIVE instead.
 *
 * @param supersededBy the workers the superseding resize asked for; empty: lowered as planned
 * @param by who decided (the operation itself, or the superseding resize's actor)
 */
public record ScaleInDecision(Optional<Workers> supersededBy, String by)
{
    public ScaleInDecision
    {
        requireNonNull(supersededBy, "supersededBy is null");
        requireNonNull(by, "by is null");
    }

    public static ScaleInDecision lower(String by)
    {
        return new ScaleInDecision(Optional.empty(), by);
    }

    public static ScaleInDecision supersede(Workers workers, String by)
    {
        return new ScaleInDecision(Optional.of(workers), by);
    }
}
