package io.prestoorchestrator.nomad;

import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.follow.Indexed;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.sim.nomad.NomadSimulator;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Nomad contract against the embedded Nomad simulator (raw_exec runs real processes), plus error mapping. */
class TestNomadHttpJobs
        extends NomadJobsContract
{
    private static final String TOKEN = "nomad-test-management-token";

    private static Vertx vertx;
    private static WebClient client;
    private static NomadSimulator simulator;
    private static NomadSimulator securedSimulator;
    private static NomadHttpJobs nomad;

    @BeforeAll
    static void startNomad()
            throws Exception
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        Path dir = Files.createTempDirectory("nomad-jobs-test");
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(2, "dc1", dir.resolve("open"))
                .withMinHealthyTime(Duration.ofMillis(200))).start();
        securedSimulator = new NomadSimulator(NomadSimulatorConfig.defaults(1, "dc1", dir.resolve("secured")).withAclToken(TOKEN)).start();
        nomad = jobsAt(TestingHashiCorp.nomadConfig(simulator.address(), Optional.empty()));
    }

    @AfterAll
    static void stopNomad()
            throws Exception
    {
        simulator.close();
        securedSimulator.close();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static NomadHttpJobs jobsAt(NomadConfig config)
    {
        return new NomadHttpJobs(DependencyHttp.nomad(client, config), config, Duration.ofSeconds(5));
    }

    @Override
    protected NomadJobs nomad()
    {
        return nomad;
    }

    /** Issue 23: the status read model's two Nomad reads, every job and every allocation, each a blocking query. */
    @Test
    void testListsJobsAndAllocationsInOneBlockingReadEach()
    {
        String id = newJobId();
        Indexed<List<NomadListings.JobStub>> before = io.prestoorchestrator.testing.Await.await(nomad.jobs(id, 0, Duration.ofSeconds(5)));
        assertThat(before.value()).isEmpty();
        assertThat(before.index()).isPositive();

        io.prestoorchestrator.testing.Await.await(nomad.register(sleepJob(id, 2), OptionalLong.empty()));
        Indexed<List<NomadListings.JobStub>> after = io.prestoorchestrator.testing.Await.await(nomad.jobs(id, before.index(), Duration.ofSeconds(5)));
        assertThat(after.value()).extracting(NomadListings.JobStub::id).containsExactly(id);
        assertThat(after.value().get(0).modifyIndex()).isPositive();
        assertThat(after.index()).isGreaterThan(before.index());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(io.prestoorchestrator.testing.Await.await(nomad.allocations(0, Duration.ofSeconds(5))).value().getOrDefault(id, List.of()))
                .hasSize(2)
                .allSatisfy(alloc -> assertThat(alloc.taskGroup()).isEqualTo("workers")));
    }

    @Test
    void testReadsTheDocumentedListShapes()
            throws Exception
    {
        // the shapes of Nomad 1.6's GET /v1/jobs and GET /v1/allocations answers (fields this reads)
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(NomadHttpJobs.jobStubs(mapper.readTree("[{\"ID\":\"trino-a\",\"Status\":\"running\",\"ModifyIndex\":93,\"JobModifyIndex\":52}]")))
                .containsExactly(new NomadListings.JobStub("trino-a", 93));
        var allocations = NomadHttpJobs.allocationsByJob(mapper.readTree("""
                [{"ID":"a1","Name":"trino-a.workers[0]","JobID":"trino-a","TaskGroup":"workers","ClientStatus":"running","DesiredStatus":"run","NodeID":"n1","JobVersion":3},
                 {"ID":"a2","Name":"trino-b.coordinator[0]","JobID":"trino-b","TaskGroup":"coordinator","ClientStatus":"pending","DesiredStatus":"run","NodeID":"n1","JobVersion":0},
                 {"ID":"a3","Name":"trino-a.workers[1]","JobID":"trino-a","TaskGroup":"workers","ClientStatus":"complete","DesiredStatus":"stop","NodeID":"n2","JobVersion":2}]
                """));
        assertThat(allocations).containsOnlyKeys("trino-a", "trino-b");
        assertThat(allocations.get("trino-a")).extracting(AllocationStub::id, AllocationStub::clientStatus, AllocationStub::jobVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a1", "running", 3L), org.assertj.core.groups.Tuple.tuple("a3", "complete", 2L));
    }

    @Test
    void testNomadDownIsUnavailableNamingNomad()
    {
        NomadHttpJobs down = jobsAt(TestingHashiCorp.nomadConfig(TestingHashiCorp.nothingListening(), Optional.empty()));
        assertThat(failure(down.register(sleepJob(newJobId(), 1), OptionalLong.of(0))))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("nomad");
                    assertThat(e.unavailable()).isTrue();
                    assertThat(e.getMessage()).contains("Nomad").contains("cannot be reached");
                });
        assertThat(failure(down.watchDeployment("0b9ae1b3-0000-0000-0000-000000000000", DeploymentListener.NONE))).isInstanceOf(DependencyException.class);
    }

    @Test
    void testRefusedTokenIsADependencyErrorWithoutTheToken()
    {
        NomadHttpJobs wrong = jobsAt(TestingHashiCorp.nomadConfig(securedSimulator.address(), Optional.of("definitely-the-wrong-token")));
        assertThat(failure(wrong.job("anything")))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("nomad");
                    assertThat(e.unavailable()).isFalse();
                    assertThat(e.getMessage()).contains("403").doesNotContain("definitely-the-wrong-token");
                });
        NomadHttpJobs right = jobsAt(TestingHashiCorp.nomadConfig(securedSimulator.address(), Optional.of(TOKEN)));
        assertThat(io.prestoorchestrator.testing.Await.await(right.job("anything"))).isEmpty();
    }

    @Test
    void testInvalidJobIsUnprocessable()
    {
        var job = sleepJob(newJobId(), 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) job.withArray("TaskGroups").get(0)).putArray("Tasks");
        assertThat(failure(nomad.register(job, OptionalLong.empty())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Nomad refused job");
    }

    @Test
    void testDeploymentWatchUsesBlockingQueriesNotAPollLoop()
    {
        String id = newJobId();
        io.prestoorchestrator.testing.Await.await(nomad.register(sleepJob(id, 2), OptionalLong.of(0)));
        Deployment deployment = io.prestoorchestrator.testing.Await.await(nomad.latestDeployment(id)).orElseThrow();
        java.util.List<Deployment> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DeploymentOutcome outcome = io.prestoorchestrator.testing.Await.await(nomad.watchDeployment(deployment.id(), seen::add));

        assertThat(outcome.successful()).isTrue();
        long reads = simulator.requestCounts().getOrDefault("GET /v1/deployment/" + deployment.id(), 0L);
        // one read per change (placed, healthy, successful ...), not one per millisecond
        assertThat(reads).isBetween(1L, (long) seen.size() + 3);
        io.prestoorchestrator.testing.Await.await(nomad.deregister(id, true));
    }

    @Test
    void testConfiguredNamespaceAndRegionTravelWithEveryCall()
    {
        NomadConfig prod = new NomadConfig(simulator.address(), Optional.empty(), "global", "prod", Duration.ofSeconds(5));
        // the simulator knows only the default namespace, so it names the one it was sent
        assertThat(failure(jobsAt(prod).register(sleepJob(newJobId(), 1), OptionalLong.empty())))
                .isInstanceOf(DependencyException.class)
                .hasMessageContaining("nonexistent namespace \"prod\"");
        NomadConfig otherRegion = new NomadConfig(simulator.address(), Optional.empty(), "eu-west", "default", Duration.ofSeconds(5));
        var job = sleepJob(newJobId(), 1);
        job.put("Region", "global");
        assertThatThrownBy(() -> jobsAt(otherRegion).register(job, OptionalLong.empty()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("eu-west");
    }

    @Test
    void testJobInAnotherNamespaceIsRefusedBeforeSending()
    {
        var job = sleepJob(newJobId(), 1);
        job.put("Namespace", "elsewhere");
        assertThatThrownBy(() -> nomad.register(job, OptionalLong.empty()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Namespace");
    }

    @Test
    void testErrorScalingEventAsAnotherCallerPostsIt()
            throws Exception
    {
        String id = newJobId();
        io.prestoorchestrator.testing.Await.await(nomad.register(sleepJob(id, 1), OptionalLong.of(0)));
        // what nomad-autoscaler's Nomad target sends (no Count with Error; Meta with its own keys)
        String body = """
                {"Target": {"Group": "workers"}, "Error": true, "Message": "failed to query source: prometheus down",
                 "Meta": {"nomad_autoscaler.reason_history": ["scaling up because metric is 3"], "nomad_autoscaler.count.capped": true}}""";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(simulator.address().resolve("/v1/job/" + id + "/scale"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        ScalingEvent event = io.prestoorchestrator.testing.Await.await(nomad.scalingEvents(id, "workers")).get(0);
        assertThat(event.error()).isTrue();
        assertThat(event.count()).isEmpty();
        assertThat(event.previousCount()).isEqualTo(1);
        assertThat(event.evalId()).isEmpty();
        assertThat(event.message()).isEqualTo("failed to query source: prometheus down");
        assertThat(event.meta())
                .containsEntry("nomad_autoscaler.count.capped", "true")
                .containsEntry("nomad_autoscaler.reason_history", "[\"scaling up because metric is 3\"]");
        io.prestoorchestrator.testing.Await.await(nomad.deregister(id, true));
    }
}
