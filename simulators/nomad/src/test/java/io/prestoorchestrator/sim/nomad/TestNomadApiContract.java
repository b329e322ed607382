package io.prestoorchestrator.sim.nomad;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;

/**
 * The Nomad API contract against the simulator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestNomadApiContract
        extends NomadApiContract
{
    @TempDir
    static Path dataDir;

    private NomadSimulator simulator;

    @BeforeAll
    void start()
    {
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(2, "dc1", dataDir)).start();
    }

    @AfterAll
    void stop()
    {
        simulator.close();
    }

    @Override
    protected URI baseAddress()
    {
        return simulator.address();
    }
}
