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

class TestNomadConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).nomad())
                .isEqualTo(new NomadConfig(URI.create("http://127.0.0.1:4646"), Optional.empty(), "global", "default", Duration.ofSeconds(10),
                        "attr.unique.platform.aws.instance-id"));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                nomad:
                  address: https://nomad.internal:4646
                  token: 0f3c1e1a-9a52-4b7e-8d65-5c1e0f2f9a11
                  region: eu
                  namespace: trino
                  request-timeout: 2m
                  node-instance-id: meta.instance_id
                """);
        assertFullMapping(config, OrchestratorConfig::nomad, new NomadConfig(
                URI.create("https://nomad.internal:4646"), Optional.of(Secret.of("0f3c1e1a-9a52-4b7e-8d65-5c1e0f2f9a11")), "eu", "trino", Duration.ofMinutes(2), "meta.instance_id"));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_NOMAD_ADDRESS", "https://nomad.internal:4646",
                "ORCHESTRATOR_NOMAD_TOKEN", "0f3c1e1a-9a52-4b7e-8d65-5c1e0f2f9a11",
                "ORCHESTRATOR_NOMAD_REGION", "eu",
                "ORCHESTRATOR_NOMAD_NAMESPACE", "trino",
                "ORCHESTRATOR_NOMAD_REQUEST_TIMEOUT", "2m",
                "ORCHESTRATOR_NOMAD_NODE_INSTANCE_ID", "meta.instance_id"));
        assertFullMapping(config, OrchestratorConfig::nomad, new NomadConfig(
                URI.create("https://nomad.internal:4646"), Optional.of(Secret.of("0f3c1e1a-9a52-4b7e-8d65-5c1e0f2f9a11")), "eu", "trino", Duration.ofMinutes(2), "meta.instance_id"));
    }

    @Test
    void testAddressMustBeHttp()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_NOMAD_ADDRESS", "nomad.internal:4646")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'nomad.address' must be an http:// or https:// URL with a host, got 'nomad.internal:4646'");
    }

    @Test
    void testNodeInstanceIdMustNameAnAttributeOrMetaKey()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_NOMAD_NODE_INSTANCE_ID", "unique.platform.aws.instance-id")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'nomad.node-instance-id' must be attr.<node attribute> or meta.<node meta key> "
                        + "(e.g. attr.unique.platform.aws.instance-id or meta.instance_id), got 'unique.platform.aws.instance-id'");
    }

    @Test
    void testTokenNeverShown()
    {
        NomadConfig config = loadEnvironment(Map.of("ORCHESTRATOR_NOMAD_TOKEN", "0f3c1e1a-9a52-4b7e-8d65-5c1e0f2f9a11")).nomad();
        assertThat(config.toString()).doesNotContain("0f3c1e1a").contains(Secret.MASK);
    }
}
