package io.prestoorchestrator.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A long-running change to one cluster (create, update, stop, start, restart, delete), shown at
 * {@code GET /v1/operations/{id}} with its steps as they progress. It is stored before its work
 * starts, and carries what its work needs to be run again from the start by another replica.
 *
 * @param inputs what the work needs beyond the cluster record, fixed when the operation was asked
 *        for (a restart's meta stamp, the worker count before a resize), so a resumed operation
 *        does the same thing
 * @param runner the replica running the work; empty until the leader starts it
 */
public record Operation(
        String id,
        String cluster,
        String kind,
        State state,
        List<Step> steps,
        Optional<String> error,
        Map<String, String> inputs,
        Optional<String> runner,
        String requestedBy,
        Instant createdAt,
        Instant updatedAt)
{
    public enum State { RUNNING, SUCCEEDED, FAILED }

    /** {@code INTERRUPTED}: the step's replica lost leadership while it ran; the next step says who resumed. */
    public enum StepState { RUNNING, DONE, FAILED, INTERRUPTED }

    /** One step; {@code detail} carries progress such as "workers 1/2 healthy". */
    public record Step(String name, StepState state, String detail, Instant at)
    {
        public Step
        {
            requireNonNull(name, "name is null");
            requireNonNull(state, "state is null");
            requireNonNull(detail, "detail is null");
            requireNonNull(at, "at is null");
        }
    }

    public Operation
    {
        requireNonNull(id, "id is null");
        requireNonNull(cluster, "cluster is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(state, "state is null");
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
        requireNonNull(error, "error is null");
        // operations stored before inputs and runner existed have neither
        inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
        runner = runner == null ? Optional.empty() : runner;
        requireNonNull(requestedBy, "requestedBy is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    public static Operation start(String id, String cluster, String kind, String requestedBy, Instant now)
    {
        return start(id, cluster, kind, Map.of(), requestedBy, now);
    }

    public static Operation start(String id, String cluster, String kind, Map<String, String> inputs, String requestedBy, Instant now)
    {
        return new Operation(id, cluster, kind, State.RUNNING, List.of(), Optional.empty(), inputs, Optional.empty(), requestedBy, now, now);
    }

    public Optional<String> input(String name)
    {
        return Optional.ofNullable(inputs.get(name));
    }

    /** The same operation, run by {@code replica}. */
    public Operation runBy(String replica)
    {
        return new Operation(id, cluster, kind, state, steps, error, inputs, Optional.of(replica), requestedBy, createdAt, updatedAt);
    }

    /** Taken over by {@code replica}: the step that was running is marked interrupted, and a {@code resume} step starts. */
    public Operation resumedBy(String replica, String detail, Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        finishRunning(next, StepState.INTERRUPTED, now);
        next.add(new Step("resume", StepState.RUNNING, detail, now));
        return new Operation(id, cluster, kind, state, next, error, inputs, Optional.of(replica), requestedBy, createdAt, now);
    }

    /** Starts a step, or updates the detail of the step of that name if it is the running one. */
    public Operation step(String name, String detail, Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        if (!next.isEmpty() && next.get(next.size() - 1).name().equals(name) && next.get(next.size() - 1).state() == StepState.RUNNING) {
            next.set(next.size() - 1, new Step(name, StepState.RUNNING, detail, now));
        }
        else {
            finishRunning(next, StepState.DONE, now);
            next.add(new Step(name, StepState.RUNNING, detail, now));
        }
        return new Operation(id, cluster, kind, state, next, error, inputs, runner, requestedBy, createdAt, now);
    }

    /** Ends the running step as {@code state}, with {@code detail} when given, while the operation goes on (a failed step it recovers from). */
    public Operation stepEnded(StepState state, Optional<String> detail, Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        if (!next.isEmpty() && next.get(next.size() - 1).state() == StepState.RUNNING) {
            Step last = next.get(next.size() - 1);
            next.set(next.size() - 1, new Step(last.name(), state, detail.orElse(last.detail()), now));
        }
        return new Operation(id, cluster, kind, this.state, next, error, inputs, runner, requestedBy, createdAt, now);
    }

    public Operation succeeded(Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        finishRunning(next, StepState.DONE, now);
        return new Operation(id, cluster, kind, State.SUCCEEDED, next, Optional.empty(), inputs, runner, requestedBy, createdAt, now);
    }

    public Operation failed(String message, Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        finishRunning(next, StepState.FAILED, now);
        return new Operation(id, cluster, kind, State.FAILED, next, Optional.of(message), inputs, runner, requestedBy, createdAt, now);
    }

    private static void finishRunning(List<Step> steps, StepState state, Instant now)
    {
        if (!steps.isEmpty() && steps.get(steps.size() - 1).state() == StepState.RUNNING) {
            Step last = steps.get(steps.size() - 1);
            steps.set(steps.size() - 1, new Step(last.name(), state, last.detail(), now));
        }
    }
}
