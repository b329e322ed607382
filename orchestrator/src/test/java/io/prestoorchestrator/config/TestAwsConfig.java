package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAwsConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).aws())
                .isEqualTo(new AwsConfig(false, "us-east-1", Optional.empty(), "/presto-orchestrator", Duration.ofSeconds(10)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                aws:
                  enabled: true
                  region: eu-west-1
                  endpoint: http://127.0.0.1:5000
                  ssm-prefix: /data/presto
                  request-timeout: 4s
                """);
        assertFullMapping(config, OrchestratorConfig::aws,
                new AwsConfig(true, "eu-west-1", Optional.of(URI.create("http://127.0.0.1:5000")), "/data/presto", Duration.ofSeconds(4)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_AWS_ENABLED", "true",
                "ORCHESTRATOR_AWS_REGION", "eu-west-1",
                "ORCHESTRATOR_AWS_ENDPOINT", "http://127.0.0.1:5000",
                "ORCHESTRATOR_AWS_SSM_PREFIX", "/data/presto",
                "ORCHESTRATOR_AWS_REQUEST_TIMEOUT", "4s"));
        assertFullMapping(config, OrchestratorConfig::aws,
                new AwsConfig(true, "eu-west-1", Optional.of(URI.create("http://127.0.0.1:5000")), "/data/presto", Duration.ofSeconds(4)));
    }

    @Test
    void testMalformedBoolean()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_AWS_ENABLED", "yes please")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'aws.enabled' has an invalid value 'yes please' (set in environment variable ORCHESTRATOR_AWS_ENABLED)");
    }

    @Test
    void testSsmPrefixShape()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_AWS_SSM_PREFIX", "presto/")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'aws.ssm-prefix' must start with '/' and not end with '/', got 'presto/'");
    }
}
