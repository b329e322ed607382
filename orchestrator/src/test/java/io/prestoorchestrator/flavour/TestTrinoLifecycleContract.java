package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestTrinoLifecycleContract
        extends LifecycleContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.TRINO;
    }
}
