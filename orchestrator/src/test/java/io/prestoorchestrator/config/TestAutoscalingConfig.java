package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAutoscalingConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).autoscaling())
                .isEqualTo(new AutoscalingConfig(Duration.ofSeconds(5), 4, Duration.ofSeconds(3), Duration.ofHours(1), 8071));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                autoscaling:
                  poll-interval: 2s
                  queries-per-worker: 8
                  request-timeout: 1500ms
                  query-history-retention: 2h
                  scale-front-port: 9071
                """);
        assertFullMapping(config, OrchestratorConfig::autoscaling, new AutoscalingConfig(Duration.ofSeconds(2), 8, Duration.ofMillis(1500), Duration.ofHours(2), 9071));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_AUTOSCALING_POLL_INTERVAL", "2s",
                "ORCHESTRATOR_AUTOSCALING_QUERIES_PER_WORKER", "8",
                "ORCHESTRATOR_AUTOSCALING_REQUEST_TIMEOUT", "1500ms",
                "ORCHESTRATOR_AUTOSCALING_QUERY_HISTORY_RETENTION", "2h",
                "ORCHESTRATOR_AUTOSCALING_SCALE_FRONT_PORT", "9071"));
        assertFullMapping(config, OrchestratorConfig::autoscaling, new AutoscalingConfig(Duration.ofSeconds(2), 8, Duration.ofMillis(1500), Duration.ofHours(2), 9071));
    }

    @Test
    void testBadValuesNameTheKey()
    {
        assertThatThrownBy(() -> loadYaml("autoscaling: {queries-per-worker: 0}"))
                .hasMessageContaining("autoscaling.queries-per-worker")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> loadYaml("autoscaling: {poll-interval: 0s}"))
                .hasMessageContaining("autoscaling.poll-interval");
        assertThatThrownBy(() -> loadYaml("autoscaling: {query-history-retention: 10m}"))
                .hasMessageContaining("autoscaling.query-history-retention")
                .hasMessageContaining("query.min-expire-age");
        assertThatThrownBy(() -> loadYaml("autoscaling: {scale-front-port: 70000}"))
                .hasMessageContaining("autoscaling.scale-front-port");
    }
}
