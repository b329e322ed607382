package io.prestoorchestrator.drain;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** One Trino worker's state API ({@code /v1/info/state}). Never fails: what happened is in the answer. */
public interface TrinoWorkers
{
    /** {@code GET /v1/info/state}; empty when the worker does not answer (or answers something else). */
    CompletionStage<Optional<WorkerState>> state(URI worker);

    /** {@code PUT /v1/info/state} with {@code target}, as the orchestrator's Trino user. */
    CompletionStage<StateChange> request(URI worker, WorkerState target);

    enum StateChange
    {
        /** 2xx: the worker took the new state. */
        ACCEPTED,
        /** 400, 404, 422: this flavour or version has no such state (or cannot go there from its current one). */
        UNSUPPORTED,
        /** 401, 403, 500 and other refusals: access control denies the orchestrator's user, or it is a coordinator. */
        REFUSED,
        /** No answer: connection refused, timed out, or 502-504 on the way. */
        UNREACHABLE
    }
}
