package io.prestoorchestrator.cluster;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/** Asks a coordinator how many workers it counts as active (never a worker's own view). */
public interface TrinoProbe
{
    /** Active workers as the {@code flavour} coordinator at {@code coordinatorUrl} counts them; empty when it does not answer. */
    CompletionStage<OptionalInt> activeWorkers(Flavour flavour, String coordinatorUrl);
}
