package io.prestoorchestrator.operations;

import java.util.Optional;

/** One look at what an operation waits for: the result once it is there, else what to say if time runs out. */
record Look<T>(Optional<T> result, Optional<String> progress, String timeoutMessage)
{
    static <T> Look<T> done(T result, Optional<String> progress)
    {
        return new Look<>(Optional.of(result), progress, "");
    }

    static <T> Look<T> waiting(Optional<String> progress, String timeoutMessage)
    {
        return new Look<>(Optional.empty(), progress, timeoutMessage);
    }
}
