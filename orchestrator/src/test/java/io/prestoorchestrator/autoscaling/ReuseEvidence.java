package io.prestoorchestrator.autoscaling;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What Nomad's worker allocations ({@code GET /v1/job/:job/allocations}) show about a scale-out
 * that came while a scale-in drained ({@link AutoscalingEndToEndIT}, step 4b). The orchestrator
 * puts every draining worker back to work and raises Nomad's count only for the workers asked
 * for beyond the count the scale-in started from ({@code ResizeWorkflow#superseded}). So:
 * <ul>
 * <li>every allocation Nomad ran when the scale-in drained still runs: none was stopped or
 *     replaced (the reuse);
 * <li>the allocations placed since are exactly one per worker asked for beyond that start: none
 *     when the agent asked for no more than the scale-in started from;
 * <li>each placed one is an extra worker, not a replacement: Nomad did not reschedule it, and its
 *     name is none of the reused workers' (Nomad gives a replacement its predecessor's name).
 * </ul>
 * A worker that exited and came back as a new allocation, or a count lowered and raised again,
 * breaks one of these; a worker placed because the agent asked for more than there were does not.
 */
final class ReuseEvidence
{
    private ReuseEvidence() {}

    /**
     * @param before the worker allocations while the scale-in drained, before the agent's scale-out
     * @param now the worker allocations now
     * @param from the count the scale-in started from: Nomad's count when the agent asked for it
     * @param asked the highest count the agent has asked for since the scale-in
     */
    static Look look(List<JsonObject> before, List<JsonObject> now, int from, int asked)
    {
        Set<String> known = before.stream().map(alloc -> alloc.getString("ID")).collect(Collectors.toSet());
        List<JsonObject> reused = before.stream().filter(ReuseEvidence::wanted).toList();
        List<JsonObject> placed = now.stream().filter(alloc -> !known.contains(alloc.getString("ID"))).toList();
        List<String> faults = new ArrayList<>();
        if (reused.size() != from) {
            faults.add("Nomad ran " + reused.size() + " worker allocation(s) while the scale-in drained, not the " + from + " it started from: " + describe(reused));
        }
        for (JsonObject was : reused) {
            JsonObject is = now.stream().filter(alloc -> alloc.getString("ID").equals(was.getString("ID"))).findFirst().orElse(null);
            if (is == null || !wanted(is)) {
                faults.add("the reused worker " + describe(was) + " is " + (is == null ? "gone" : "no longer running: " + describe(is)));
            }
        }
        Set<String> reusedNames = reused.stream().map(alloc -> alloc.getString("Name")).collect(Collectors.toSet());
        for (JsonObject alloc : placed) {
            if (reusedNames.contains(alloc.getString("Name"))) {
                faults.add(describe(alloc) + " replaces a reused worker of that name");
            }
            else if (alloc.getValue("RescheduleTracker") != null) {
                faults.add(describe(alloc) + " is Nomad's reschedule of a failed allocation");
            }
        }
        return new Look(from, asked, placed, faults);
    }

    /**
     * One look.
     *
     * @param placed the allocations placed since the scale-in drained
     * @param faults what contradicts a reuse, whatever more Nomad still places
     */
    record Look(int from, int asked, List<JsonObject> placed, List<String> faults)
    {
        Look
        {
            placed = List.copyOf(requireNonNull(placed, "placed is null"));
            faults = List.copyOf(requireNonNull(faults, "faults is null"));
        }

        /** The new workers the agent's count calls for: those beyond the count the scale-in started from. */
        int expected()
        {
            return Math.max(0, asked - from);
        }

        /** Nothing more to wait for: a fault, or Nomad has placed at least the workers asked for beyond the scale-in's start. */
        boolean settled()
        {
            return !faults.isEmpty() || placed.size() >= expected();
        }

        /** Every way this look differs from a reuse; empty when the draining workers were reused and only workers beyond them were placed. */
        List<String> problems()
        {
            List<String> problems = new ArrayList<>(faults);
            if (placed.size() != expected()) {
                problems.add(placed.size() + " worker allocation(s) placed since the scale-in drained, but the agent asked for at most " + asked
                        + " and the scale-in started from " + from + ", so " + expected() + " should have been: " + describe(placed));
            }
            return problems;
        }

        @Override
        public String toString()
        {
            return "from " + from + ", asked " + asked + ", placed " + describe(placed) + (faults.isEmpty() ? "" : ", faults " + faults);
        }
    }

    /** Nomad wants it running and it has not ended. */
    private static boolean wanted(JsonObject alloc)
    {
        return "run".equals(alloc.getString("DesiredStatus")) && !List.of("complete", "failed", "lost").contains(alloc.getString("ClientStatus"));
    }

    static String describe(JsonObject alloc)
    {
        String id = alloc.getString("ID", "?");
        return alloc.getString("Name", "?") + " " + id.substring(0, Math.min(8, id.length())) + " (v" + alloc.getValue("JobVersion", "?") + ", desired " + alloc.getString("DesiredStatus", "?") + ", client " + alloc.getString("ClientStatus", "?")
                + (alloc.getString("NodeName") == null ? "" : ", on " + alloc.getString("NodeName")) + ")";
    }

    static String describe(List<JsonObject> allocs)
    {
        return allocs.stream().map(ReuseEvidence::describe).toList().toString();
    }
}
