package io.prestoorchestrator.autoscaling;

/**
 * What the scaling signal is computed from: the coordinator's counts and the cluster's bounds.
 *
 * @param runningQueries queries the coordinator runs now ({@code QueryManager RunningQueries})
 * @param queuedQueries queries waiting to start ({@code QueryManager QueuedQueries})
 * @param waitingQueries queries waiting for workers ({@code WAITING_FOR_RESOURCES} in the coordinator's query list): Trino holds
 *         every query there while fewer than {@code query-manager.required-workers} workers are active, and no metric counts them
 * @param fullyBlockedQueries running queries whose every driver is blocked ({@code QueryManager FullyBlockedQueries})
 * @param activeWorkers workers the coordinator schedules on (its active nodes minus itself)
 * @param drainingWorkers workers draining: still running their tasks, taking no new work
 * @param queriesPerWorker how many concurrent queries one worker is sized for
 * @param min the cluster's {@code workers.min}
 * @param max the cluster's {@code workers.max}
 */
public record SignalInputs(int runningQueries, int queuedQueries, int waitingQueries, int fullyBlockedQueries, int activeWorkers, int drainingWorkers, int queriesPerWorker, int min, int max)
{
    public SignalInputs
    {
        checkNotNegative("runningQueries", runningQueries);
        checkNotNegative("queuedQueries", queuedQueries);
        checkNotNegative("waitingQueries", waitingQueries);
        checkNotNegative("fullyBlockedQueries", fullyBlockedQueries);
        checkNotNegative("activeWorkers", activeWorkers);
        checkNotNegative("drainingWorkers", drainingWorkers);
        checkNotNegative("min", min);
        if (queriesPerWorker < 1) {
            throw new IllegalArgumentException("queriesPerWorker must be at least 1: " + queriesPerWorker);
        }
        if (max < min) {
            throw new IllegalArgumentException("max (" + max + ") is below min (" + min + ")");
        }
    }

    private static void checkNotNegative(String name, int value)
    {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
    }
}
