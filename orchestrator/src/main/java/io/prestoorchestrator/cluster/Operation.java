package io.prestoorchestrator.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A long-running change to one cluster (create, update, stop, start, restart, delete), shown at
 * {@code GET /v1/operations/{id}} with its steps as they progress.
 */
public record Operation(
        String id,
        String cluster,
        String kind,
        State state,
        List<Step> steps,
        Optional<String> error,
        String requestedBy,
        Instant createdAt,
        Instant updatedAt)
{
    public enum State { RUNNING, SUCCEEDED, FAILED }

    public enum StepState { RUNNING, DONE, FAILED }

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
        requireNonNull(requestedBy, "requestedBy is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    public static Operation start(String id, String cluster, String kind, String requestedBy, Instant now)
    {
        return new Operation(id, cluster, kind, State.RUNNING, List.of(), Optional.empty(), requestedBy, now, now);
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
        return new Operation(id, cluster, kind, state, next, error, requestedBy, createdAt, now);
    }

    public Operation succeeded(Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        finishRunning(next, StepState.DONE, now);
        return new Operation(id, cluster, kind, State.SUCCEEDED, next, Optional.empty(), requestedBy, createdAt, now);
    }

    public Operation failed(String message, Instant now)
    {
        List<Step> next = new ArrayList<>(steps);
        finishRunning(next, StepState.FAILED, now);
        return new Operation(id, cluster, kind, State.FAILED, next, Optional.of(message), requestedBy, createdAt, now);
    }

    private static void finishRunning(List<Step> steps, StepState state, Instant now)
    {
        if (!steps.isEmpty() && steps.get(steps.size() - 1).state() == StepState.RUNNING) {
            Step last = steps.get(steps.size() - 1);
            steps.set(steps.size() - 1, new Step(last.name(), state, last.detail(), now));
        }
    }
}
