package io.prestoorchestrator.sim.nomad;

public final class NomadSimulatorMain
{
    private NomadSimulatorMain() {}

    public static void main(String[] args)
    {
        throw new UnsupportedOperationException("Nomad simulator not built yet");
    }
}
