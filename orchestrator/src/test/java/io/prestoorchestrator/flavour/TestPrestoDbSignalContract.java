package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestPrestoDbSignalContract
        extends SignalContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.PRESTODB;
    }
}
