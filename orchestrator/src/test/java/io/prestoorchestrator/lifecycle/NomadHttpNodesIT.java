package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.prestoorchestrator.testing.TestingNomad;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle drain's Nomad node calls against real Nomad v1.6.1 (three client agents, each with
 * an EC2 instance id in its meta, found through {@code nomad.node-instance-id: meta.instance_id}).
 */
class NomadHttpNodesIT
        extends NomadNodesContract
{
    private static Vertx vertx;
    private static WebClient client;
    private static ConsulSimulator consul;
    private static TestingNomad nomad;
    private static NomadHttpNodes nodes;

    @BeforeAll
    static void start()
            throws Exception
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        nomad = TestingNomad.start(Files.createTempDirectory("nomad-nodes-it").resolve("nomad"), consul);
        nodes = new NomadHttpNodes(DependencyHttp.nomad(client, TestingHashiCorp.nomadConfig(nomad.address(), Optional.empty())), "meta." + TestingNomad.INSTANCE_ID_META);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (nomad != null) {
            nomad.close();
        }
        if (consul != null) {
            consul.close();
        }
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Override
    protected NomadNodes nodes()
    {
        return nodes;
    }

    @Override
    protected Collection<String> instanceIds()
    {
        try {
            return nomad.instanceIds().values();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void testFindsEachNodeByTheInstanceIdInItsMeta()
            throws Exception
    {
        Map<String, String> instanceIds = nomad.instanceIds();
        assertThat(instanceIds).hasSize(3);
        assertThat(instanceIds.values()).doesNotHaveDuplicates().allMatch(id -> id.startsWith("i-0"));
        for (Map.Entry<String, String> entry : instanceIds.entrySet()) {
            Node node = await(nodes.findByInstanceId(entry.getValue())).orElseThrow();
            assertThat(node.id()).isEqualTo(entry.getKey());
            assertThat(node.instanceId()).isEqualTo(entry.getValue());
            assertThat(node.name()).startsWith("client-");
        }
        assertThat(await(nodes.findByInstanceId("i-0000000000000dead"))).isEmpty();
    }

    @Test
    void testIneligibleThenDrainedWithDeadline()
            throws Exception
    {
        String nodeId = nomad.instanceIds().keySet().iterator().next();
        await(nodes.markIneligible(nodeId));
        assertThat(node(nodeId).getString("SchedulingEligibility")).isEqualTo("ineligible");

        await(nodes.drain(nodeId, Duration.ofMinutes(5)));
        JsonObject drained = node(nodeId);
        assertThat(drained.getString("SchedulingEligibility")).isEqualTo("ineligible");
        // an empty node's drain completes at once; Nomad records it either way
        assertThat(drained.getJsonObject("LastDrain").getString("Status")).isIn("draining", "complete");
        assertThat(drained.getJsonObject("LastDrain").getJsonObject("Meta").getString("message")).contains("presto-orchestrator");
        assertThat(await(nodes.allocations(nodeId))).isEmpty();
    }

    @Test
    void testUnknownNodeFailsNamingNomad()
    {
        Throwable failure = failure(nodes.markIneligible("00000000-0000-0000-0000-000000000000"));
        assertThat(failure).isInstanceOf(DependencyException.class).hasMessageContaining("Nomad answered");
    }

    private static JsonObject node(String nodeId)
            throws Exception
    {
        return new JsonObject(nomad.call("GET", "/v1/node/" + nodeId, null).body());
    }
}
