package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.autoscaling.ClusterSignal;
import io.prestoorchestrator.autoscaling.ScalingEventRecorder;
import io.prestoorchestrator.autoscaling.ScalingSignal;
import io.prestoorchestrator.autoscaling.SignalInputs;
import io.prestoorchestrator.autoscaling.WorkersNeeded;
import io.prestoorchestrator.cluster.Autoscaling;
import io.prestoorchestrator.cluster.ClusterDocuments;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterSpecValidator;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.nomad.NomadHttpJobs;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.FakeTrinoProcess;
import io.prestoorchestrator.testing.TestingNomad;
import io.prestoorchestrator.testing.TestingAutoscaler;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.prestoorchestrator.testing.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rendered scaling policy drives the real nomad-autoscaler 0.5.0: the cluster job is rendered
 * from job-templates/ (local variables; the Trino launcher replaced by a fake Trino answering
 * {@code /v1/info}, so nothing heavy runs) and registered with real Nomad 1.6.1 (its services and
 * checks in the Consul simulator); the agent runs with the configuration
 * run-local.sh renders, its Prometheus APM on a real Prometheus that scrapes a stand-in for the
 * orchestrator's {@code /metrics} serving {@code presto_orchestrator_cluster_workers_needed}.
 * Need raised: the agent scales the worker group out within an evaluation interval (plus a scrape).
 * Need lowered: it scales in only once the need has stayed lower for the scale-in delay.
 */
class AutoscalerPolicyIT
{
    private static final String CLUSTER = "scaled";
    private static final String JOB = "trino-" + CLUSTER;
    private static final Duration EVALUATION = Duration.ofSeconds(2);
    private static final Duration SCALE_IN_DELAY = Duration.ofSeconds(20);
    private static final Duration SCRAPE = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WorkersNeeded SIGNAL = ScalingSignal.compute(new SignalInputs(4, 2, 0, 0, 1, 0, 2, 1, 4));

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger workersNeeded = new AtomicInteger(1);
    private ConsulSimulator consul;
    private TestingNomad nomad;
    private Vertx vertx;
    private HttpServer signal;
    private TestingAutoscaler autoscaler;

    @AfterEach
    void cleanUp()
            throws Exception
    {
        if (autoscaler != null) {
            autoscaler.close();
        }
        if (signal != null) {
            signal.stop(0);
        }
        if (nomad != null) {
            nomad.close();
        }
        if (consul != null) {
            consul.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void autoscalerScalesTheWorkerGroupOnTheRenderedPolicy()
            throws Exception
    {
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        nomad = TestingNomad.start(dir.resolve("nomad"), consul);
        signal = startSignal();
        // no orchestrator here: the worker groups' target ("presto-orchestrator") points at Nomad itself, so the agent's calls are Nomad's to answer
        autoscaler = TestingAutoscaler.start(dir.resolve("autoscaler"), nomad.address(), signal.getAddress().getPort(), nomad.address().getPort(), SCRAPE);
        Path agentLog = autoscaler.agentLog();

        // as POST /v1/clusters makes it: defaults merged, validated
        ClusterSpec spec = ClusterDocuments.create(ClusterDocuments.parseObject("""
                {"name": "%s", "catalogs": ["tpch"], "workers": {"count": 1, "min": 1, "max": 4},
                 "autoscaling": {"enabled": true, "evaluationInterval": "%ds", "scaleOutCooldown": "2s", "scaleInCooldown": "2s", "scaleInDelay": "%ds"}}
                """.formatted(CLUSTER, EVALUATION.toSeconds(), SCALE_IN_DELAY.toSeconds())));
        ClusterSpecValidator.validate(spec, Set.of("tpch"));
        assertThat(spec.autoscaling().signal()).isEqualTo(Autoscaling.Signal.WORKERS_NEEDED);
        JsonNode job = render(spec);
        assertThat(job.get("Job").get("TaskGroups").get(1).get("Scaling").get("Policy").get("check").get(0).get("workers-needed").get(0).get("query").asText())
                .isEqualTo("max(max_over_time(presto_orchestrator_cluster_workers_needed{cluster=\"scaled\"}[20s]))");
        assertThat(nomadCall("PUT", "/v1/jobs", JSON.writeValueAsString(job)).statusCode()).isEqualTo(200);
        // the leader's recorder of scaling events, on Nomad's scale-status endpoint
        vertx = Vertx.vertx();
        NomadConfig nomadConfig = TestingHashiCorp.nomadConfig(nomad.address(), Optional.empty());
        NomadHttpJobs jobs = new NomadHttpJobs(DependencyHttp.nomad(WebClient.create(vertx), nomadConfig), nomadConfig);
        InMemoryKvStore kv = new InMemoryKvStore();
        ClusterRepository repository = new ClusterRepository(kv);
        ClusterRecord record = new ClusterRecord(spec, ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.empty(), Instant.now(), Instant.now(), "it");
        ScalingEventRecorder events = new ScalingEventRecorder(() -> CompletableFuture.completedFuture(List.of(record)), jobs, repository::appendEvent, kv, () -> true,
                cluster -> Optional.of(new ClusterSignal(cluster, Instant.now(), Optional.empty(), Optional.of(SIGNAL), Optional.empty())));
        try {
            awaitWorkers(1, Duration.ofSeconds(60));
            awaitDeploymentDone();
            // the agent has read the policy (its DEBUG log names the job's group); the need equals the count, so it does nothing
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(autoscaler.agentAlive()).as("nomad-autoscaler exited; log:\n%s", Files.readString(agentLog)).isTrue();
                assertThat(Files.readString(agentLog)).contains(JOB).contains("skipping scaling, no action needed");
            });
            assertThat(scaleEvents()).isEmpty();

            long raised = System.currentTimeMillis();
            workersNeeded.set(3);
            JsonNode out = awaitScaleEvent(1, Duration.ofSeconds(30));
            long outReaction = eventMillis(out) - raised;
            assertThat(out.get("Count").asInt()).isEqualTo(3);
            assertThat(out.get("Message").asText()).isEqualTo("scaling up because metric is 3");
            System.out.printf("AutoscalerPolicyIT: need 1 -> 3, scale-out call after %d ms (evaluation interval %d s, scrape %d s)%n",
                    outReaction, EVALUATION.toSeconds(), SCRAPE.toSeconds());
            assertThat(outReaction).isLessThanOrEqualTo(EVALUATION.plus(SCRAPE).plusSeconds(5).toMillis());
            awaitWorkers(3, Duration.ofSeconds(60));
            awaitDeploymentDone();
            await(events.recordAll());
            assertThat(await(repository.events(CLUSTER))).extracting(ClusterEvent::message)
                    .containsExactly("Workers 1 -> 3 by nomad-autoscaler: scaling up because metric is 3; signal: " + SIGNAL.reason());

            long lowered = System.currentTimeMillis();
            workersNeeded.set(1);
            JsonNode in = awaitScaleEvent(2, SCALE_IN_DELAY.plusSeconds(30));
            long inReaction = eventMillis(in) - lowered;
            assertThat(in.get("Count").asInt()).isEqualTo(1);
            assertThat(in.get("Message").asText()).isEqualTo("scaling down because metric is 1");
            System.out.printf("AutoscalerPolicyIT: need 3 -> 1, scale-in call after %d ms (scale-in delay %d s)%n", inReaction, SCALE_IN_DELAY.toSeconds());
            // not before the need has stayed lower for the delay (the last scrape of 3 may be up to one scrape later)
            assertThat(inReaction).isGreaterThanOrEqualTo(SCALE_IN_DELAY.minus(SCRAPE).minusMillis(500).toMillis());
            assertThat(inReaction).isLessThanOrEqualTo(SCALE_IN_DELAY.plus(EVALUATION).plus(SCRAPE).plusSeconds(5).toMillis());
            awaitWorkers(1, Duration.ofSeconds(60));
            assertThat(scaleEvents()).hasSize(2);
            await(events.recordAll());
            await(events.recordAll());
            List<ClusterEvent> recorded = await(repository.events(CLUSTER));
            assertThat(recorded).extracting(ClusterEvent::type).containsExactly("autoscaled", "autoscaled");
            assertThat(recorded).extracting(ClusterEvent::actor).containsOnly("nomad-autoscaler");
            assertThat(recorded.get(1).message()).isEqualTo("Workers 3 -> 1 by nomad-autoscaler: scaling down because metric is 1; signal: " + SIGNAL.reason());
        }
        catch (AssertionError | RuntimeException e) {
            System.out.println("nomad-autoscaler log:\n" + Files.readString(agentLog));
            throw e;
        }
    }

    private JsonNode render(ClusterSpec spec)
            throws IOException, InterruptedException
    {
        // stands in for Trino (answers /v1/info, so Nomad's checks pass): the policy, not Trino, is under test
        Path trinoHome = Files.createDirectories(dir.resolve("fake-trino"));
        FakeTrinoProcess.install(trinoHome);
        Path noDrain = dir.resolve("no-drain.yaml");
        Files.writeString(noDrain, "drain_on_stop: false\n");
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "it", "it",
                Map.of("TRINO_HOME", trinoHome.toString(), "TRINO_JAVA_HOME", dir.resolve("no-jdk").toString()), Optional.of(TestingAutoscaler.freePort()));
        JobRenderer renderer = new JobRenderer(TestingRenderInputs.TEMPLATES);
        RenderedJob rendered = renderer.render(spec, inputs, List.of(TestingRenderInputs.TEMPLATES.resolve("vars/local.yaml"), noDrain));
        // as a deploy does before it registers: the Trino catalog files' Variable, which the coordinator's template waits for
        CatalogBundle catalogs = rendered.catalogBundle().orElseThrow();
        HttpResponse<String> written = nomadCall("PUT", "/v1/var/" + catalogs.path(), JSON.writeValueAsString(Map.of("Path", catalogs.path(), "Items", catalogs.items())));
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        return rendered.job();
    }

    private HttpServer startSignal()
            throws IOException
    {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = ("# TYPE presto_orchestrator_cluster_workers_needed gauge\n"
                    + "presto_orchestrator_cluster_workers_needed{cluster=\"" + CLUSTER + "\"} " + workersNeeded.get() + "\n"
                    + "presto_orchestrator_cluster_workers_needed{cluster=\"other\"} 4\n").getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private void awaitWorkers(int running, Duration timeout)
    {
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode group = scaleStatus().get("TaskGroups").get("workers");
            assertThat(group.get("Desired").asInt()).isEqualTo(running);
            assertThat(group.get("Running").asInt()).isEqualTo(running);
        });
    }

    private void awaitDeploymentDone()
    {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> !JSON.readTree(nomadCall("GET", "/v1/job/" + JOB + "/deployment", null).body()).get("Status").asText().equals("running"));
    }

    /** Waits for the {@code n}th scale event of the worker group and returns it. */
    private JsonNode awaitScaleEvent(int n, Duration timeout)
            throws IOException, InterruptedException
    {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> scaleEvents().size() >= n);
        List<JsonNode> events = scaleEvents();
        // newest first
        return events.get(events.size() - n);
    }

    private List<JsonNode> scaleEvents()
            throws IOException, InterruptedException
    {
        List<JsonNode> list = new ArrayList<>();
        JsonNode events = scaleStatus().get("TaskGroups").get("workers").get("Events");
        if (events != null) {
            events.forEach(list::add);
        }
        return list;
    }

    private JsonNode scaleStatus()
            throws IOException, InterruptedException
    {
        return JSON.readTree(nomadCall("GET", "/v1/job/" + JOB + "/scale", null).body());
    }

    private static long eventMillis(JsonNode event)
    {
        return TimeUnit.NANOSECONDS.toMillis(event.get("Time").asLong());
    }

    private HttpResponse<String> nomadCall(String method, String path, String body)
            throws IOException, InterruptedException
    {
        HttpRequest request = HttpRequest.newBuilder(nomad.address().resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
