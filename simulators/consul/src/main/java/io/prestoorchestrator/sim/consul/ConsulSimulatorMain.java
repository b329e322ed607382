package io.prestoorchestrator.sim.consul;

public final class ConsulSimulatorMain
{
    private ConsulSimulatorMain() {}

    public static void main(String[] args)
    {
        throw new UnsupportedOperationException("Consul simulator not built yet");
    }
}
