package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestPrestoDbDrainContract
        extends DrainContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.PRESTODB;
    }
}
