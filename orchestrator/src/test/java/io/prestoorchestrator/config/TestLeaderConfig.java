package io.prestoorchestrator.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigTesting.assertFullMapping;
import static io.prestoorchestrator.config.ConfigTesting.loadEnvironment;
import static io.prestoorchestrator.config.ConfigTesting.loadYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLeaderConfig
{
    @Test
    void testDefaults()
    {
        assertThat(loadEnvironment(Map.of()).leader())
                .isEqualTo(new LeaderConfig(Optional.empty(), Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(30)));
    }

    @Test
    void testFileMapping()
    {
        OrchestratorConfig config = loadYaml("""
                leader:
                  replica-id: orchestrator-1.prod
                  session-ttl: 20s
                  lock-delay: 5s
                  retry-interval: 500ms
                  watch-wait: 1m
                """);
        assertFullMapping(config, OrchestratorConfig::leader,
                new LeaderConfig(Optional.of("orchestrator-1.prod"), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMinutes(1)));
    }

    @Test
    void testEnvironmentMapping()
    {
        OrchestratorConfig config = loadEnvironment(Map.of(
                "ORCHESTRATOR_LEADER_REPLICA_ID", "orchestrator-1.prod",
                "ORCHESTRATOR_LEADER_SESSION_TTL", "20s",
                "ORCHESTRATOR_LEADER_LOCK_DELAY", "5s",
                "ORCHESTRATOR_LEADER_RETRY_INTERVAL", "500ms",
                "ORCHESTRATOR_LEADER_WATCH_WAIT", "1m"));
        assertFullMapping(config, OrchestratorConfig::leader,
                new LeaderConfig(Optional.of("orchestrator-1.prod"), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMinutes(1)));
    }

    @Test
    void testSessionTtlWithinConsulLimits()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LEADER_SESSION_TTL", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'leader.session-ttl' must be whole seconds between 10s and 24h (Consul's limits), got 5s");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LEADER_SESSION_TTL", "10500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader.session-ttl");
    }

    @Test
    void testLockDelayAndWatchWaitWithinConsulLimits()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LEADER_LOCK_DELAY", "2m")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'leader.lock-delay' must be between 0s and 60s (Consul's limit), got 2m");
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LEADER_WATCH_WAIT", "11m")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'leader.watch-wait' must be at most 10m (Consul's limit for a blocking query), got 11m");
    }

    @Test
    void testReplicaIdIsAName()
    {
        assertThatThrownBy(() -> loadEnvironment(Map.of("ORCHESTRATOR_LEADER_REPLICA_ID", "two words")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader.replica-id")
                .hasMessageContaining("'two words'");
    }
}
