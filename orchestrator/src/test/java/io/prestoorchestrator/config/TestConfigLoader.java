package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestConfigLoader
{
    @Test
    void testNoFileNoEnvironmentGivesDefaults()
    {
        assertThat(loadEnvironment(Map.of())).isEqualTo(OrchestratorConfig.DEFAULTS);
        assertThat(loadYaml("")).isEqualTo(OrchestratorConfig.DEFAULTS);
    }

    @Test
    void testEnvironmentOverridesFile()
    {
        OrchestratorConfig config = loadYaml("http:\n  port: 9000\n  host: 127.0.0.1\n", Map.of("ORCHESTRATOR_HTTP_PORT", "9100"));
        assertThat(config.http().port()).isEqualTo(9100);
        assertThat(config.http().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void testUnknownKeyInFileIsNamed()
    {
        assertThatThrownBy(() -> loadYaml("nomad:\n  adress: http://x:4646\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'nomad.adress' is unknown (set in file ")
                .hasMessageEndingWith("; known keys under 'nomad' are [address, namespace, node-instance-id, region, request-timeout, token]");
    }

    @Test
    void testUnknownSectionInFileIsNamed()
    {
        assertThatThrownBy(() -> loadYaml("nomda:\n  address: http://x:4646\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'nomda' is unknown");
    }

    @Test
    void testUnknownEnvironmentKeyIsNamed()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_NOMAD_ADRESS", "http://x:4646")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment variable ORCHESTRATOR_NOMAD_ADRESS does not name a configuration key ('nomad.adress'); "
                        + "keys under 'nomad' are [address, namespace, node-instance-id, region, request-timeout, token]");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_NOMDA_ADDRESS", "http://x:4646")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment variable ORCHESTRATOR_NOMDA_ADDRESS does not name a configuration section; sections are [auth, autoscaling, aws, clusters, consul, drain, http, leader, lifecycle, logging, nomad]");
    }

    @Test
    void testOtherEnvironmentIgnored()
    {
        assertThat(loadEnvironment(Map.of("PATH", "/bin", "ORCHESTRATOR_CONFIG", "/etc/x.yaml", "PRESTO_ORCH_CACHE", "/tmp")))
                .isEqualTo(OrchestratorConfig.DEFAULTS);
    }

    /** {@code source .local/env} sets the CLI's variables; {@code serve} in that shell must start (issue 20, finding 3). */
    @Test
    void testTheClientsVariablesAreNotConfiguration()
    {
        assertThat(loadEnvironment(Map.of("ORCHESTRATOR_URL", "http://127.0.0.1:8070", "ORCHESTRATOR_TOKEN", "local-admin-token-0123456789")))
                .isEqualTo(OrchestratorConfig.DEFAULTS);
        assertThat(loadEnvironment(Map.of("ORCHESTRATOR_URL", "http://127.0.0.1:8070", "ORCHESTRATOR_HTTP_PORT", "9100")).http().port()).isEqualTo(9100);
        // any other variable with the prefix still has to name a key
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_TOKENS", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment variable ORCHESTRATOR_TOKENS does not name a configuration section");
    }

    @Test
    void testMalformedValuesNameKeyAndSource()
    {
        assertThatThrownBy(() -> loadYaml("http:\n  port: eighty\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'http.port' has an invalid value 'eighty' (set in file ")
                .hasMessageEndingWith(": expected a whole number");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_HTTP_SHUTDOWN_TIMEOUT", "30 seconds")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'http.shutdown-timeout' has an invalid value '30 seconds' "
                        + "(set in environment variable ORCHESTRATOR_HTTP_SHUTDOWN_TIMEOUT): expected a duration such as 500ms, 30s, 5m, 1h");
    }

    @Test
    void testBrokenYamlNamesTheLine()
    {
        assertThatThrownBy(() -> loadYaml("http:\n  port: 1\n nomad: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML")
                .hasMessageContaining("line ");
    }

    @Test
    void testFileThatIsNoMappingNamesEverySection()
    {
        assertThatThrownBy(() -> loadYaml("- http\n- nomad\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(" must hold a mapping of sections [auth, autoscaling, aws, clusters, consul, drain, http, leader, lifecycle, logging, nomad]");
    }

    @Test
    void testMissingFile()
    {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(Path.of("/nonexistent/orchestrator.yaml")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration file /nonexistent/orchestrator.yaml does not exist");
    }

    @Test
    void testEmptyEnvironmentValueUnsetsOptional()
    {
        assertThat(loadYaml("nomad:\n  token: 0f3c1e1a-9a52-4b7e-8d65\n", Map.of("ORCHESTRATOR_NOMAD_TOKEN", "")).nomad().token()).isEmpty();
    }

    @Test
    void testDurations()
    {
        assertThat(Durations.format(Durations.parse("90s"))).isEqualTo("90s");
        assertThat(Durations.format(Durations.parse("120s"))).isEqualTo("2m");
        assertThat(Durations.format(Durations.parse("1500ms"))).isEqualTo("1500ms");
        assertThat(Durations.parse("2d").toHours()).isEqualTo(48);
        assertThatThrownBy(() -> Durations.parse("1 week")).hasMessageContaining("is not a duration");
    }
}
