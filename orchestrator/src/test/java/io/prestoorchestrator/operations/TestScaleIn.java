package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.operations.ScaleIn.Decide;
import io.prestoorchestrator.operations.ScaleIn.Keep;
import io.prestoorchestrator.operations.ScaleIn.Lower;
import io.prestoorchestrator.operations.ScaleIn.Outcome;
import io.prestoorchestrator.operations.ScaleIn.Refusal;
import io.prestoorchestrator.operations.ScaleIn.Refuse;
import io.prestoorchestrator.operations.ScaleIn.Resize;
import io.prestoorchestrator.operations.ScaleIn.State;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The scale-in's decision: every state against every event, for a scale-in 4 -> 1. */
class TestScaleIn
{
    private static final int BEFORE = 4;
    private static final int TARGET = 1;

    private static final Optional<ScaleInDecision> DRAINING = Optional.empty();
    private static final Optional<ScaleInDecision> RETARGETED = Optional.of(ScaleInDecision.retarget(workers(2), "ops"));
    private static final Optional<ScaleInDecision> LOWERED = Optional.of(ScaleInDecision.lower("replica-1"));
    private static final Optional<ScaleInDecision> LOWERED_TO_RETARGET = Optional.of(ScaleInDecision.retarget(workers(2), "ops").lowered("replica-1"));
    private static final Optional<ScaleInDecision> SUPERSEDED = Optional.of(ScaleInDecision.supersede(workers(4), "ops"));

    private record Row(String name, Optional<ScaleInDecision> recorded, ScaleIn.Event event, Outcome expected) {}

    @Test
    void testStates()
    {
        assertThat(State.of(DRAINING)).isEqualTo(State.DRAINING);
        assertThat(State.of(RETARGETED)).isEqualTo(State.RETARGETED);
        assertThat(State.of(LOWERED)).isEqualTo(State.LOWERED);
        assertThat(State.of(LOWERED_TO_RETARGET)).isEqualTo(State.LOWERED);
        assertThat(State.of(SUPERSEDED)).isEqualTo(State.SUPERSEDED);
        assertThat(List.of(State.values())).filteredOn(State::isFinal).containsExactly(State.LOWERED, State.SUPERSEDED);
    }

    @Test
    void testTransitions()
    {
        List<Row> table = List.of(
                // a resize while the workers drain: above the start supersedes, between target and start retargets, at or below the target waits
                new Row("draining, resize to the start", DRAINING, resize(TARGET, 4), new Decide(ScaleInDecision.supersede(workers(4), "bob"), State.SUPERSEDED)),
                new Row("draining, resize above the start", DRAINING, resize(TARGET, 6), new Decide(ScaleInDecision.supersede(workers(6), "bob"), State.SUPERSEDED)),
                new Row("draining, resize between", DRAINING, resize(TARGET, 2), new Decide(ScaleInDecision.retarget(workers(2), "bob"), State.RETARGETED)),
                new Row("draining, resize to the target", DRAINING, resize(TARGET, 1), new Refuse(Refusal.NOT_ABOVE_TARGET)),
                new Row("draining, resize below the target", DRAINING, resize(TARGET, 0), new Refuse(Refusal.NOT_ABOVE_TARGET)),
                new Row("draining, lower", DRAINING, new Lower("replica-1"), new Decide(ScaleInDecision.lower("replica-1"), State.LOWERED)),
                // retargeted to 2: the target is now 2
                new Row("retargeted, retarget again", RETARGETED, resize(2, 3), new Decide(ScaleInDecision.retarget(workers(3), "bob"), State.RETARGETED)),
                new Row("retargeted, supersede", RETARGETED, resize(2, 4), new Decide(ScaleInDecision.supersede(workers(4), "bob"), State.SUPERSEDED)),
                new Row("retargeted, resize to the retarget", RETARGETED, resize(2, 2), new Refuse(Refusal.NOT_ABOVE_TARGET)),
                new Row("retargeted, lower", RETARGETED, new Lower("replica-1"), new Decide(ScaleInDecision.retarget(workers(2), "ops").lowered("replica-1"), State.LOWERED)),
                // final decisions: a resize is refused, the operation's lower keeps what was decided
                new Row("lowered, resize", LOWERED, resize(TARGET, 3), new Refuse(Refusal.DECIDED)),
                new Row("lowered, resize to the target", LOWERED, resize(TARGET, 1), new Refuse(Refusal.NOT_ABOVE_TARGET)),
                new Row("lowered, lower again", LOWERED, new Lower("replica-2"), new Keep(LOWERED.get())),
                new Row("lowered to a retarget, resize", LOWERED_TO_RETARGET, resize(2, 3), new Refuse(Refusal.DECIDED)),
                new Row("superseded, resize", SUPERSEDED, resize(4, 6), new Refuse(Refusal.DECIDED)),
                new Row("superseded, lower", SUPERSEDED, new Lower("replica-1"), new Keep(SUPERSEDED.get())));
        for (Row row : table) {
            assertThat(ScaleIn.on(row.recorded(), row.event())).as(row.name()).isEqualTo(row.expected());
        }
    }

    @Test
    void testAboveTarget()
    {
        assertThat(resize(TARGET, 2).aboveTarget()).isTrue();
        assertThat(resize(TARGET, 1).aboveTarget()).isFalse();
        assertThat(resize(TARGET, 0).aboveTarget()).isFalse();
        assertThat(resize(2, 3).aboveTarget()).isTrue();
    }

    @Test
    void testLoweringARetargetLowersToItsCount()
    {
        Decide lowered = (Decide) ScaleIn.on(RETARGETED, new Lower("replica-1"));
        assertThat(lowered.decision().pending()).isFalse();
        assertThat(lowered.decision().retargetedTo()).contains(workers(2));
        assertThat(lowered.decision().supersededBy()).isEmpty();
        assertThat(State.of(Optional.of(lowered.decision()))).isEqualTo(State.LOWERED);
    }

    private static Resize resize(int target, int wanted)
    {
        return new Resize(BEFORE, target, workers(wanted), "bob");
    }

    private static Workers workers(int count)
    {
        return new Workers(count, 0, 8);
    }
}
