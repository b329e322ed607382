package io.prestoorchestrator.config;

import java.time.Duration;

import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;

/**
 * Cluster lifecycle.
 *
 * @param templatesDir directory of the job templates and variable files (read at runtime: edit without a rebuild)
 * @param settleTimeout how long an operation waits for allocations to be placed or to stop
 * @param pollInterval how often an operation asks Nomad or Consul again while it waits for a step (allocations
 *        placed or stopped, the coordinator registered, older versions gone, the readiness gate, a blue-green side)
 * @param deploymentPollInterval how often an operation looks at its Nomad deployment: for the deployment of the
 *        version it registered, and for the allocations the deployment replaces (their events)
 * @param coordinatorPollInterval how often a deploy asks the coordinator how many workers it counts active
 */
public record ClustersConfig(String templatesDir, Duration settleTimeout, Duration pollInterval, Duration deploymentPollInterval, Duration coordinatorPollInterval)
{
    public static final ClustersConfig DEFAULTS = new ClustersConfig("job-templates", Duration.ofMinutes(5));

    public ClustersConfig
    {
        checkText("clusters.templates-dir", templatesDir);
        checkPositive("clusters.settle-timeout", settleTimeout);
        checkInterval("clusters.poll-interval", pollInterval, settleTimeout);
        checkInterval("clusters.deployment-poll-interval", deploymentPollInterval, settleTimeout);
        checkInterval("clusters.coordinator-poll-interval", coordinatorPollInterval, settleTimeout);
    }

    /** The default intervals: every 1 s, a deployment every 500 ms, the coordinator every 2 s. */
    public ClustersConfig(String templatesDir, Duration settleTimeout)
    {
        this(templatesDir, settleTimeout, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2));
    }

    private static void checkInterval(String key, Duration interval, Duration settleTimeout)
    {
        checkPositive(key, interval);
        if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException(key, "must be between 100ms and 1m, got " + Durations.format(interval));
        }
        if (interval.compareTo(settleTimeout) >= 0) {
            throw new ConfigException(key, "must be shorter than clusters.settle-timeout (" + Durations.format(settleTimeout) + "), got " + Durations.format(interval));
        }
    }
}
