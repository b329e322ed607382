package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.error.DependencyException;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records completions and heartbeats; answers {@link #answer}. */
public final class RecordingLifecycleActions
        implements LifecycleActions
{
    record Completion(LifecycleAction action, Result result, Instant at, long nanos) {}

    final List<Completion> completions = new CopyOnWriteArrayList<>();
    final List<LifecycleAction> heartbeats = new CopyOnWriteArrayList<>();
    volatile Answer answer = Answer.DONE;
    /** How many completions from now on fail, as Auto Scaling answering 500. */
    final AtomicInteger failCompletions = new AtomicInteger();

    @Override
    public CompletionStage<Answer> complete(LifecycleAction action, Result result)
    {
        completions.add(new Completion(action, result, Instant.now(), System.nanoTime()));
        if (failCompletions.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new DependencyException("aws-autoscaling", "Auto Scaling answered 500: InternalFailure", false, null));
        }
        return CompletableFuture.completedFuture(answer);
    }

    @Override
    public CompletionStage<Answer> heartbeat(LifecycleAction action)
    {
        heartbeats.add(action);
        return CompletableFuture.completedFuture(answer);
    }
}
