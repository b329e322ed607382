package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;

class TestClustersConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).clusters()).isEqualTo(new ClustersConfig("job-templates", Duration.ofMinutes(5)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                clusters:
                  templates-dir: /etc/presto-orchestrator/job-templates
                  settle-timeout: 90s
                """);
        assertFullMapping(config, OrchestratorConfig::clusters, new ClustersConfig("/etc/presto-orchestrator/job-templates", Duration.ofSeconds(90)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_CLUSTERS_TEMPLATES_DIR", "/etc/presto-orchestrator/job-templates",
                "ORCHESTRATOR_CLUSTERS_SETTLE_TIMEOUT", "90s"));
        assertFullMapping(config, OrchestratorConfig::clusters, new ClustersConfig("/etc/presto-orchestrator/job-templates", Duration.ofSeconds(90)));
    }
}
