package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestClustersConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).clusters())
                .isEqualTo(new ClustersConfig("job-templates", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2)))
                .isEqualTo(new ClustersConfig("job-templates", Duration.ofMinutes(5)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                clusters:
                  templates-dir: /etc/presto-orchestrator/job-templates
                  settle-timeout: 90s
                  poll-interval: 3s
                  deployment-poll-interval: 750ms
                  coordinator-poll-interval: 5s
                """);
        assertFullMapping(config, OrchestratorConfig::clusters,
                new ClustersConfig("/etc/presto-orchestrator/job-templates", Duration.ofSeconds(90), Duration.ofSeconds(3), Duration.ofMillis(750), Duration.ofSeconds(5)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_CLUSTERS_TEMPLATES_DIR", "/etc/presto-orchestrator/job-templates",
                "ORCHESTRATOR_CLUSTERS_SETTLE_TIMEOUT", "90s",
                "ORCHESTRATOR_CLUSTERS_POLL_INTERVAL", "3s",
                "ORCHESTRATOR_CLUSTERS_DEPLOYMENT_POLL_INTERVAL", "750ms",
                "ORCHESTRATOR_CLUSTERS_COORDINATOR_POLL_INTERVAL", "5s"));
        assertFullMapping(config, OrchestratorConfig::clusters,
                new ClustersConfig("/etc/presto-orchestrator/job-templates", Duration.ofSeconds(90), Duration.ofSeconds(3), Duration.ofMillis(750), Duration.ofSeconds(5)));
    }

    @Test
    void testPollIntervalsOutOfBoundsAreRefusedByName()
    {
        assertThatThrownBy(() -> loadYaml("""
                clusters:
                  poll-interval: 50ms
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("clusters.poll-interval").hasMessageContaining("between 100ms and 1m");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_CLUSTERS_DEPLOYMENT_POLL_INTERVAL", "2m")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("clusters.deployment-poll-interval");
        assertThatThrownBy(() -> loadYaml("""
                clusters:
                  settle-timeout: 30s
                  coordinator-poll-interval: 30s
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("clusters.coordinator-poll-interval").hasMessageContaining("shorter than clusters.settle-timeout");
        assertThatThrownBy(() -> loadYaml("""
                clusters:
                  poll-interval: 0s
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("clusters.poll-interval");
    }
}
