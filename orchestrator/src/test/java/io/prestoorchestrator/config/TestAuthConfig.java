package io.prestoorchestrator.config;

import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAuthConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).auth()).isEqualTo(new AuthConfig(List.of(), Optional.empty()));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                auth:
                  tokens:
                    - name: ci
                      role: admin
                      token: ci-token-0123456789abcdef
                    - name: dashboards
                      role: viewer
                      token: viewer-token-0123456789
                  ssm-path: /presto-orchestrator/auth-tokens
                """);
        assertFullMapping(config, OrchestratorConfig::auth, new AuthConfig(
                List.of(new ApiToken("ci", Role.ADMIN, Secret.of("ci-token-0123456789abcdef")),
                        new ApiToken("dashboards", Role.VIEWER, Secret.of("viewer-token-0123456789"))),
                Optional.of("/presto-orchestrator/auth-tokens")));
    }

    @Test
    void testEnvironmentMapping()
    {
        assertThat(loadEnvironment(Map.of("ORCHESTRATOR_AUTH_SSM_PATH", "/presto-orchestrator/auth-tokens")).auth().ssmPath())
                .contains("/presto-orchestrator/auth-tokens");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_AUTH_TOKENS", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'auth.tokens' is a list and cannot be set from environment variable ORCHESTRATOR_AUTH_TOKENS; set it in the configuration file");
    }

    @Test
    void testUnknownRoleNamesTheKey()
    {
        assertThatThrownBy(() -> loadYaml("""
                auth:
                  tokens:
                    - name: ci
                      role: superuser
                      token: ci-token-0123456789abcdef
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'auth.tokens[0].role' has an invalid value 'superuser'")
                .hasMessageEndingWith("expected one of [viewer, admin]");
    }

    @Test
    void testShortTokenRejectedWithoutEchoingIt()
    {
        assertThatThrownBy(() -> loadYaml("""
                auth:
                  tokens:
                    - name: ci
                      role: admin
                      token: hunter2
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'auth.tokens.token' of token 'ci' is shorter than 16 characters")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void testDuplicateNames()
    {
        assertThatThrownBy(() -> loadYaml("""
                auth:
                  tokens:
                    - {name: ci, role: admin, token: ci-token-0123456789abcdef}
                    - {name: ci, role: viewer, token: ci-token-fedcba9876543210}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'auth.tokens[1].name' duplicate token name 'ci'");
    }

    @Test
    void testRoles()
    {
        assertThat(Role.ADMIN.allows(Role.VIEWER)).isTrue();
        assertThat(Role.ADMIN.allows(Role.ADMIN)).isTrue();
        assertThat(Role.VIEWER.allows(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.allows(Role.ADMIN)).isFalse();
    }
}
