package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One pending lifecycle action of an Auto Scaling group: what CompleteLifecycleAction and
 * RecordLifecycleActionHeartbeat need. The token is not secret (it only works with the group's
 * IAM permissions) but it is kept out of log lines anyway.
 *
 * @param token the LifecycleActionToken; empty when the event carried none (then the instance id identifies the action)
 */
public record LifecycleAction(String autoScalingGroupName, String lifecycleHookName, String instanceId, Optional<String> token, String transition)
{
    public static final String TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

    public LifecycleAction
    {
        requireNonNull(autoScalingGroupName, "autoScalingGroupName is null");
        requireNonNull(lifecycleHookName, "lifecycleHookName is null");
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(token, "token is null");
        requireNonNull(transition, "transition is null");
    }

    @JsonIgnore
    public boolean terminating()
    {
        return transition.equals(TERMINATING);
    }
}
