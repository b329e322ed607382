package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** {@link LifecycleActions} with the (blocking) AWS SDK client, run on {@code blocking}. */
public final class AwsLifecycleActions
        implements LifecycleActions
{
    private final AutoScalingClient autoScaling;
    private final Executor blocking;

    public AwsLifecycleActions(AutoScalingClient autoScaling, Executor blocking)
    {
        this.autoScaling = requireNonNull(autoScaling, "autoScaling is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
    }

    @Override
    public CompletionStage<Answer> complete(LifecycleAction action, Result result)
    {
        return call(() -> {
            CompleteLifecycleActionRequest.Builder request = CompleteLifecycleActionRequest.builder()
                    .autoScalingGroupName(action.autoScalingGroupName())
                    .lifecycleHookName(action.lifecycleHookName())
                    .instanceId(action.instanceId())
                    .lifecycleActionResult(result.name());
            action.token().ifPresent(request::lifecycleActionToken);
            autoScaling.completeLifecycleAction(request.build());
        });
    }

    @Override
    public CompletionStage<Answer> heartbeat(LifecycleAction action)
    {
        return call(() -> {
            RecordLifecycleActionHeartbeatRequest.Builder request = RecordLifecycleActionHeartbeatRequest.builder()
                    .autoScalingGroupName(action.autoScalingGroupName())
                    .lifecycleHookName(action.lifecycleHookName())
                    .instanceId(action.instanceId());
            action.token().ifPresent(request::lifecycleActionToken);
            autoScaling.recordLifecycleActionHeartbeat(request.build());
        });
    }

    private CompletionStage<Answer> call(Runnable call)
    {
        Supplier<Answer> supplier = () -> {
            try {
                call.run();
                return Answer.DONE;
            }
            catch (AutoScalingException e) {
                if (expired(e)) {
                    return Answer.EXPIRED;
                }
                throw e;
            }
        };
        return CompletableFuture.supplyAsync(supplier, blocking);
    }

    /** AWS answers a ValidationError "No active Lifecycle Action found with instance ID ..." for an expired or finished action. */
    static boolean expired(AutoScalingException e)
    {
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("no active lifecycle action");
    }
}
