package io.prestoorchestrator.nomad;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A task's state in an allocation: {@code pending}, {@code running} or {@code dead}, with its last events (Nomad keeps ten). */
public record TaskState(String state, boolean failed, long restarts, List<TaskEvent> events)
{
    public TaskState
    {
        requireNonNull(state, "state is null");
        events = List.copyOf(requireNonNull(events, "events is null"));
    }
}
