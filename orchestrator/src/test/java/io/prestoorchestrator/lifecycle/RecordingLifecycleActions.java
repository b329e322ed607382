package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.error.DependencyException;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records completions and heartbeats. Answers as Auto Scaling does (LifecycleActionsContract): an
 * action is pending until it is completed, and a completed action answers "no active lifecycle
 * action" ({@link Answer#EXPIRED}) to a completion or heartbeat; {@link #answer} set to EXPIRED makes
 * every action expired (its token timed out).
 */
public final class RecordingLifecycleActions
        implements LifecycleActions
{
    record Completion(LifecycleAction action, Result result, Instant at, long nanos) {}

    final List<Completion> completions = new CopyOnWriteArrayList<>();
    final List<LifecycleAction> heartbeats = new CopyOnWriteArrayList<>();
    volatile Answer answer = Answer.DONE;
    /** How many completions from now on fail, as Auto Scaling answering 500. */
    final AtomicInteger failCompletions = new AtomicInteger();
    /** The actions completed: group, hook and instance. */
    private final Set<List<String>> completed = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<Answer> complete(LifecycleAction action, Result result)
    {
        completions.add(new Completion(action, result, Instant.now(), System.nanoTime()));
        if (failCompletions.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new DependencyException("aws-autoscaling", "Auto Scaling answered 500: InternalFailure", false, null));
        }
        if (answer == Answer.EXPIRED || !completed.add(key(action))) {
            return CompletableFuture.completedFuture(Answer.EXPIRED);
        }
        return CompletableFuture.completedFuture(Answer.DONE);
    }

    @Override
    public CompletionStage<Answer> heartbeat(LifecycleAction action)
    {
        heartbeats.add(action);
        return CompletableFuture.completedFuture(answer == Answer.EXPIRED || completed.contains(key(action)) ? Answer.EXPIRED : Answer.DONE);
    }

    private static List<String> key(LifecycleAction action)
    {
        return List.of(action.autoScalingGroupName(), action.lifecycleHookName(), action.instanceId());
    }
}
