package io.prestoorchestrator.config;

import io.prestoorchestrator.config.DrainConfig.AtBound;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDrainConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).drain())
                .isEqualTo(new DrainConfig(true, Duration.ofMinutes(15), AtBound.CONTINUE, Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofSeconds(3),
                        Duration.ofSeconds(10), Duration.ofSeconds(10)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                drain:
                  enabled: false
                  timeout: 5m
                  at-bound: abort
                  poll-interval: 500ms
                  watchdog-interval: 1m
                  request-timeout: 5s
                  gone-after: 20s
                  query-look-interval: 30s
                """);
        assertFullMapping(config, OrchestratorConfig::drain, new DrainConfig(false, Duration.ofMinutes(5), AtBound.ABORT, Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofSeconds(30)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_DRAIN_ENABLED", "false",
                "ORCHESTRATOR_DRAIN_TIMEOUT", "5m",
                "ORCHESTRATOR_DRAIN_AT_BOUND", "ABORT",
                "ORCHESTRATOR_DRAIN_POLL_INTERVAL", "500ms",
                "ORCHESTRATOR_DRAIN_WATCHDOG_INTERVAL", "1m",
                "ORCHESTRATOR_DRAIN_REQUEST_TIMEOUT", "5s",
                "ORCHESTRATOR_DRAIN_GONE_AFTER", "20s",
                "ORCHESTRATOR_DRAIN_QUERY_LOOK_INTERVAL", "30s"));
        assertFullMapping(config, OrchestratorConfig::drain, new DrainConfig(false, Duration.ofMinutes(5), AtBound.ABORT, Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofSeconds(30)));
    }

    @Test
    void testBoundsAreChecked()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_DRAIN_TIMEOUT", "500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'drain.timeout' must be between 1s and 24h, got 500ms");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_DRAIN_POLL_INTERVAL", "10ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'drain.poll-interval' must be between 100ms and 1m, got 10ms");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_DRAIN_TIMEOUT", "2s", "ORCHESTRATOR_DRAIN_POLL_INTERVAL", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'drain.poll-interval' must be shorter than drain.timeout (2s), got 5s");
    }

    @Test
    void testAtBoundNamesItsChoices()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_DRAIN_AT_BOUND", "abandon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("drain.at-bound")
                .hasMessageContaining("abandon")
                .hasMessageEndingWith("expected one of [continue, abort]");
    }
}
