package io.prestoorchestrator.error;

import java.util.concurrent.CompletionException;

/** Helpers for failures that travel through {@code CompletionStage}s. */
public final class Failures
{
    private Failures() {}

    /** The failure itself, not the {@link CompletionException} a stage wrapped it in. */
    public static Throwable unwrap(Throwable failure)
    {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
