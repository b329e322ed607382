package io.prestoorchestrator.cluster;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The decision about a scale-in operation's count ({@link ClusterRepository#decideScaleIn}). It is
 * final once made: the operation lowers the count, or a resize to at least the count the scale-in
 * started from supersedes it and every draining worker goes back to ACTIVE. Before that, a resize
 * to a count between the scale-in's target and its start retargets it: a pending decision, replaced
 * (compare-and-set) by a later retarget, by a superseding resize, or by the operation lowering the
 * count to the retargeted count.
 *
 * @param supersededBy the workers the superseding resize asked for; empty: lowered (or pending)
 * @param by who decided (the operation itself, or the resize's actor)
 * @param retargetedTo the workers a retargeting resize asked for; the count is lowered to this
 *        instead of the operation's own target
 * @param pending a retarget not yet acted on: the operation's workers still drain
 */
public record ScaleInDecision(Optional<Workers> supersededBy, String by, Optional<Workers> retargetedTo, boolean pending)
{
    public ScaleInDecision
    {
        requireNonNull(supersededBy, "supersededBy is null");
        requireNonNull(by, "by is null");
        // decisions recorded before retargets existed have no such field
        retargetedTo = retargetedTo == null ? Optional.empty() : retargetedTo;
        if (pending && (retargetedTo.isEmpty() || supersededBy.isPresent())) {
            throw new IllegalArgumentException("only a retarget is pending");
        }
    }

    public static ScaleInDecision lower(String by)
    {
        return new ScaleInDecision(Optional.empty(), by, Optional.empty(), false);
    }

    /** The operation lowers the count to the count a pending retarget asked for. */
    public ScaleInDecision lowered(String operationBy)
    {
        return new ScaleInDecision(Optional.empty(), operationBy, retargetedTo, false);
    }

    public static ScaleInDecision supersede(Workers workers, String by)
    {
        return new ScaleInDecision(Optional.of(workers), by, Optional.empty(), false);
    }

    public static ScaleInDecision retarget(Workers workers, String by)
    {
        return new ScaleInDecision(Optional.empty(), by, Optional.of(workers), true);
    }
}
