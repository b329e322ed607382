package io.prestoorchestrator.nomad;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A task that made a deployment fail, with its events: what to show an operator. */
public record TaskFailure(String allocId, String allocName, String taskGroup, String task, String state, List<TaskEvent> events)
{
    public TaskFailure
    {
        requireNonNull(allocId, "allocId is null");
        requireNonNull(allocName, "allocName is null");
        requireNonNull(taskGroup, "taskGroup is null");
        requireNonNull(task, "task is null");
        requireNonNull(state, "state is null");
        events = List.copyOf(requireNonNull(events, "events is null"));
    }
}
