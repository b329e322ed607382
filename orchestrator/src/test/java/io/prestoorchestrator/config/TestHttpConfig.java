package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestHttpConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).http())
                .isEqualTo(new HttpConfig("0.0.0.0", 8070, Duration.ofSeconds(30), 1048576, Duration.ofMinutes(2), Duration.ofSeconds(10)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                http:
                  host: 127.0.0.1
                  port: 9999
                  shutdown-timeout: 5s
                  max-body-size: 2048
                  idle-timeout: 45s
                  header-timeout: 3s
                """);
        assertFullMapping(config, OrchestratorConfig::http, new HttpConfig("127.0.0.1", 9999, Duration.ofSeconds(5), 2048, Duration.ofSeconds(45), Duration.ofSeconds(3)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_HTTP_HOST", "127.0.0.1",
                "ORCHESTRATOR_HTTP_PORT", "9999",
                "ORCHESTRATOR_HTTP_SHUTDOWN_TIMEOUT", "5s",
                "ORCHESTRATOR_HTTP_MAX_BODY_SIZE", "2048",
                "ORCHESTRATOR_HTTP_IDLE_TIMEOUT", "45s",
                "ORCHESTRATOR_HTTP_HEADER_TIMEOUT", "3s"));
        assertFullMapping(config, OrchestratorConfig::http, new HttpConfig("127.0.0.1", 9999, Duration.ofSeconds(5), 2048, Duration.ofSeconds(45), Duration.ofSeconds(3)));
    }

    @Test
    void testHeaderTimeoutWithinIdleTimeout()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_HTTP_IDLE_TIMEOUT", "5s", "ORCHESTRATOR_HTTP_HEADER_TIMEOUT", "10s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'http.header-timeout' must not be longer than http.idle-timeout (5s), got 10s");
    }

    @Test
    void testInvalidPort()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'http.port' must be a port between 0 and 65535, got 70000");
    }
}
