package io.prestoorchestrator.lifecycle;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionResponse;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatResponse;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The AWS adapter held to the same contract, over an Auto Scaling client that answers as the API
 * reference documents (moto implements neither call): a pending action takes heartbeats and one
 * completion, then both calls fail with the ValidationError "No active Lifecycle Action found with
 * instance ID ...", which the adapter reads as {@code EXPIRED}.
 */
class TestAwsLifecycleActions
        extends LifecycleActionsContract
{
    private final Set<List<String>> pending = ConcurrentHashMap.newKeySet();
    private final AwsLifecycleActions actions = new AwsLifecycleActions(new DocumentedAutoScaling(), Runnable::run);

    @Override
    protected LifecycleActions actions()
    {
        return actions;
    }

    @Override
    protected void pending(LifecycleAction action)
    {
        pending.add(List.of(action.autoScalingGroupName(), action.lifecycleHookName(), action.instanceId()));
    }

    private final class DocumentedAutoScaling
            implements AutoScalingClient
    {
        @Override
        public CompleteLifecycleActionResponse completeLifecycleAction(CompleteLifecycleActionRequest request)
        {
            if (!pending.remove(List.of(request.autoScalingGroupName(), request.lifecycleHookName(), request.instanceId()))) {
                throw noActiveAction(request.instanceId());
            }
            return CompleteLifecycleActionResponse.builder().build();
        }

        @Override
        public RecordLifecycleActionHeartbeatResponse recordLifecycleActionHeartbeat(RecordLifecycleActionHeartbeatRequest request)
        {
            if (!pending.contains(List.of(request.autoScalingGroupName(), request.lifecycleHookName(), request.instanceId()))) {
                throw noActiveAction(request.instanceId());
            }
            return RecordLifecycleActionHeartbeatResponse.builder().build();
        }

        private static AutoScalingException noActiveAction(String instanceId)
        {
            return (AutoScalingException) AutoScalingException.builder()
                    .statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError").errorMessage("No active Lifecycle Action found with instance ID " + instanceId).build())
                    .build();
        }

        @Override
        public String serviceName()
        {
            return "autoscaling";
        }

        @Override
        public void close() {}
    }
}
