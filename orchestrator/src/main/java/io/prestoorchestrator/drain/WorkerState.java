package io.prestoorchestrator.drain;

import java.util.Optional;

/** A Trino worker's state as {@code GET /v1/info/state} reports it and {@code PUT /v1/info/state} sets it. */
public enum WorkerState
{
    ACTIVE,
    DRAINING,
    DRAINED,
    SHUTTING_DOWN;

    /** Parses Trino's answer, a JSON string such as {@code "DRAINING"}; empty for anything else. */
    public static Optional<WorkerState> parse(String body)
    {
        if (body == null) {
            return Optional.empty();
        }
        String text = body.strip();
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            text = text.substring(1, text.length() - 1);
        }
        for (WorkerState state : values()) {
            if (state.name().equals(text)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
