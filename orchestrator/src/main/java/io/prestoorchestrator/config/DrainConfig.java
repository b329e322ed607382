package io.prestoorchestrator.config;

import java.time.Duration;

import static io.prestoorchestrator.config.ConfigChecks.checkPositive;

/**
 * Draining Trino workers before the orchestrator removes them (issue 6, paths 2 and 4).
 *
 * @param enabled drain before a scale-in; off: the count is lowered at once and only the worker's
 *        own drain on Nomad's kill signal protects its queries
 * @param timeout how long one worker may take to reach DRAINED (1s..24h)
 * @param atBound what happens to a worker still draining (or refusing) at the bound:
 *        {@code continue} removes it anyway, {@code abort} puts every worker of the operation back
 *        to ACTIVE and fails it, changing nothing
 * @param pollInterval how often a draining worker's state is read (100ms..1m)
 * @param watchdogInterval how often the leader looks for workers left draining with no operation to finish them
 * @param requestTimeout per request to a Trino worker's {@code /v1/info/state} (a read or a state change); a worker
 *        that does not answer within it counts as one miss
 * @param goneAfter how long a worker must not answer (and at least 3 polls in a row) before it counts as gone
 * @param queryLookInterval how often a drain asks the coordinator how long the cluster's queries may still run:
 *        a worker drain's deadline follows them; a coordinator on a terminating node is kept until they end
 */
public record DrainConfig(boolean enabled, Duration timeout, AtBound atBound, Duration pollInterval, Duration watchdogInterval, Duration requestTimeout,
        Duration goneAfter, Duration queryLookInterval)
{
    public static final DrainConfig DEFAULTS = new DrainConfig(true, Duration.ofMinutes(15), AtBound.CONTINUE, Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofSeconds(3),
            Duration.ofSeconds(10), Duration.ofSeconds(10));

    public DrainConfig
    {
        checkPositive("drain.timeout", timeout);
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(24)) > 0) {
            throw new ConfigException("drain.timeout", "must be between 1s and 24h, got " + Durations.format(timeout));
        }
        if (atBound == null) {
            throw new ConfigException("drain.at-bound", "is required (one of continue, abort)");
        }
        checkPositive("drain.poll-interval", pollInterval);
        if (pollInterval.compareTo(Duration.ofMillis(100)) < 0 || pollInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("drain.poll-interval", "must be between 100ms and 1m, got " + Durations.format(pollInterval));
        }
        if (pollInterval.compareTo(timeout) >= 0) {
            throw new ConfigException("drain.poll-interval", "must be shorter than drain.timeout (" + Durations.format(timeout) + "), got " + Durations.format(pollInterval));
        }
        checkPositive("drain.watchdog-interval", watchdogInterval);
        checkPositive("drain.request-timeout", requestTimeout);
        checkPositive("drain.gone-after", goneAfter);
        checkPositive("drain.query-look-interval", queryLookInterval);
    }

    /** What to do with a worker still draining when {@code drain.timeout} passes. */
    public enum AtBound
    {
        /** Remove it anyway: Nomad's kill signal, and the worker's own drain wrapper, take over. */
        CONTINUE,
        /** Put the operation's workers back to ACTIVE and fail the operation; nothing is removed. */
        ABORT
    }
}
