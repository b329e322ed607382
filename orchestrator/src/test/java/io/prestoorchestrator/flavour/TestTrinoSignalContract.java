package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestTrinoSignalContract
        extends SignalContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.TRINO;
    }
}
