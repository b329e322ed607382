package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;

import java.util.concurrent.CompletionStage;

/** The Auto Scaling calls that finish or extend a lifecycle action. */
public interface LifecycleActions
{
    /** CompleteLifecycleAction; {@link Answer#EXPIRED} when AWS knows no such pending action any more. */
    CompletionStage<Answer> complete(LifecycleAction action, Result result);

    /** RecordLifecycleActionHeartbeat; {@link Answer#EXPIRED} when AWS knows no such pending action any more. */
    CompletionStage<Answer> heartbeat(LifecycleAction action);

    enum Answer
    {
        DONE,
        /** "No active Lifecycle Action found": the token expired, or the action was completed already. */
        EXPIRED
    }
}
