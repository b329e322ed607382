package io.prestoorchestrator.lifecycle;

import java.util.Collection;
import java.util.List;

/** The fake the lifecycle drain's unit tests use, held to the contract Nomad meets. */
class TestFakeNomadNodes
        extends NomadNodesContract
{
    private final FakeNomadNodes nodes = new FakeNomadNodes();

    TestFakeNomadNodes()
    {
        nodes.addNode("client-1", "i-0123456789abcdef0");
        nodes.addNode("client-2", "i-0123456789abcdef1");
    }

    @Override
    protected NomadNodes nodes()
    {
        return nodes;
    }

    @Override
    protected Collection<String> instanceIds()
    {
        return List.of("i-0123456789abcdef0", "i-0123456789abcdef1");
    }
}
