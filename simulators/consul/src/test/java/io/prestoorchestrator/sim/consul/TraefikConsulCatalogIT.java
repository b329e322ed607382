package io.prestoorchestrator.sim.consul;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proof by a real client: Traefik's Consul Catalog provider, pointed at the simulator, routes to a
 * registered backend, and stops routing after deregistration and after the backend's check goes
 * critical. Needs the real Traefik binary: TRAEFIK_BIN (exported by the env.sh that
 * scripts/setup.sh writes).
 */
class TraefikConsulCatalogIT
{
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Vertx vertx;
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;
    private static Process traefik;
    private static Path traefikLog;
    private static int webPort;

    @BeforeAll
    static void start()
            throws IOException
    {
        String traefikBin = System.getenv("TRAEFIK_BIN");
        assertThat(traefikBin)
                .as("TRAEFIK_BIN is not set: run scripts/setup.sh and source $HOME/.cache/presto-orchestrator/env.sh (it installs the traefik-bin package and exports TRAEFIK_BIN)")
                .isNotBlank();
        assertThat(new File(traefikBin).canExecute())
                .as("TRAEFIK_BIN=%s is not an executable file: run scripts/setup.sh", traefikBin)
                .isTrue();

        vertx = Vertx.vertx();
        simulator = ConsulSimulator.builder().port(0).nodeName("traefik-it").build().startAndWait();
        consul = new ConsulHttp(simulator.baseUri());

        webPort = freePort();
        int pingPort = freePort();
        Path logDir = Path.of("target", "traefik-it");
        Files.createDirectories(logDir);
        traefikLog = logDir.resolve("traefik-" + ProcessHandle.current().pid() + ".log");
        traefik = new ProcessBuilder(List.of(
                traefikBin,
                "--global.checkNewVersion=false",
                "--global.sendAnonymousUsage=false",
                "--log.level=DEBUG",
                "--entryPoints.web.address=127.0.0.1:" + webPort,
                "--entryPoints.traefik.address=127.0.0.1:" + pingPort,
                "--ping=true",
                "--ping.entryPoint=traefik",
                "--providers.consulCatalog=true",
                "--providers.consulCatalog.endpoint.address=" + simulator.hostAndPort(),
                "--providers.consulCatalog.exposedByDefault=false",
                "--providers.consulCatalog.refreshInterval=1s"))
                .redirectErrorStream(true)
                .redirectOutput(traefikLog.toFile())
                .start();
        System.out.println("Started Traefik pid=" + traefik.pid() + " web=127.0.0.1:" + webPort + " log=" + traefikLog.toAbsolutePath());

        URI ping = URI.create("http://127.0.0.1:" + pingPort + "/ping");
        await("Traefik ping at " + ping).atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(traefik.isAlive()).as("Traefik exited early, see %s", traefikLog).isTrue();
                    return status(ping, null) == 200;
                });
    }

    @AfterAll
    static void stop()
            throws InterruptedException
    {
        try {
            if (traefik != null) {
                traefik.destroy();
                if (!traefik.waitFor(20, TimeUnit.SECONDS)) {
                    traefik.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                System.out.println("Stopped Traefik pid=" + traefik.pid() + " exit=" + traefik.exitValue());
            }
        }
        finally {
            if (simulator != null) {
                System.out.println("Consul endpoints Traefik and the test called: " + simulator.requests().endpoints());
                simulator.close();
            }
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().join();
            }
        }
    }

    @Test
    void routesToTheRegisteredBackendUntilDeregistered()
    {
        HttpServer backend = backend("backend c1", new AtomicInteger(200));
        register("c1", backend.actualPort());

        await("route to c1").atMost(PATIENCE).until(() -> status(routed(), "c1.example.test") == 200);
        assertThat(body("c1.example.test")).isEqualTo("backend c1");

        assertThat(consul.put("/v1/agent/service/deregister/c1-1", null).status()).isEqualTo(200);

        await("c1 unrouted after deregistration").atMost(PATIENCE).until(() -> status(routed(), "c1.example.test") == 404);
        close(backend);
    }

    @Test
    void stopsRoutingWhenTheBackendsCheckGoesCritical()
    {
        AtomicInteger health = new AtomicInteger(200);
        HttpServer backend = backend("backend c2", health);
        register("c2", backend.actualPort());
        await("route to c2").atMost(PATIENCE).until(() -> status(routed(), "c2.example.test") == 200);

        health.set(503);
        await("check critical").atMost(PATIENCE).until(() -> consul.get("/v1/health/checks/c2").jsonArray().getJsonObject(0).getString("Status").equals("critical"));
        await("c2 unrouted while critical").atMost(PATIENCE).until(() -> status(routed(), "c2.example.test") == 404);

        health.set(200);
        await("c2 routed again once passing").atMost(PATIENCE).until(() -> status(routed(), "c2.example.test") == 200);
        close(backend);
    }

    @Test
    void stopsRoutingWhenTheBackendDies()
    {
        HttpServer backend = backend("backend c3", new AtomicInteger(200));
        register("c3", backend.actualPort());
        await("route to c3").atMost(PATIENCE).until(() -> status(routed(), "c3.example.test") == 200);

        close(backend);

        await("c3 unrouted after its backend died").atMost(PATIENCE).until(() -> status(routed(), "c3.example.test") == 404);
        assertThat(simulator.requests().unknownCalls()).as("endpoints Traefik called that the simulator does not know").isEmpty();
        assertThat(simulator.requests().endpoints()).contains("GET /v1/catalog/services", "GET /v1/health/service/{suffix}?tag");
    }

    private static void register(String name, int port)
    {
        ConsulHttp.Response response = consul.put("/v1/agent/service/register", """
                {"ID": "%1$s-1", "Name": "%1$s", "Address": "127.0.0.1", "Port": %2$d,
                 "Tags": ["traefik.enable=true",
                          "traefik.http.routers.%1$s.rule=Host(`%1$s.example.test`)",
                          "traefik.http.routers.%1$s.entrypoints=web",
                          "traefik.http.services.%1$s.loadbalancer.server.port=%2$d"],
                 "Checks": [{"Name": "%1$s health", "HTTP": "http://127.0.0.1:%2$d/health", "Interval": "500ms", "Timeout": "1s"}]}
                """.formatted(name, port));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    /**
     * A backend answering "/health" with the given status and everything else with {@code text}.
     */
    private static HttpServer backend(String text, AtomicInteger health)
    {
        return vertx.createHttpServer()
                .requestHandler(request -> {
                    if (request.path().equals("/health")) {
                        request.response().setStatusCode(health.get()).end("health " + health.get());
                    }
                    else {
                        request.response().end(text);
                    }
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
    }

    private static void close(HttpServer server)
    {
        server.close().toCompletionStage().toCompletableFuture().join();
    }

    private static URI routed()
    {
        return URI.create("http://127.0.0.1:" + webPort + "/");
    }

    private static int status(URI uri, String host)
    {
        try {
            return HTTP.send(request(uri, host), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String body(String host)
    {
        try {
            return HTTP.send(request(routed(), host), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpRequest request(URI uri, String host)
    {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        if (host != null) {
            // java.net.http restricts "Host"; jdk.httpclient.allowRestrictedHeaders=host is set for the failsafe JVM
            builder.header("Host", host);
        }
        return builder.build();
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
