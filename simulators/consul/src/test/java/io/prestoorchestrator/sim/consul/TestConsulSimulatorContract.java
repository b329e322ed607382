package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;

/**
 * The Consul API contract, run against the simulator on every build. {@link ConsulAgentContractIT}
 * runs the same contract against a real {@code consul agent -dev} when one is installed.
 */
class TestConsulSimulatorContract
        extends ConsulApiContract
{
    private static ConsulSimulator simulator;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).build().startAndWait();
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Override
    protected URI consulAddress()
    {
        return simulator.baseUri();
    }
}
