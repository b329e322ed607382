package io.prestoorchestrator.config;

import io.prestoorchestrator.config.LifecycleConfig.Result;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLifecycleConfig
{
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/trino-lifecycle";
    private static final String SECRET = "lifecycle-secret-5f1c2e9a7b";
    private static final LifecycleConfig EXPECTED = new LifecycleConfig(true, Optional.of(QUEUE), Optional.of(Secret.of(SECRET)), "X-Api-Key",
            Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofMinutes(2), Result.ABANDON,
            Duration.ofMillis(500), Duration.ofSeconds(2));

    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).lifecycle())
                .isEqualTo(new LifecycleConfig(false, Optional.empty(), Optional.empty(), "X-Lifecycle-Secret", Duration.ofSeconds(20), Duration.ofSeconds(60),
                        Duration.ofSeconds(60), Duration.ofMinutes(15), Duration.ofMinutes(5), Result.CONTINUE,
                        Duration.ofMillis(250), Duration.ofSeconds(1)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                lifecycle:
                  enabled: true
                  queue-url: https://sqs.us-east-1.amazonaws.com/123456789012/trino-lifecycle
                  http-secret: lifecycle-secret-5f1c2e9a7b
                  http-secret-header: X-Api-Key
                  poll-wait: 10s
                  visibility-timeout: 2m
                  heartbeat-interval: 30s
                  drain-bound: 10m
                  node-drain-deadline: 2m
                  result-at-bound: abandon
                  node-poll-interval: 500ms
                  tend-interval: 2s
                """);
        assertFullMapping(config, OrchestratorConfig::lifecycle, EXPECTED);
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.ofEntries(
                Map.entry("ORCHESTRATOR_LIFECYCLE_ENABLED", "true"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_QUEUE_URL", QUEUE),
                Map.entry("ORCHESTRATOR_LIFECYCLE_HTTP_SECRET", SECRET),
                Map.entry("ORCHESTRATOR_LIFECYCLE_HTTP_SECRET_HEADER", "X-Api-Key"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_POLL_WAIT", "10s"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_VISIBILITY_TIMEOUT", "2m"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_HEARTBEAT_INTERVAL", "30s"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_DRAIN_BOUND", "10m"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_NODE_DRAIN_DEADLINE", "2m"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_RESULT_AT_BOUND", "ABANDON"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_NODE_POLL_INTERVAL", "500ms"),
                Map.entry("ORCHESTRATOR_LIFECYCLE_TEND_INTERVAL", "2s")));
        assertFullMapping(config, OrchestratorConfig::lifecycle, EXPECTED);
    }

    @Test
    void testEnabledNeedsASource()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_ENABLED", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.enabled")
                .hasMessageContaining("lifecycle.queue-url");
    }

    @Test
    void testTendIntervalStaysWithinHalfTheVisibilityTimeout()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_VISIBILITY_TIMEOUT", "10s", "ORCHESTRATOR_LIFECYCLE_TEND_INTERVAL", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.tend-interval")
                .hasMessageContaining("half of lifecycle.visibility-timeout (10s)");
    }

    @Test
    void testInvalidValuesNameTheKey()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_POLL_WAIT", "30s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'lifecycle.poll-wait' must be whole seconds between 1s and 20s (SQS's WaitTimeSeconds), got 30s");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_VISIBILITY_TIMEOUT", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.visibility-timeout");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_QUEUE_URL", "trino-lifecycle")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.queue-url");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_RESULT_AT_BOUND", "retry")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.result-at-bound")
                .hasMessageContaining("[continue, abandon]");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_HTTP_SECRET_HEADER", "Authorization")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.http-secret-header");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_HEARTBEAT_INTERVAL", "3h")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.heartbeat-interval");
    }

    @Test
    void testShortSecretIsRefusedWithoutEchoingIt()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LIFECYCLE_HTTP_SECRET", "short-s3cret")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lifecycle.http-secret")
                .message().doesNotContain("short-s3cret");
    }
}
