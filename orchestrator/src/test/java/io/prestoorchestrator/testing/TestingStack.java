package io.prestoorchestrator.testing;

import io.prestoorchestrator.app.Orchestrator;
import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.LeaderConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.sim.nomad.NomadSimulator;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The orchestrator wired to an embedded Consul simulator and a Nomad with 3 client nodes, with an
 * admin and a viewer token. Integration tests take real Nomad v1.6.1 ({@link #onRealNomad}: one
 * server and three client agents, {@link TestingNomad}); the API unit tests take the Nomad
 * simulator (the constructors), which starts in a second and runs fake Trino processes.
 * {@link #startReplica} adds more replicas against the same Consul and Nomad; calls go to the
 * first one unless told otherwise.
 */
public final class TestingStack
        implements AutoCloseable
{
    public static final String ADMIN_TOKEN = "stack-admin-token-4b1f0c";
    public static final String VIEWER_TOKEN = "stack-viewer-token-9d2e7a";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ConsulSimulator consul;
    private final NomadSimulator simulator;
    private final TestingNomad realNomad;
    private final URI nomadAddress;
    private final Orchestrator orchestrator;
    private final List<Orchestrator> replicas = new ArrayList<>();
    private final OrchestratorConfig config;
    private final Map<String, String> environment;
    private final Path dataDir;

    public TestingStack(Map<String, String> environment)
            throws Exception
    {
        this(environment, Path.of("../job-templates").toAbsolutePath().normalize());
    }

    public TestingStack(Map<String, String> environment, Path templates)
            throws Exception
    {
        this(environment, templates, UnaryOperator.identity());
    }

    public TestingStack(Map<String, String> environment, Path templates, DrainConfig drain)
            throws Exception
    {
        this(environment, templates, config -> config.withDrain(drain));
    }

    /** @param customize changes the configuration every replica gets (e.g. turns AWS and lifecycle hooks on) */
    public TestingStack(Map<String, String> environment, Path templates, UnaryOperator<OrchestratorConfig> customize)
            throws Exception
    {
        this(false, environment, templates, customize);
    }

    /** The stack on real Nomad v1.6.1 (needs {@code NOMAD_BIN} from setup's env.sh), with the ITs' job templates ({@link TestingFiles#itTemplates()}). */
    public static TestingStack onRealNomad(Map<String, String> environment)
            throws Exception
    {
        return onRealNomad(environment, TestingFiles.itTemplates(), UnaryOperator.identity());
    }

    /** The stack on real Nomad v1.6.1 (needs {@code NOMAD_BIN} from setup's env.sh). */
    public static TestingStack onRealNomad(Map<String, String> environment, Path templates, UnaryOperator<OrchestratorConfig> customize)
            throws Exception
    {
        return new TestingStack(true, environment, templates, customize);
    }

    private TestingStack(boolean real, Map<String, String> environment, Path templates, UnaryOperator<OrchestratorConfig> customize)
            throws Exception
    {
        Path dir = Files.createTempDirectory("testing-stack");
        this.dataDir = dir;
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        NomadConfig nomadConfig;
        if (real) {
            simulator = null;
            realNomad = TestingNomad.start(dir.resolve("nomad"), consul);
            nomadAddress = realNomad.address();
            nomadConfig = new NomadConfig(nomadAddress, Optional.empty(), "global", "default", Duration.ofSeconds(10), "meta." + TestingNomad.INSTANCE_ID_META);
        }
        else {
            realNomad = null;
            simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dir.resolve("nomad"))
                    .withConsul(consul.baseUri())
                    .withMinHealthyTime(Duration.ofSeconds(1))).start();
            nomadAddress = simulator.address();
            nomadConfig = new NomadConfig(nomadAddress, Optional.empty(), "global", "default", Duration.ofSeconds(10));
        }
        this.environment = Map.copyOf(environment);
        this.config = customize.apply(new OrchestratorConfig(
                new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout()),
                nomadConfig,
                new ConsulConfig(consul.baseUri(), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(10)),
                OrchestratorConfig.DEFAULTS.aws(),
                new AuthConfig(List.of(
                        new ApiToken("ops", Role.ADMIN, Secret.of(ADMIN_TOKEN)),
                        new ApiToken("dashboards", Role.VIEWER, Secret.of(VIEWER_TOKEN))), Optional.empty()),
                OrchestratorConfig.DEFAULTS.logging(),
                new ClustersConfig(templates.toString(), Duration.ofMinutes(3)),
                OrchestratorConfig.DEFAULTS.leader(),
                OrchestratorConfig.DEFAULTS.autoscaling().withScaleFrontPort(0),
                OrchestratorConfig.DEFAULTS.lifecycle(),
                OrchestratorConfig.DEFAULTS.drain()));
        orchestrator = startReplica(Optional.empty());
    }

    /** Starts another orchestrator replica against the same Consul and Nomad, named {@code replicaId} when given. */
    public Orchestrator startReplica(Optional<String> replicaId)
            throws Exception
    {
        LeaderConfig leader = config.leader();
        OrchestratorConfig replicaConfig = new OrchestratorConfig(config.http(), config.nomad(), config.consul(), config.aws(), config.auth(), config.logging(), config.clusters(),
                new LeaderConfig(replicaId, leader.sessionTtl(), leader.lockDelay(), leader.retryInterval(), leader.watchWait()), config.autoscaling(), config.lifecycle(), config.drain());
        Orchestrator replica = Orchestrator.start(replicaConfig, Clock.systemUTC(), environment).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        synchronized (replicas) {
            replicas.add(replica);
        }
        return replica;
    }

    /** The replica that {@link #call} talks to. */
    public Orchestrator orchestrator()
    {
        return orchestrator;
    }

    /** Stops one replica (it gives up leadership first). */
    public void stopReplica(Orchestrator replica)
            throws InterruptedException
    {
        synchronized (replicas) {
            if (!replicas.remove(replica)) {
                return;
            }
        }
        replica.stop();
    }

    /** Where Nomad (real or simulated) keeps allocation directories: every task process runs below it. */
    public Path dataDir()
    {
        return dataDir;
    }

    /** The orchestrator's API, e.g. {@code http://127.0.0.1:40123}. */
    public String baseUrl()
    {
        return "http://127.0.0.1:" + orchestrator.port();
    }

    /** The Nomad simulator of a unit-test stack. */
    public NomadSimulator nomad()
    {
        if (simulator == null) {
            throw new IllegalStateException("this stack runs on real Nomad: use realNomad()");
        }
        return simulator;
    }

    /** The real Nomad of an integration-test stack ({@link #onRealNomad}). */
    public TestingNomad realNomad()
    {
        if (realNomad == null) {
            throw new IllegalStateException("this stack runs on the Nomad simulator: use nomad()");
        }
        return realNomad;
    }

    /** Nomad's HTTP API, real or simulated. */
    public URI nomadAddress()
    {
        return nomadAddress;
    }

    public ConsulSimulator consul()
    {
        return consul;
    }

    public HttpResponse<String> call(String method, String path, String body)
            throws IOException, InterruptedException
    {
        return call(method, path, body, ADMIN_TOKEN);
    }

    /** A call with {@code token}, none when it is null. */
    public HttpResponse<String> call(String method, String path, String body, String token)
            throws IOException, InterruptedException
    {
        return call(orchestrator, method, path, body, token);
    }

    public HttpResponse<String> call(Orchestrator replica, String method, String path, String body)
            throws IOException, InterruptedException
    {
        return call(replica, method, path, body, ADMIN_TOKEN);
    }

    public HttpResponse<String> call(Orchestrator replica, String method, String path, String body, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A task log of an allocation ({@code trino.stderr.0}, ...) of a stack on real Nomad, read through
     * its client filesystem API as {@code nomad alloc logs} does; "(no log: reason)" when there is none.
     */
    public String allocationLog(String allocId, String file)
            throws InterruptedException
    {
        try {
            return realNomad().allocationFile(allocId, "alloc/logs/" + file);
        }
        catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A call to Nomad's HTTP API, as the Nomad UI or CLI would make it. */
    public HttpResponse<String> callNomad(String method, String path, String body)
            throws IOException, InterruptedException
    {
        return TestingNomad.call(http, nomadAddress, method, path, body);
    }

    /** A call that must be accepted (202) as an operation; waits for the operation to end, and returns it. */
    public JsonObject callAccepted(String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException
    {
        HttpResponse<String> accepted = call(method, path, body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return awaitOperation(accepted, timeout);
    }

    /** Waits for an operation (from a 202 answer) to end, and returns it. */
    public JsonObject awaitOperation(HttpResponse<String> accepted, Duration timeout)
    {
        return awaitOperation(orchestrator, accepted, timeout);
    }

    /** An operation as the API answers it ended SUCCEEDED; the whole operation is the message otherwise. */
    public static void assertSucceeded(JsonObject operation)
    {
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
    }

    /** Waits for an operation (from a 202 answer) to end, asking {@code replica}, and returns it. */
    public JsonObject awaitOperation(Orchestrator replica, HttpResponse<String> accepted, Duration timeout)
    {
        String location = accepted.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in " + accepted.body()));
        return awaitOperationAt(replica, location, timeout);
    }

    /** Waits for the operation {@code id} (e.g. a restart listed in a catalog change's answer) to end, and returns it. */
    public JsonObject awaitOperation(String id, Duration timeout)
    {
        return awaitOperationAt(orchestrator, "/v1/operations/" + id, timeout);
    }

    private JsonObject awaitOperationAt(Orchestrator replica, String location, Duration timeout)
    {
        JsonObject[] last = new JsonObject[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = new JsonObject(call(replica, "GET", location, null).body());
            return !"RUNNING".equals(last[0].getString("state"));
        });
        return last[0];
    }

    @Override
    public void close()
            throws Exception
    {
        try {
            List<Orchestrator> running;
            synchronized (replicas) {
                running = List.copyOf(replicas);
                replicas.clear();
            }
            for (Orchestrator replica : running) {
                replica.stop();
            }
        }
        finally {
            try {
                if (simulator != null) {
                    simulator.close();
                }
                if (realNomad != null) {
                    realNomad.close();
                }
            }
            finally {
                consul.close();
            }
        }
    }
}
