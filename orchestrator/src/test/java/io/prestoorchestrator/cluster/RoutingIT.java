package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TestingTraefik;
import io.prestoorchestrator.testing.TrinoCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5 end to end: real Traefik on the Consul simulator, real Trino on real Nomad. Two
 * clusters side by side, each answering at its own host; a cluster is not routable until the
 * coordinator counts its minimum of workers (never routed while it counts none as it comes up,
 * also when its coordinator restarts while its only worker drains); a stopped cluster's host answers 404 within
 * Traefik's refresh interval while the other keeps serving; the Trino CLI runs a multi-page query
 * through Traefik (every nextUri hop in Traefik's access log).
 */
class RoutingIT
{
    private static final String DOMAIN = "trino.localhost";
    private static TestingStack stack;
    private static TestingTraefik traefik;

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "TRINO_CLI_JAR", "TRAEFIK_BIN");
        int webPort = TestingTraefik.freePort();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("PRESTO_ORCH_PUBLIC_PORT", Integer.toString(webPort));
        environment.put("PRESTO_ORCH_ROUTE_DOMAIN", DOMAIN);
        stack = TestingStack.onRealNomad(environment);
        traefik = TestingTraefik.start(stack.consul().baseUri(), webPort, Path.of("target", "routing-it"));
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (traefik != null) {
            traefik.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void testClustersAreRoutedByHostBehindTheReadinessGate()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);

        // alpha: watch it come up; Traefik must not route it before the coordinator counts a worker
        HttpResponse<String> alpha = stack.call("POST", "/v1/clusters", "{\"name\":\"alpha\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(alpha.statusCode()).as(alpha.body()).isEqualTo(202);
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<JsonObject> alphaOperation = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.awaitOperation(alpha, Duration.ofMinutes(4));
            }
            finally {
                done.set(true);
            }
        });
        while (!done.get()) {
            samples.add(sample("alpha"));
            Thread.sleep(250);
        }
        assertSucceeded(alphaOperation.join());
        samples.add(sample("alpha"));

        assertThat(samples).as("Traefik routed alpha while its coordinator counted no active worker: %s", samples)
                .noneMatch(sample -> sample.traefikStatus() == 200 && sample.activeWorkersAfter() < 1);
        await("alpha routed after its deploy").atMost(Duration.ofSeconds(10)).until(() -> traefikStatus("alpha") == 200);
        JsonObject routing = cluster("alpha").getJsonObject("status").getJsonObject("routing");
        assertThat(routing.getBoolean("routable")).as(routing.encode()).isTrue();
        assertThat(routing.getString("url")).isEqualTo(publicUrl("alpha"));
        assertThat(routing.getString("reason")).startsWith("ready: the coordinator counts 1 active worker(s), 1 required");

        // the gate holding, seen for sure: whether the sampling above caught alpha's coordinator up before its
        // worker was active is a race (under load the worker can be active by the time the coordinator answers).
        // So: alpha's only worker DRAINING, then its coordinator restarted in place. Unrouted while it is down
        // (the gate drops a coordinator that does not answer), it comes back counting no active worker, and the
        // gate must hold it unrouted until the worker is ACTIVE again
        String worker = onlyWorker("alpha");
        putWorkerState(worker, "DRAINING");
        JsonObject coordinatorAlloc = new JsonArray(stack.callNomad("GET", "/v1/job/trino-alpha/allocations", null).body()).stream().map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("coordinator") && alloc.getString("ClientStatus").equals("running"))
                .findFirst().orElseThrow();
        HttpResponse<String> restarted = stack.callNomad("POST", "/v1/client/allocation/" + coordinatorAlloc.getString("ID") + "/restart", "{}");
        assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
        await("Nomad restarted alpha's coordinator task").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> new JsonObject(stack.callNomad("GET", "/v1/allocation/" + coordinatorAlloc.getString("ID"), null).body())
                        .getJsonObject("TaskStates").getJsonObject("trino").getInteger("Restarts", 0) > 0);
        List<Sample> held = new ArrayList<>();
        await("alpha's coordinator back, counting no active worker, unrouted").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    held.add(sample("alpha"));
                    return held.get(held.size() - 1).coordinatorStarted();
                });
        await("the coordinator's view of its draining worker").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster("alpha").getJsonObject("status").getJsonObject("routing").getString("reason").contains("0 of 1 required active worker(s)"));
        // two gate intervals and Traefik's refresh: the gate has run on the started coordinator and Traefik has read it
        long until = System.nanoTime() + Duration.ofSeconds(4).plus(TestingTraefik.REFRESH_INTERVAL).toNanos();
        while (System.nanoTime() < until) {
            held.add(sample("alpha"));
            Thread.sleep(250);
        }
        assertThat(held).as("Traefik routed alpha while its started coordinator counted no active worker: %s", held)
                .noneMatch(sample -> sample.traefikStatus() == 200 && sample.activeWorkersAfter() < 1);
        assertThat(held.get(held.size() - 1)).as("the coordinator up, no worker active, alpha unrouted: %s", held).isEqualTo(new Sample(true, 404, 0));
        putWorkerState(worker, "ACTIVE");
        await("alpha routed again once its worker is active").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> traefikStatus("alpha") == 200);

        // beta side by side; each host is served by its own coordinator
        HttpResponse<String> beta = stack.call("POST", "/v1/clusters", "{\"name\":\"beta\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(beta.statusCode()).as(beta.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(beta, Duration.ofMinutes(4)));
        await("beta routed").atMost(Duration.ofSeconds(10)).until(() -> traefikStatus("beta") == 200);
        String alphaCoordinator = cluster("alpha").getJsonObject("status").getString("coordinatorUrl");
        String betaCoordinator = cluster("beta").getJsonObject("status").getString("coordinatorUrl");
        assertThat(alphaCoordinator).isNotEqualTo(betaCoordinator);
        assertThat(servingCoordinator("alpha")).isEqualTo(alphaCoordinator);
        assertThat(servingCoordinator("beta")).isEqualTo(betaCoordinator);

        // nextUri points at Traefik's public URL, so clients stay behind it
        HttpResponse<String> statement = traefik.client().send(HttpRequest.newBuilder(URI.create(publicUrl("alpha") + "/v1/statement"))
                .header("X-Trino-User", "routing-it")
                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(statement.statusCode()).as(statement.body()).isEqualTo(200);
        assertThat(new JsonObject(statement.body()).getString("nextUri")).startsWith(publicUrl("alpha") + "/v1/statement/");

        // a multi-page query through Traefik with the Trino CLI
        int before = executingHops("alpha");
        TrinoCli.Result count = cli("alpha", "SELECT count(*) FROM tpch.sf1.lineitem");
        assertThat(count.exitCode()).as(count.output()).isZero();
        assertThat(count.lastLine()).isEqualTo("\"6001215\"");
        assertThat(executingHops("alpha") - before).as("nextUri hops of the CLI's query through Traefik").isGreaterThanOrEqualTo(3);

        // stop alpha: its host goes 404 within the refresh interval; beta keeps serving throughout
        HttpResponse<String> stopped = stack.call("POST", "/v1/clusters/alpha/stop", null);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(202);
        List<TrinoCli.Result> betaQueries = new ArrayList<>();
        await("alpha's routed service deregistered").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
            betaQueries.add(cli("beta", "SELECT count(*) FROM tpch.tiny.nation"));
            return consulInstances("trino-alpha") == 0;
        });
        await("alpha answers 404 from Traefik").atMost(TestingTraefik.REFRESH_INTERVAL.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> traefikStatus("alpha") == 404);
        assertSucceeded(stack.awaitOperation(stopped, Duration.ofMinutes(4)));
        betaQueries.add(cli("beta", "SELECT count(*) FROM tpch.tiny.nation"));
        assertThat(betaQueries).allSatisfy(result -> {
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.lastLine()).isEqualTo("\"25\"");
        });
        assertThat(traefikStatus("beta")).isEqualTo(200);
        JsonObject stoppedRouting = cluster("alpha").getJsonObject("status").getJsonObject("routing");
        assertThat(stoppedRouting.getBoolean("routable")).isFalse();
        assertThat(stoppedRouting.getString("reason")).contains("stopped");
    }

    private record Sample(boolean coordinatorStarted, int traefikStatus, int activeWorkersAfter) {}

    /** The coordinator's own view, then Traefik's answer, then the worker count again (it only grows while creating). */
    private static Sample sample(String cluster)
            throws IOException, InterruptedException
    {
        JsonObject status = cluster(cluster).getJsonObject("status");
        String coordinator = status.getString("coordinatorUrl");
        boolean started = false;
        if (coordinator != null) {
            try {
                HttpResponse<String> info = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/info")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                started = info.statusCode() == 200 && info.body().contains("\"starting\":false");
            }
            catch (IOException e) {
                started = false;
            }
        }
        int routed = traefikStatus(cluster);
        Integer active = cluster(cluster).getJsonObject("status").getInteger("activeWorkers");
        return new Sample(started, routed, active == null ? 0 : active);
    }

    /** The http_uri of the cluster's one worker, from the nodes its coordinator reports. */
    private static String onlyWorker(String cluster)
            throws Exception
    {
        TrinoCli.Result result = cli(cluster, "SELECT http_uri FROM system.runtime.nodes WHERE NOT coordinator");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.lastLine().replace("\"", "");
    }

    /** PUT /v1/info/state as the orchestrator's Trino user, the one the rendered worker access control allows. */
    private static void putWorkerState(String worker, String state)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create(worker + "/v1/info/state")).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").header("X-Trino-User", "presto-orchestrator")
                        .PUT(HttpRequest.BodyPublishers.ofString("\"" + state + "\"")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT %s on %s: %s", state, worker, response.body()).isBetween(200, 299);
    }

    private static int traefikStatus(String cluster)
            throws IOException, InterruptedException
    {
        return traefik.client().send(HttpRequest.newBuilder(URI.create(publicUrl(cluster) + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The coordinator that serves the cluster's host, from the nodes Trino itself reports. */
    private static String servingCoordinator(String cluster)
            throws Exception
    {
        TrinoCli.Result result = cli(cluster, "SELECT http_uri FROM system.runtime.nodes WHERE coordinator");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.lastLine().replace("\"", "");
    }

    private static TrinoCli.Result cli(String cluster, String sql)
            throws IOException, InterruptedException
    {
        return TrinoCli.execute(System.getenv("TRINO_CLI_JAR"), publicUrl(cluster), "routing-it", sql, List.of("--http-proxy", "127.0.0.1:" + traefik.webPort()));
    }

    private static int executingHops(String cluster)
            throws IOException
    {
        return (int) traefik.accessLog().stream()
                .filter(line -> line.contains("/v1/statement/executing/") && line.contains("\"trino-" + cluster + "@consulcatalog\""))
                .count();
    }

    private static int consulInstances(String service)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(stack.consul().baseUri().resolve("/v1/health/service/" + service)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonArray(response.body()).size();
    }

    private static String publicUrl(String cluster)
    {
        return "http://" + cluster + "." + DOMAIN + ":" + traefik.webPort();
    }

    private static JsonObject cluster(String name)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + name, null).body());
    }
}
