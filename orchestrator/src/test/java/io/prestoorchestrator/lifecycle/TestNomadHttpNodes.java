package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import io.prestoorchestrator.lifecycle.NomadNodes.NodeAllocation;
import io.prestoorchestrator.sim.nomad.NomadSimulator;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** The Nomad node calls against the Nomad simulator (which speaks Nomad's documented node API). */
class TestNomadHttpNodes
        extends NomadNodesContract
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static Vertx vertx;
    private static WebClient client;
    private static NomadSimulator simulator;
    private static NomadHttpNodes nodes;

    @BeforeAll
    static void start()
            throws Exception
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", Files.createTempDirectory("nomad-nodes-test"))).start();
        nodes = new NomadHttpNodes(DependencyHttp.nomad(client, TestingHashiCorp.nomadConfig(simulator.address(), Optional.empty())), NomadConfig.AWS_INSTANCE_ID_ATTRIBUTE);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        simulator.close();
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
        return simulator.instanceIds().values();
    }

    @Test
    void testFindsTheNodeByItsInstanceId()
    {
        for (Map.Entry<String, String> entry : simulator.instanceIds().entrySet()) {
            Node node = await(nodes.findByInstanceId(entry.getValue())).orElseThrow();
            assertThat(node.name()).isEqualTo(entry.getKey());
            assertThat(node.instanceId()).isEqualTo(entry.getValue());
        }
        assertThat(await(nodes.findByInstanceId("i-0000000000000dead"))).isEmpty();
    }

    @Test
    void testIneligibleThenDrainedWithDeadline()
            throws Exception
    {
        String instance = simulator.instanceIds().values().iterator().next();
        Node node = await(nodes.findByInstanceId(instance)).orElseThrow();

        await(nodes.markIneligible(node.id()));
        JsonNode ineligible = read(node.id());
        assertThat(ineligible.path("SchedulingEligibility").asText()).isEqualTo("ineligible");

        await(nodes.drain(node.id(), Duration.ofMinutes(5)));
        JsonNode drained = read(node.id());
        // the simulator keeps the strategy until the (empty) node's drain completes; either way the node is not schedulable
        assertThat(drained.path("SchedulingEligibility").asText()).isEqualTo("ineligible");
        assertThat(drained.path("LastDrain").path("Status").asText()).isIn("draining", "complete");
        assertThat(await(nodes.allocations(node.id()))).isEmpty();
        assertThat(simulator.requestCounts()).containsKeys("POST /v1/node/" + node.id() + "/eligibility", "POST /v1/node/" + node.id() + "/drain");
    }

    @Test
    void testUnknownNodeFailsNamingNomad()
    {
        Throwable failure = failure(nodes.markIneligible("00000000-0000-0000-0000-000000000000"));
        assertThat(failure).isInstanceOf(DependencyException.class).hasMessageContaining("Nomad answered 404");
    }

    @Test
    void testAllocationFromNomadJson()
            throws Exception
    {
        JsonNode alloc = MAPPER.readTree("""
                {"ID":"5456bd7a-9fc0-c0dd-6131-cbee77f57577","Name":"trino-adhoc.workers[1]","NodeID":"fb2170a8","JobID":"trino-adhoc","TaskGroup":"workers",
                 "DesiredStatus":"run","ClientStatus":"running",
                 "Job":{"ID":"trino-adhoc","Type":"service","Meta":{"orchestrator_cluster":"adhoc"}},
                 "AllocatedResources":{"Shared":{"Ports":[{"Label":"http","Value":24817,"To":0,"HostIP":"10.0.1.17"}]}}}
                """);
        assertThat(NomadHttpNodes.allocation(alloc)).isEqualTo(new NodeAllocation("5456bd7a-9fc0-c0dd-6131-cbee77f57577", "trino-adhoc.workers[1]", "trino-adhoc",
                "service", "workers", "run", "running", Optional.of("adhoc"), Optional.of(URI.create("http://10.0.1.17:24817"))));

        JsonNode system = MAPPER.readTree("""
                {"ID":"a1","Name":"traefik.traefik[0]","JobID":"traefik","TaskGroup":"traefik","DesiredStatus":"run","ClientStatus":"complete",
                 "Job":{"ID":"traefik","Type":"system","Meta":null}}
                """);
        NodeAllocation parsed = NomadHttpNodes.allocation(system);
        assertThat(parsed.system()).isTrue();
        assertThat(parsed.live()).isFalse();
        assertThat(parsed.cluster()).isEmpty();
        assertThat(parsed.http()).isEmpty();
    }

    private static JsonNode read(String nodeId)
            throws Exception
    {
        return MAPPER.readTree(URI.create(simulator.address() + "/v1/node/" + nodeId).toURL());
    }
}
