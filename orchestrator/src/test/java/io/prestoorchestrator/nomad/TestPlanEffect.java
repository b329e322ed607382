package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.cluster.ClusterJson;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestPlanEffect
{
    private static final GroupUpdates IGNORED = new GroupUpdates(0, 0, 1, 0, 0, 0, 0);

    @Test
    void testNothingDiffers()
    {
        PlanEffect effect = PlanEffect.of(plan("None", Map.of("coordinator", IGNORED, "workers", new GroupUpdates(0, 0, 2, 0, 0, 0, 0))));
        assertThat(effect.kind()).isEqualTo(PlanEffect.Kind.NONE);
        assertThat(effect.replacesAllocations()).isFalse();
        assertThat(effect.summary()).isEqualTo("no change: the job is as Nomad runs it, no allocation is touched");
    }

    @Test
    void testInPlaceUpdatesReplaceNothing()
    {
        PlanEffect effect = PlanEffect.of(plan("Edited", Map.of("coordinator", new GroupUpdates(0, 0, 0, 1, 0, 0, 0), "workers", new GroupUpdates(0, 0, 0, 2, 0, 0, 0))));
        assertThat(effect.kind()).isEqualTo(PlanEffect.Kind.IN_PLACE);
        assertThat(effect.replaced()).isZero();
        assertThat(effect.updatedInPlace()).isEqualTo(3);
        assertThat(effect.replacesAllocations()).isFalse();
        assertThat(effect.summary()).isEqualTo("in place: no allocation replaced (3 updated in place)");
    }

    /** A count change places or stops allocations; it replaces none, so it is still in place. */
    @Test
    void testACountChangeIsNoReplacement()
    {
        PlanEffect raised = PlanEffect.of(plan("Edited", Map.of("coordinator", new GroupUpdates(0, 0, 0, 1, 0, 0, 0), "workers", new GroupUpdates(2, 0, 0, 2, 0, 0, 0))));
        assertThat(raised.kind()).isEqualTo(PlanEffect.Kind.IN_PLACE);
        assertThat(raised.placed()).isEqualTo(2);
        assertThat(raised.summary()).isEqualTo("in place: no allocation replaced (3 updated in place, 2 placed)");

        PlanEffect lowered = PlanEffect.of(plan("Edited", Map.of("coordinator", new GroupUpdates(0, 0, 0, 1, 0, 0, 0), "workers", new GroupUpdates(0, 1, 0, 1, 0, 0, 0))));
        assertThat(lowered.stopped()).isEqualTo(1);
        assertThat(lowered.summary()).isEqualTo("in place: no allocation replaced (2 updated in place, 1 stopped)");
    }

    @Test
    void testADestructiveUpdateReplaces()
    {
        PlanEffect effect = PlanEffect.of(plan("Edited", Map.of("coordinator", new GroupUpdates(0, 0, 0, 0, 1, 0, 0), "workers", new GroupUpdates(0, 0, 0, 0, 2, 0, 0))));
        assertThat(effect.kind()).isEqualTo(PlanEffect.Kind.REPLACES);
        assertThat(effect.replaced()).isEqualTo(3);
        assertThat(effect.replacedByGroup()).containsExactlyInAnyOrderEntriesOf(Map.of("coordinator", 1, "workers", 2));
        assertThat(effect.replacesAllocations()).isTrue();
        assertThat(effect.summary()).isEqualTo("replaces allocations (coordinator 1, workers 2 in the first round)");

        PlanEffect workersOnly = PlanEffect.of(plan("Edited", Map.of("coordinator", new GroupUpdates(0, 0, 0, 1, 0, 0, 0), "workers", new GroupUpdates(0, 0, 0, 0, 2, 0, 0))));
        assertThat(workersOnly.summary()).isEqualTo("replaces allocations (workers 2 in the first round) (1 updated in place)");
    }

    @Test
    void testANewJobIsACreate()
    {
        PlanEffect effect = PlanEffect.of(plan("Added", Map.of("coordinator", new GroupUpdates(1, 0, 0, 0, 0, 0, 0), "workers", new GroupUpdates(2, 0, 0, 0, 0, 0, 0))));
        assertThat(effect.kind()).isEqualTo(PlanEffect.Kind.CREATE);
        assertThat(effect.summary()).isEqualTo("creates the job (3 placed)");
    }

    /** The API answers the plan as the record serializes: the effect is part of it. */
    @Test
    void testThePlansJsonCarriesTheEffect()
    {
        JsonNode json = ClusterJson.MAPPER.valueToTree(plan("Edited", Map.of("workers", new GroupUpdates(0, 0, 0, 2, 0, 0, 0))));
        assertThat(json.get("effect").get("kind").asText()).isEqualTo("in-place");
        assertThat(json.get("effect").get("replaced").asInt()).isZero();
        assertThat(json.get("effect").get("summary").asText()).isEqualTo("in place: no allocation replaced (2 updated in place)");
        assertThat(json.get("groups").get("workers").get("inPlaceUpdate").asInt()).isEqualTo(2);
    }

    private static JobPlan plan(String type, Map<String, GroupUpdates> groups)
    {
        return new JobPlan(type, ClusterJson.MAPPER.createObjectNode().put("Type", type), groups, 7, "", false);
    }
}
