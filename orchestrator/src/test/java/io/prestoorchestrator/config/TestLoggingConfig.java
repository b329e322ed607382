package io.prestoorchestrator.config;

import io.prestoorchestrator.config.LoggingConfig.Format;
import io.prestoorchestrator.config.LoggingConfig.Level;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;

class TestLoggingConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).logging()).isEqualTo(new LoggingConfig(Format.TEXT, Level.INFO, Map.of()));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                logging:
                  format: json
                  level: debug
                  levels:
                    io.vertx: warn
                """);
        assertFullMapping(config, OrchestratorConfig::logging, new LoggingConfig(Format.JSON, Level.DEBUG, Map.of("io.vertx", Level.WARN)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of("ORCHESTRATOR_LOGGING_FORMAT", "json", "ORCHESTRATOR_LOGGING_LEVEL", "DEBUG"));
        assertThat(config.logging()).isEqualTo(new LoggingConfig(Format.JSON, Level.DEBUG, Map.of()));
    }
}
