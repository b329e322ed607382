package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.drain.ClusterWorkers;
import io.prestoorchestrator.drain.Worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a resize does with the worker group, decided without I/O (like a nomad-autoscaler strategy's
 * {@code Action}: a count with a reason). {@link #start} decides at the beginning of a resize;
 * {@link #afterDrains} once the workers of a scale-in drained, from the scale-in's final
 * decision ({@link ScaleIn}).
 *
 * @param action what to do
 * @param count the worker count Nomad runs afterwards
 * @param stop the drained workers Nomad stops when the count is lowered
 * @param restore the drained workers put back to ACTIVE
 * @param resize the resize that changed the scale-in's count: the one that superseded it
 *        ({@link Action#SUPERSEDE}), or retargeted it ({@link Action#LOWER} to its count); empty otherwise
 * @param reason why, for logs and tests
 */
public record ScaleInPlan(Action action, int count, List<Worker> stop, List<Worker> restore, Optional<ScaleInDecision> resize, String reason)
{
    public enum Action
    {
        /** Nomad's scale API at once (no drains, no job, the count already as wanted). */
        SCALE,
        /** A resumed resize whose count Nomad has already: only record it. */
        ALREADY_SCALED,
        /** A scale-up: workers still draining go back to ACTIVE before any new one starts. */
        REACTIVATE_THEN_SCALE,
        /** A scale-in: drain the workers Nomad stops, then lower the count. */
        DRAIN,
        /** The drained workers ({@code stop}) are stopped by lowering the count; {@code restore} go back to ACTIVE first. */
        LOWER,
        /** A resize superseded the scale-in: every drained worker back to ACTIVE, the count to what it asked for if above what runs. */
        SUPERSEDE
    }

    public ScaleInPlan
    {
        requireNonNull(action, "action is null");
        stop = List.copyOf(requireNonNull(stop, "stop is null"));
        restore = List.copyOf(requireNonNull(restore, "restore is null"));
        requireNonNull(resize, "resize is null");
        requireNonNull(reason, "reason is null");
    }

    /**
     * The first decision of a resize to {@code count}.
     *
     * @param current the count Nomad runs; negative when the job does not run
     * @param drains whether workers drain before a scale-in ({@code drain.enabled})
     * @param resumed whether a new leader resumes the resize
     */
    public static ScaleInPlan start(int current, int count, boolean drains, boolean resumed)
    {
        if (resumed && current == count) {
            return plan(Action.ALREADY_SCALED, count, "resumed: Nomad runs " + count + " already");
        }
        if (!drains) {
            return plan(Action.SCALE, count, "drain.enabled is false: the count changes at once");
        }
        if (current < 0) {
            return plan(Action.SCALE, count, "the job does not run: nothing to drain");
        }
        if (current == count) {
            return plan(Action.SCALE, count, "Nomad runs " + count + " already");
        }
        if (count > current) {
            return plan(Action.REACTIVATE_THEN_SCALE, count, "a scale-up " + current + " -> " + count + ": draining workers first");
        }
        return plan(Action.DRAIN, count, "a scale-in " + current + " -> " + count + ": drain the workers Nomad stops first");
    }

    /**
     * A scale-in about to drain, with its recorded decision: a resize may have retargeted or
     * superseded it before a leader change made a new leader resume it.
     */
    public static ScaleInPlan drain(int current, int count, Optional<ScaleInDecision> recorded)
    {
        Optional<ScaleInDecision> superseded = recorded.filter(decision -> decision.supersededBy().isPresent());
        if (superseded.isPresent()) {
            return new ScaleInPlan(Action.SUPERSEDE, superseded.get().supersededBy().orElseThrow().count(), List.of(), List.of(), superseded,
                    "resumed: a resize by " + superseded.get().by() + " superseded the scale-in");
        }
        // resumed after a retarget: only the workers Nomad stops at the retargeted count
        int lowerTo = recorded.flatMap(ScaleInDecision::retargetedTo).map(Workers::count).orElse(count);
        return plan(Action.DRAIN, lowerTo, "a scale-in " + current + " -> " + lowerTo + ": drain the workers Nomad stops first");
    }

    /** The workers Nomad stops when the count of {@code workers} goes to {@code count}: the highest allocation indices. */
    public static List<Worker> toDrain(List<Worker> workers, int count)
    {
        return ClusterWorkers.stoppedByScaleIn(workers, count);
    }

    /** The workers a scale-in to {@code from} drains that Nomad keeps when the count goes to {@code to} instead. */
    public static List<Worker> kept(List<Worker> workers, int from, int to)
    {
        List<Worker> kept = new ArrayList<>(ClusterWorkers.stoppedByScaleIn(workers, from));
        kept.removeAll(ClusterWorkers.stoppedByScaleIn(workers, to));
        return kept;
    }

    /** Of the workers a scale-in from {@code current} drains, the {@code current - count} that Nomad stops at {@code count} (the highest allocation indices). */
    public static List<Worker> stoppedAt(List<Worker> draining, int current, int count)
    {
        return ClusterWorkers.stoppedByScaleIn(draining, Math.max(0, draining.size() - (current - count)));
    }

    /**
     * Once the workers of a scale-in {@code current -> target} drained: lower the count to the
     * target, or to the count a resize retargeted it to (then only the workers Nomad stops there
     * must have drained, the others go back to ACTIVE); or, superseded (also by a retarget to at
     * least what runs), put every drained worker back.
     *
     * @param decision the scale-in's final decision ({@link ScaleIn.State#isFinal})
     */
    public static ScaleInPlan afterDrains(ScaleInDecision decision, int current, int target, List<Worker> drained)
    {
        if (decision.supersededBy().isPresent()) {
            return new ScaleInPlan(Action.SUPERSEDE, decision.supersededBy().get().count(), List.of(), drained, Optional.of(decision),
                    "a resize to " + decision.supersededBy().get().count() + " by " + decision.by() + " superseded the scale-in");
        }
        int lowerTo = decision.retargetedTo().map(Workers::count).orElse(target);
        if (lowerTo == target) {
            return new ScaleInPlan(Action.LOWER, target, drained, List.of(), Optional.empty(), "every drained worker stops at " + target);
        }
        if (lowerTo >= current) {
            ScaleInDecision superseding = ScaleInDecision.supersede(decision.retargetedTo().orElseThrow(), decision.by());
            return new ScaleInPlan(Action.SUPERSEDE, lowerTo, List.of(), drained, Optional.of(superseding),
                    "retargeted to " + lowerTo + " by " + decision.by() + ", at least the " + current + " that run: superseded");
        }
        List<Worker> stop = stoppedAt(drained, current, lowerTo);
        List<Worker> restore = drained.stream().filter(worker -> !stop.contains(worker)).toList();
        return new ScaleInPlan(Action.LOWER, lowerTo, stop, restore, Optional.of(decision),
                "retargeted to " + lowerTo + " by " + decision.by() + ": " + stop.size() + " drained worker(s) stop, " + restore.size() + " go back to ACTIVE");
    }

    private static ScaleInPlan plan(Action action, int count, String reason)
    {
        return new ScaleInPlan(action, count, List.of(), List.of(), Optional.empty(), reason);
    }
}
