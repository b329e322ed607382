package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestConsulSimulatorMain
{
    @Test
    void defaults()
    {
        ConsulSimulatorConfig config = ConsulSimulatorMain.parse(List.of());
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8500);
        assertThat(config.aclToken()).isEmpty();
        assertThat(config.datacenter()).isEqualTo("dc1");
        assertThat(config.nodeName()).isNotBlank();
        assertThat(config.sessionTtlMin()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.checkReapInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.checkDeregisterIntervalMin()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void allFlags()
    {
        ConsulSimulatorConfig config = ConsulSimulatorMain.parse(List.of(
                "--port", "18500", "--bind", "0.0.0.0", "--acl-token", "secret", "--node-name", "sim-1", "--datacenter=eu-west"));
        assertThat(config.port()).isEqualTo(18500);
        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.advertiseAddress()).isEqualTo("127.0.0.1");
        assertThat(config.aclToken()).isEqualTo(Optional.of("secret"));
        assertThat(config.nodeName()).isEqualTo("sim-1");
        assertThat(config.datacenter()).isEqualTo("eu-west");
    }

    @Test
    void badFlags()
    {
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--port", "eighty"))).hasMessage("--port must be a number: eighty");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--port", "70000"))).hasMessageContaining("port must be between 0 and 65535");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--colour", "red"))).hasMessage("unknown flag --colour");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--colour"))).hasMessage("unknown flag --colour");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--colour=red"))).hasMessage("unknown flag --colour");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--bind"))).hasMessage("missing value for --bind");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--datacenter", "dc 1"))).hasMessageContaining("datacenter must match");
        assertThatThrownBy(() -> ConsulSimulatorMain.parse(List.of("--acl-token", " "))).hasMessage("aclToken is blank");
    }
}
