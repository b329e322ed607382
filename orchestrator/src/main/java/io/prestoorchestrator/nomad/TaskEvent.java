package io.prestoorchestrator.nomad;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** One event in a task's history ({@code Type} such as Started, Terminated, Not Restarting, Driver Failure). */
public record TaskEvent(String type, Instant time, String displayMessage, Map<String, String> details)
{
    public TaskEvent
    {
        requireNonNull(type, "type is null");
        requireNonNull(time, "time is null");
        requireNonNull(displayMessage, "displayMessage is null");
        details = Map.copyOf(requireNonNull(details, "details is null"));
    }

    @Override
    public String toString()
    {
        return type + (displayMessage.isEmpty() ? "" : ": " + displayMessage);
    }
}
