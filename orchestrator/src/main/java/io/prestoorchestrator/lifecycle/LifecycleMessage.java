package io.prestoorchestrator.lifecycle;

import static java.util.Objects.requireNonNull;

/** What one SQS message or HTTP event turned out to be. Every kind but {@link Terminating} is acknowledged and dropped. */
public sealed interface LifecycleMessage
{
    /** An instance is terminating: drain it, then complete the action. */
    record Terminating(LifecycleAction action, String via)
            implements LifecycleMessage
    {
        public Terminating
        {
            requireNonNull(action, "action is null");
            requireNonNull(via, "via is null");
        }
    }

    /** {@code autoscaling:TEST_NOTIFICATION}, sent when a target is attached to a hook. */
    record Test(String autoScalingGroupName)
            implements LifecycleMessage
    {
        public Test
        {
            requireNonNull(autoScalingGroupName, "autoScalingGroupName is null");
        }
    }

    /** A well-formed event the orchestrator does not act on (a launching transition, another event type). */
    record Ignored(String reason)
            implements LifecycleMessage
    {
        public Ignored
        {
            requireNonNull(reason, "reason is null");
        }
    }

    /** An SNS subscription asks to be confirmed (HTTP endpoint subscribed to a topic). */
    record SubscriptionConfirmation(String topicArn, String subscribeUrl)
            implements LifecycleMessage
    {
        public SubscriptionConfirmation
        {
            requireNonNull(topicArn, "topicArn is null");
            requireNonNull(subscribeUrl, "subscribeUrl is null");
        }
    }

    /**
     * Not a lifecycle event at all, or one missing what acting on it needs.
     *
     * @param field where the problem is, as a JSON pointer into the body ({@code /detail/EC2InstanceId})
     * @param reason what is wrong, without echoing values (a body may hold anything)
     */
    record Malformed(String field, String reason)
            implements LifecycleMessage
    {
        public Malformed
        {
            requireNonNull(field, "field is null");
            requireNonNull(reason, "reason is null");
        }
    }
}
