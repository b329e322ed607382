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

class TestConsulConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).consul())
                .isEqualTo(new ConsulConfig(URI.create("http://127.0.0.1:8500"), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(10)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                consul:
                  address: https://consul.internal:8501
                  token: 7b1d7a4e-consul-token-0001
                  kv-prefix: teams/data/orchestrator
                  request-timeout: 3s
                  traefik-root-key: edge/traefik
                """);
        assertFullMapping(config, OrchestratorConfig::consul, new ConsulConfig(
                URI.create("https://consul.internal:8501"), Optional.of(Secret.of("7b1d7a4e-consul-token-0001")), "teams/data/orchestrator", Duration.ofSeconds(3), "edge/traefik"));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_CONSUL_ADDRESS", "https://consul.internal:8501",
                "ORCHESTRATOR_CONSUL_TOKEN", "7b1d7a4e-consul-token-0001",
                "ORCHESTRATOR_CONSUL_KV_PREFIX", "teams/data/orchestrator",
                "ORCHESTRATOR_CONSUL_REQUEST_TIMEOUT", "3s",
                "ORCHESTRATOR_CONSUL_TRAEFIK_ROOT_KEY", "edge/traefik"));
        assertFullMapping(config, OrchestratorConfig::consul, new ConsulConfig(
                URI.create("https://consul.internal:8501"), Optional.of(Secret.of("7b1d7a4e-consul-token-0001")), "teams/data/orchestrator", Duration.ofSeconds(3), "edge/traefik"));
    }

    @Test
    void testTraefikRootKeyWithoutSlashes()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_CONSUL_TRAEFIK_ROOT_KEY", "traefik/")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'consul.traefik-root-key' must not start or end with '/', got 'traefik/'");
    }

    @Test
    void testKvPrefixWithoutSlashes()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_CONSUL_KV_PREFIX", "/orchestrator/")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'consul.kv-prefix' must not start or end with '/', got '/orchestrator/'");
    }
}
