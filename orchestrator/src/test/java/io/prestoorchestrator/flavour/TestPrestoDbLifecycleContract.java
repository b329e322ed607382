package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;

class TestPrestoDbLifecycleContract
        extends LifecycleContract
{
    @Override
    protected Flavour flavour()
    {
        return Flavour.PRESTODB;
    }
}
