package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestTrinoDrainContract
        extends DrainContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.TRINO;
    }
}
