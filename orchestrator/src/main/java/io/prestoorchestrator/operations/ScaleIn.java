package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.Workers;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The decision of a scale-in about its count, as a state machine with one transition method
 * ({@link #on}). Pure: the caller reads the recorded {@link ScaleInDecision} and writes the next
 * one compare-and-set (see {@code ClusterRepository.decideScaleIn}), so concurrent resizes and the
 * operation itself serialise there.
 *
 * <pre>
 *   state        resize to &lt;= target    resize between target and start    resize to &gt;= start    lower (drains done)
 *   DRAINING     refused                 RETARGETED                         SUPERSEDED            LOWERED
 *   RETARGETED   refused                 RETARGETED (the new count)         SUPERSEDED            LOWERED (to the retarget)
 *   LOWERED      refused                 refused                            refused               kept
 *   SUPERSEDED   refused                 refused                            refused               kept
 * </pre>
 *
 * LOWERED and SUPERSEDED are final: a resize then is refused, a lower keeps what was decided.
 */
public final class ScaleIn
{
    private ScaleIn() {}

    public enum State
    {
        /** No decision recorded: the operation's workers drain. */
        DRAINING,
        /** A resize asked for a count between the target and the start: the count is lowered to it once the workers it stops drained. */
        RETARGETED,
        /** Final: the operation lowers the count. */
        LOWERED,
        /** Final: a resize to at least the start count; the drained workers go back to ACTIVE. */
        SUPERSEDED;

        public static State of(Optional<ScaleInDecision> recorded)
        {
            requireNonNull(recorded, "recorded is null");
            if (recorded.isEmpty()) {
                return DRAINING;
            }
            ScaleInDecision decision = recorded.get();
            if (decision.supersededBy().isPresent()) {
                return SUPERSEDED;
            }
            return decision.pending() ? RETARGETED : LOWERED;
        }

        public boolean isFinal()
        {
            return this == LOWERED || this == SUPERSEDED;
        }
    }

    /** What happens to a scale-in. */
    public sealed interface Event
            permits Resize, Lower {}

    /**
     * A resize asked for while the scale-in runs.
     *
     * @param before the count the scale-in started from
     * @param target the count it lowers to now: its own target, or the count an earlier resize retargeted it to
     */
    public record Resize(int before, int target, Workers wanted, String by)
            implements Event
    {
        public Resize
        {
            requireNonNull(wanted, "wanted is null");
            requireNonNull(by, "by is null");
        }

        /** Whether it asks for more than the scale-in's target: only then can it reuse the workers the scale-in drains. */
        public boolean aboveTarget()
        {
            return wanted.count() > target;
        }
    }

    /** The operation's workers drained: it decides to lower the count. */
    public record Lower(String by)
            implements Event
    {
        public Lower
        {
            requireNonNull(by, "by is null");
        }
    }

    /** The result of a transition. */
    public sealed interface Outcome
            permits Decide, Keep, Refuse {}

    /** Record {@code decision} (compare-and-set against the one read). */
    public record Decide(ScaleInDecision decision, State state)
            implements Outcome
    {
        public Decide
        {
            requireNonNull(decision, "decision is null");
            requireNonNull(state, "state is null");
        }
    }

    /** The decision is final already: nothing to write, {@code decision} stands. */
    public record Keep(ScaleInDecision decision)
            implements Outcome
    {
        public Keep
        {
            requireNonNull(decision, "decision is null");
        }
    }

    /** The event is refused in this state; the caller answers 409. */
    public record Refuse(Refusal why)
            implements Outcome
    {
        public Refuse
        {
            requireNonNull(why, "why is null");
        }
    }

    public enum Refusal
    {
        /** A resize to the scale-in's target or below: no draining worker to reuse, so it waits like any other change. */
        NOT_ABOVE_TARGET,
        /** The scale-in lowered the count already, or was superseded. */
        DECIDED
    }

    /** The one transition: from the recorded decision, on {@code event}. */
    public static Outcome on(Optional<ScaleInDecision> recorded, Event event)
    {
        State state = State.of(recorded);
        requireNonNull(event, "event is null");
        if (event instanceof Resize resize) {
            if (!resize.aboveTarget()) {
                return new Refuse(Refusal.NOT_ABOVE_TARGET);
            }
            if (state.isFinal()) {
                return new Refuse(Refusal.DECIDED);
            }
            return resize.wanted().count() >= resize.before()
                    ? new Decide(ScaleInDecision.supersede(resize.wanted(), resize.by()), State.SUPERSEDED)
                    : new Decide(ScaleInDecision.retarget(resize.wanted(), resize.by()), State.RETARGETED);
        }
        Lower lower = (Lower) event;
        return switch (state) {
            case DRAINING -> new Decide(ScaleInDecision.lower(lower.by()), State.LOWERED);
            case RETARGETED -> new Decide(recorded.orElseThrow().lowered(lower.by()), State.LOWERED);
            case LOWERED, SUPERSEDED -> new Keep(recorded.orElseThrow());
        };
    }
}
