package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What registering a planned job would do to the allocations, from Nomad's own answer (the plan's
 * {@code Annotations.DesiredTGUpdates}, the scheduler's decision): whether any allocation is
 * replaced (a destructive update stops it and starts a new one), or every change is made in place.
 * Placements and stops are what a count change asks for and replace nothing. Pure.
 *
 * @param kind the verdict
 * @param replaced allocations a destructive update replaces in Nomad's first round (all groups; a group's
 *        update block, max_parallel 1 here, holds the others back, and Nomad counts those as ignored)
 * @param updatedInPlace allocations updated in place (the new job version, nothing restarted)
 * @param placed new allocations (a count raised, or a job created)
 * @param stopped allocations stopped for good (a count lowered)
 * @param replacedByGroup per group with a destructive update, how many it replaces
 * @param summary one line saying the above, for the plan's reader and the operation's steps
 */
public record PlanEffect(Kind kind, int replaced, int updatedInPlace, int placed, int stopped, Map<String, Integer> replacedByGroup, String summary)
{
    public enum Kind
    {
        /** Nothing differs: registering creates no job version. */
        NONE,
        /** The job does not exist yet. */
        CREATE,
        /** The job changes and no allocation is replaced. */
        IN_PLACE,
        /** At least one allocation is stopped and replaced by a new one. */
        REPLACES;

        @JsonValue
        public String jsonName()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public PlanEffect
    {
        requireNonNull(kind, "kind is null");
        replacedByGroup = Map.copyOf(requireNonNull(replacedByGroup, "replacedByGroup is null"));
        requireNonNull(summary, "summary is null");
    }

    /** The effect of registering the job {@code plan} was made for. */
    public static PlanEffect of(JobPlan plan)
    {
        int replaced = 0;
        int inPlace = 0;
        int placed = 0;
        int stopped = 0;
        Map<String, Integer> byGroup = new TreeMap<>();
        for (Map.Entry<String, GroupUpdates> group : plan.groups().entrySet()) {
            GroupUpdates updates = group.getValue();
            // a blue-green update block places canaries instead: each replaces an allocation once promoted
            int groupReplaced = updates.destructiveUpdate() + updates.canary();
            if (groupReplaced > 0) {
                byGroup.put(group.getKey(), groupReplaced);
            }
            replaced += groupReplaced;
            inPlace += updates.inPlaceUpdate();
            placed += updates.place();
            stopped += updates.stop();
        }
        Kind kind;
        if (plan.diffType().equals("Added")) {
            kind = Kind.CREATE;
        }
        else if (replaced > 0) {
            kind = Kind.REPLACES;
        }
        else if (plan.changesNothing() && placed == 0 && stopped == 0) {
            kind = Kind.NONE;
        }
        else {
            kind = Kind.IN_PLACE;
        }
        return new PlanEffect(kind, replaced, inPlace, placed, stopped, byGroup, summary(kind, replaced, inPlace, placed, stopped, byGroup));
    }

    /** Whether registering replaces an allocation (so a running Trino process stops). */
    public boolean replacesAllocations()
    {
        return replaced > 0;
    }

    private static String summary(Kind kind, int replaced, int inPlace, int placed, int stopped, Map<String, Integer> byGroup)
    {
        List<String> counts = new ArrayList<>();
        if (inPlace > 0) {
            counts.add(inPlace + " updated in place");
        }
        if (placed > 0) {
            counts.add(placed + " placed");
        }
        if (stopped > 0) {
            counts.add(stopped + " stopped");
        }
        String tail = counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")";
        return switch (kind) {
            case NONE -> "no change: the job is as Nomad runs it, no allocation is touched";
            case CREATE -> "creates the job" + tail;
            case IN_PLACE -> "in place: no allocation replaced" + tail;
            // Nomad's plan counts the first round only: the update block's max_parallel rolls the rest
            case REPLACES -> "replaces allocations (" + byGroup.entrySet().stream()
                    .map(entry -> entry.getKey() + " " + entry.getValue()).reduce((a, b) -> a + ", " + b).orElse("") + " in the first round)" + tail;
        };
    }
}
