package io.prestoorchestrator.testing;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for an adapter's answer in a test thread (never on an event loop), unwrapping its failure. */
public final class Await
{
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private Await() {}

    public static <T> T await(CompletionStage<T> stage)
    {
        return await(stage, DEFAULT);
    }

    public static <T> T await(CompletionStage<T> stage, Duration timeout)
    {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeout, e);
        }
    }

    /** The failure a stage ended with (fails the test if it succeeded). */
    public static Throwable failure(CompletionStage<?> stage)
    {
        try {
            Object value = await(stage);
            throw new AssertionError("expected a failure, got " + value);
        }
        catch (RuntimeException e) {
            return e;
        }
    }

    private static RuntimeException rethrow(Throwable cause)
    {
        if (cause instanceof CompletionException && cause.getCause() != null) {
            return rethrow(cause.getCause());
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause);
    }
}
