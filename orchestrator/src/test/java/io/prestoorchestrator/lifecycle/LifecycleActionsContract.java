package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.lifecycle.LifecycleActions.Answer;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the lifecycle drain relies on from {@link LifecycleActions}, as the Auto Scaling API reference
 * documents CompleteLifecycleAction and RecordLifecycleActionHeartbeat: a pending action takes
 * heartbeats and one completion; after it, both answer the ValidationError "No active Lifecycle Action
 * found with instance ID ..." (the drain's {@link Answer#EXPIRED}). Only the fake runs it: moto
 * (5.2.5, the local stack's) implements neither call, so {@code AwsLifecycleActions} cannot be run
 * against a server here; its reading of that error is {@code TestAwsLifecycleActions}'s.
 */
public abstract class LifecycleActionsContract
{
    protected abstract LifecycleActions actions();

    /** Makes {@code action} pending, as Auto Scaling does when it puts the instance into Terminating:Wait. */
    protected abstract void pending(LifecycleAction action);

    @Test
    void testContractAPendingActionTakesHeartbeatsThenOneCompletion()
    {
        LifecycleAction action = action("i-0aaaaaaaaaaaaaaa1");
        pending(action);

        assertThat(await(actions().heartbeat(action))).isEqualTo(Answer.DONE);
        assertThat(await(actions().heartbeat(action))).isEqualTo(Answer.DONE);
        assertThat(await(actions().complete(action, Result.CONTINUE))).isEqualTo(Answer.DONE);

        assertThat(await(actions().complete(action, Result.CONTINUE))).as("completed already").isEqualTo(Answer.EXPIRED);
        assertThat(await(actions().heartbeat(action))).as("completed already").isEqualTo(Answer.EXPIRED);
    }

    @Test
    void testContractCompletingOneActionLeavesTheOthersPending()
    {
        LifecycleAction first = action("i-0aaaaaaaaaaaaaaa2");
        LifecycleAction second = action("i-0aaaaaaaaaaaaaaa3");
        pending(first);
        pending(second);

        assertThat(await(actions().complete(first, Result.ABANDON))).isEqualTo(Answer.DONE);
        assertThat(await(actions().heartbeat(second))).isEqualTo(Answer.DONE);
        assertThat(await(actions().complete(second, Result.CONTINUE))).isEqualTo(Answer.DONE);
    }

    private static LifecycleAction action(String instanceId)
    {
        return new LifecycleAction("trino-workers", "trino-workers-drain", instanceId, Optional.of("token-" + instanceId), LifecycleAction.TERMINATING);
    }
}
