package io.prestoorchestrator.autoscaling;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ReuseEvidence} on the allocation lists Nomad 1.6.1 answers, shaped as in the runs of {@link AutoscalingEndToEndIT} that it judges. */
class TestReuseEvidence
{
    // the create's worker, stopped when the idle cluster went to zero
    private static final JsonObject IDLE = alloc("a0", "trino-elastic.workers[0]", 0, "stop", "complete");

    @Test
    void testTheDrainingWorkersReusedPlaceNothing()
    {
        List<JsonObject> before = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"),
                alloc("b1", "trino-elastic.workers[1]", 3, "run", "running"), alloc("b2", "trino-elastic.workers[2]", 3, "run", "running"));

        ReuseEvidence.Look look = ReuseEvidence.look(before, before, 3, 3);

        assertThat(look.settled()).isTrue();
        assertThat(look.problems()).isEmpty();
    }

    @Test
    void testAWorkerAskedForBeyondTheScaleInsStartIsPlaced()
    {
        // the failed CI run: out 1 -> 2 -> 3, in 3 -> 2 (done: workers[2] stopped) and 2 -> 1, then the agent asked for 3 while workers[1] drained
        List<JsonObject> before = List.of(IDLE, alloc("c0", "trino-elastic.workers[0]", 5, "run", "running"),
                alloc("c1", "trino-elastic.workers[1]", 5, "run", "running"), alloc("c2", "trino-elastic.workers[2]", 4, "stop", "complete"));
        List<JsonObject> now = with(before, alloc("d2", "trino-elastic.workers[2]", 6, "run", "running"));

        ReuseEvidence.Look waiting = ReuseEvidence.look(before, before, 2, 3);
        ReuseEvidence.Look placed = ReuseEvidence.look(before, now, 2, 3);

        assertThat(waiting.settled()).as("Nomad has yet to place the third worker").isFalse();
        assertThat(waiting.problems()).singleElement().asString().startsWith("0 worker allocation(s) placed since the scale-in drained, but the agent asked for at most 3 and the scale-in started from 2, so 1 should have been");
        assertThat(placed.settled()).isTrue();
        assertThat(placed.problems()).isEmpty();
        assertThat(placed.placed()).extracting(alloc -> alloc.getString("ID")).containsExactly("d2");
    }

    @Test
    void testANewAllocationForNoMoreThanTheScaleInsStartIsAFault()
    {
        List<JsonObject> before = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"),
                alloc("b1", "trino-elastic.workers[1]", 3, "run", "running"), alloc("b2", "trino-elastic.workers[2]", 3, "run", "running"));
        List<JsonObject> now = with(before, alloc("x9", "trino-elastic.workers[3]", 3, "run", "pending"));

        ReuseEvidence.Look look = ReuseEvidence.look(before, now, 3, 3);

        assertThat(look.settled()).isTrue();
        assertThat(look.problems()).singleElement().asString()
                .startsWith("1 worker allocation(s) placed since the scale-in drained, but the agent asked for at most 3 and the scale-in started from 3, so 0 should have been")
                .contains("trino-elastic.workers[3] x9");
    }

    @Test
    void testACountLoweredAndRaisedAgainIsNoReuse()
    {
        // 2 -> 1 draining workers[1], the agent asks for 3: one new worker is right, but here workers[1] was stopped by a lowered
        // count and a new workers[1] placed when it was raised again: as many new allocations as the legitimate case
        List<JsonObject> before = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"), alloc("b1", "trino-elastic.workers[1]", 3, "run", "running"));
        List<JsonObject> now = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 5, "run", "running"),
                alloc("b1", "trino-elastic.workers[1]", 4, "stop", "running"), alloc("n1", "trino-elastic.workers[1]", 5, "run", "pending"));

        ReuseEvidence.Look look = ReuseEvidence.look(before, now, 2, 3);

        assertThat(look.settled()).isTrue();
        assertThat(look.placed()).hasSize(look.expected());
        assertThat(look.problems()).containsExactly(
                "the reused worker trino-elastic.workers[1] b1 (v3, desired run, client running) is no longer running: trino-elastic.workers[1] b1 (v4, desired stop, client running)",
                "trino-elastic.workers[1] n1 (v5, desired run, client pending) replaces a reused worker of that name");
    }

    @Test
    void testARescheduledWorkerIsNoReuse()
    {
        List<JsonObject> before = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"), alloc("b1", "trino-elastic.workers[1]", 3, "run", "running"));
        JsonObject rescheduled = alloc("r1", "trino-elastic.workers[7]", 3, "run", "pending")
                .put("RescheduleTracker", new JsonObject().put("Events", List.of(new JsonObject().put("PrevAllocID", "b1"))));
        List<JsonObject> now = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"), alloc("b1", "trino-elastic.workers[1]", 3, "run", "failed"), rescheduled);

        ReuseEvidence.Look look = ReuseEvidence.look(before, now, 2, 3);

        assertThat(look.problems()).containsExactly(
                "the reused worker trino-elastic.workers[1] b1 (v3, desired run, client running) is no longer running: trino-elastic.workers[1] b1 (v3, desired run, client failed)",
                "trino-elastic.workers[7] r1 (v3, desired run, client pending) is Nomad's reschedule of a failed allocation");
    }

    @Test
    void testTheScaleInMustStartFromTheCountNomadRan()
    {
        List<JsonObject> before = List.of(IDLE, alloc("b0", "trino-elastic.workers[0]", 3, "run", "running"), alloc("b1", "trino-elastic.workers[1]", 3, "run", "running"));

        assertThat(ReuseEvidence.look(before, before, 3, 3).problems()).singleElement().asString()
                .startsWith("Nomad ran 2 worker allocation(s) while the scale-in drained, not the 3 it started from");
    }

    private static List<JsonObject> with(List<JsonObject> allocs, JsonObject added)
    {
        List<JsonObject> all = new ArrayList<>(allocs);
        all.add(added);
        return all;
    }

    private static JsonObject alloc(String id, String name, int version, String desired, String client)
    {
        return new JsonObject().put("ID", id).put("Name", name).put("TaskGroup", "workers").put("JobVersion", version)
                .put("DesiredStatus", desired).put("ClientStatus", client).putNull("RescheduleTracker");
    }
}
