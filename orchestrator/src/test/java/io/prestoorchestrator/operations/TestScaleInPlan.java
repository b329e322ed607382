package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.drain.Worker;
import io.prestoorchestrator.operations.ScaleInPlan.Action;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class TestScaleInPlan
{
    /** workers[0..3] */
    private static final List<Worker> FOUR = IntStream.range(0, 4).mapToObj(TestScaleInPlan::worker).toList();

    private record Start(String name, int current, int count, boolean drains, boolean resumed, Action action) {}

    @Test
    void testStart()
    {
        List<Start> table = List.of(
                new Start("a scale-in drains", 4, 2, true, false, Action.DRAIN),
                new Start("a scale-up puts draining workers back first", 2, 4, true, false, Action.REACTIVATE_THEN_SCALE),
                new Start("no drains: at once", 4, 2, false, false, Action.SCALE),
                new Start("no drains, a scale-up: at once", 2, 4, false, false, Action.SCALE),
                new Start("the job does not run", -1, 2, true, false, Action.SCALE),
                new Start("Nomad runs the count", 2, 2, true, false, Action.SCALE),
                new Start("resumed, Nomad runs the count", 2, 2, true, true, Action.ALREADY_SCALED),
                new Start("resumed without drains, Nomad runs the count", 2, 2, false, true, Action.ALREADY_SCALED),
                new Start("resumed before the scale-in lowered the count", 4, 2, true, true, Action.DRAIN),
                new Start("to zero", 1, 0, true, false, Action.DRAIN));
        for (Start row : table) {
            ScaleInPlan plan = ScaleInPlan.start(row.current(), row.count(), row.drains(), row.resumed());
            assertThat(plan.action()).as(row.name()).isEqualTo(row.action());
            assertThat(plan.count()).as(row.name()).isEqualTo(row.count());
            assertThat(plan.reason()).as(row.name()).isNotBlank();
            assertThat(plan.stop()).as(row.name()).isEmpty();
            assertThat(plan.restore()).as(row.name()).isEmpty();
        }
    }

    @Test
    void testDrainResumedAfterAResize()
    {
        assertThat(ScaleInPlan.drain(4, 1, Optional.empty())).extracting(ScaleInPlan::action, ScaleInPlan::count).containsExactly(Action.DRAIN, 1);
        assertThat(ScaleInPlan.drain(4, 1, Optional.of(ScaleInDecision.retarget(workers(3), "bob"))))
                .as("only the workers Nomad stops at the retargeted count drain").extracting(ScaleInPlan::action, ScaleInPlan::count).containsExactly(Action.DRAIN, 3);
        ScaleInDecision superseded = ScaleInDecision.supersede(workers(5), "bob");
        ScaleInPlan plan = ScaleInPlan.drain(4, 1, Optional.of(superseded));
        assertThat(plan.action()).isEqualTo(Action.SUPERSEDE);
        assertThat(plan.count()).isEqualTo(5);
        assertThat(plan.resize()).contains(superseded);
    }

    @Test
    void testWhichWorkersDrain()
    {
        assertThat(ScaleInPlan.toDrain(FOUR, 1)).containsExactly(worker(3), worker(2), worker(1));
        assertThat(ScaleInPlan.toDrain(FOUR, 4)).isEmpty();
        assertThat(ScaleInPlan.toDrain(FOUR, 0)).hasSize(4);
        // a scale-in to 1 retargeted to 3: of the three it drains, Nomad keeps workers[1] and workers[2]
        assertThat(ScaleInPlan.kept(FOUR, 1, 3)).containsExactly(worker(2), worker(1));
        assertThat(ScaleInPlan.kept(FOUR, 1, 1)).isEmpty();
        List<Worker> draining = List.of(worker(3), worker(2), worker(1));
        assertThat(ScaleInPlan.stoppedAt(draining, 4, 3)).containsExactly(worker(3));
        assertThat(ScaleInPlan.stoppedAt(draining, 4, 1)).containsExactly(worker(3), worker(2), worker(1));
        assertThat(ScaleInPlan.stoppedAt(draining, 4, 4)).isEmpty();
    }

    private record After(String name, ScaleInDecision decision, Action action, int count, List<Worker> stop, List<Worker> restore, Optional<ScaleInDecision> resize) {}

    @Test
    void testAfterDrains()
    {
        // a scale-in 4 -> 1 drained workers[3], workers[2], workers[1]
        List<Worker> drained = List.of(worker(3), worker(2), worker(1));
        ScaleInDecision retargetTo3 = ScaleInDecision.retarget(workers(3), "bob").lowered("replica-1");
        ScaleInDecision retargetTo4 = ScaleInDecision.retarget(workers(4), "bob").lowered("replica-1");
        ScaleInDecision supersede = ScaleInDecision.supersede(workers(6), "bob");
        List<After> table = List.of(
                new After("lowered: every drained worker stops", ScaleInDecision.lower("replica-1"), Action.LOWER, 1, drained, List.of(), Optional.empty()),
                new After("retargeted to 3: workers[3] stops, the others back", retargetTo3, Action.LOWER, 3, List.of(worker(3)), List.of(worker(2), worker(1)), Optional.of(retargetTo3)),
                new After("retargeted to its own target", ScaleInDecision.retarget(workers(1), "bob").lowered("replica-1"), Action.LOWER, 1, drained, List.of(), Optional.empty()),
                // the lowered decision names the operation's replica as who decided, and so does the supersede made of it
                new After("retargeted to what runs: superseded", retargetTo4, Action.SUPERSEDE, 4, List.of(), drained, Optional.of(ScaleInDecision.supersede(workers(4), "replica-1"))),
                new After("superseded", supersede, Action.SUPERSEDE, 6, List.of(), drained, Optional.of(supersede)));
        for (After row : table) {
            ScaleInPlan plan = ScaleInPlan.afterDrains(row.decision(), 4, 1, drained);
            assertThat(plan.action()).as(row.name()).isEqualTo(row.action());
            assertThat(plan.count()).as(row.name()).isEqualTo(row.count());
            assertThat(plan.stop()).as(row.name()).isEqualTo(row.stop());
            assertThat(plan.restore()).as(row.name()).isEqualTo(row.restore());
            assertThat(plan.resize()).as(row.name()).isEqualTo(row.resize());
            assertThat(plan.reason()).as(row.name()).isNotBlank();
        }
    }

    private static Worker worker(int index)
    {
        return new Worker("alloc-" + index, index, "node-" + index, URI.create("http://127.0.0.1:" + (9000 + index)));
    }

    private static Workers workers(int count)
    {
        return new Workers(count, 0, 8);
    }
}
