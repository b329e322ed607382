package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the lifecycle drain relies on from {@link NomadNodes}, run against the fake
 * ({@code TestFakeNomadNodes}), the Nomad simulator ({@code TestNomadHttpNodes}) and real Nomad
 * ({@code NomadHttpNodesIT}), so the fake the drain's unit tests use cannot drift from Nomad.
 */
public abstract class NomadNodesContract
{
    protected abstract NomadNodes nodes();

    /** The instance ids of the nodes there are, none of which runs an allocation. */
    protected abstract Collection<String> instanceIds();

    @Test
    void testContractFindsEachNodeByItsInstanceIdAndNoOther()
    {
        List<String> nodeIds = new ArrayList<>();
        for (String instanceId : instanceIds()) {
            Node node = await(nodes().findByInstanceId(instanceId)).orElseThrow(() -> new AssertionError("no node for " + instanceId));
            assertThat(node.instanceId()).isEqualTo(instanceId);
            assertThat(node.id()).isNotBlank();
            assertThat(node.name()).isNotBlank();
            nodeIds.add(node.id());
        }
        assertThat(nodeIds).isNotEmpty().doesNotHaveDuplicates();
        assertThat(await(nodes().findByInstanceId("i-0000000000000dead"))).isEmpty();
    }

    @Test
    void testContractAnEmptyNodeMarkedIneligibleAndDrainedHasNoAllocations()
    {
        String instanceId = instanceIds().iterator().next();
        Node node = await(nodes().findByInstanceId(instanceId)).orElseThrow();
        assertThat(await(nodes().allocations(node.id()))).isEmpty();

        await(nodes().markIneligible(node.id()));
        await(nodes().markIneligible(node.id())); // a resumed drain repeats every step
        await(nodes().drain(node.id(), Duration.ofMinutes(5)));

        assertThat(await(nodes().allocations(node.id()))).isEmpty();
        assertThat(await(nodes().findByInstanceId(instanceId))).as("a drained node is still found").contains(node);
    }

    @Test
    void testContractAnUnknownNodeFailsNamingNomad()
    {
        Throwable failure = failure(nodes().markIneligible("00000000-0000-0000-0000-000000000000"));
        assertThat(failure).isInstanceOf(DependencyException.class).hasMessageContaining("Nomad answered");
    }
}
