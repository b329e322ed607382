package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A dry run of registering a job ({@code POST /v1/job/:id/plan} with {@code Diff:true}).
 *
 * @param diffType the job-level diff type: {@code Added}, {@code Edited}, {@code Deleted} or {@code None}
 * @param diff Nomad's full diff object (fields, objects, groups, tasks), for display
 * @param groups per group, what the scheduler would do
 * @param jobModifyIndex the job's current modify index (0 when it does not exist): pass it to
 *        register to be sure nothing changed between plan and register
 * @param warnings Nomad's warnings, empty when none
 * @param placementFailures whether the scheduler could not place some allocations
 */
public record JobPlan(String diffType, JsonNode diff, Map<String, GroupUpdates> groups, long jobModifyIndex, String warnings, boolean placementFailures)
{
    public JobPlan
    {
        requireNonNull(diffType, "diffType is null");
        requireNonNull(diff, "diff is null");
        groups = Map.copyOf(requireNonNull(groups, "groups is null"));
        requireNonNull(warnings, "warnings is null");
    }

    public boolean changesNothing()
    {
        return diffType.equals("None");
    }

    /** Whether registering replaces allocations or updates them in place, as Nomad's annotations say; in the API's answer as {@code effect}. */
    @JsonProperty("effect")
    public PlanEffect effect()
    {
        return PlanEffect.of(this);
    }
}
