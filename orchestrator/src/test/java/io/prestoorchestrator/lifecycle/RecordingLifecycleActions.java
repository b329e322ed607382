package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.LifecycleConfig.Result;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records completions and heartbeats; answers {@link #answer}. */
public final class RecordingLifecycleActions
        implements LifecycleActions
{
    record Completion(LifecycleAction action, Result result, Instant at, long nanos) {}

    final List<Completion> completions = new CopyOnWriteArrayList<>();
    final List<LifecycleAction> heartbeats = new CopyOnWriteArrayList<>();
    volatile Answer answer = Answer.DONE;

    @Override
    public CompletionStage<Answer> complete(LifecycleAction action, Result result)
    {
        completions.add(new Completion(action, result, Instant.now(), System.nanoTime()));
        return CompletableFuture.completedFuture(answer);
    }

    @Override
    public CompletionStage<Answer> heartbeat(LifecycleAction action)
    {
        heartbeats.add(action);
        return CompletableFuture.completedFuture(answer);
    }
}
