package io.prestoorchestrator.config;

import java.time.Duration;

import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;

/**
 * Cluster lifecycle.
 *
 * @param templatesDir directory of the job templates and variable files (read at runtime: edit without a rebuild)
 * @param settleTimeout how long an operation waits for allocations to be placed or to stop
 */
public record ClustersConfig(String templatesDir, Duration settleTimeout)
{
    public static final ClustersConfig DEFAULTS = new ClustersConfig("job-templates", Duration.ofMinutes(5));

    public ClustersConfig
    {
        checkText("clusters.templates-dir", templatesDir);
        checkPositive("clusters.settle-timeout", settleTimeout);
    }
}
