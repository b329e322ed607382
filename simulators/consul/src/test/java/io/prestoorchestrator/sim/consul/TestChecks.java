package io.prestoorchestrator.sim.consul;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TestChecks
{
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;

    @BeforeAll
    static void start()
    {
        vertx = Vertx.vertx();
        simulator = ConsulSimulator.builder().port(0)
                .checkReaping(Duration.ofMillis(200), Duration.ZERO)
                .build()
                .startAndWait();
        consul = new ConsulHttp(simulator.baseUri());
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void httpCheckFollowsTheTargetsAnswers()
    {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer backend = vertx.createHttpServer()
                .requestHandler(request -> request.response().setStatusCode(status.get()).end("state " + status.get()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        try {
            register("probe", backend.actualPort(), "\"HTTP\": \"http://127.0.0.1:" + backend.actualPort() + "/health\", \"Interval\": \"200ms\", \"Timeout\": \"1s\"");
            await().atMost(PATIENCE).until(() -> checkStatus("service:probe-1").equals("passing"));
            assertThat(check("service:probe-1").getString("Output"))
                    .isEqualTo("HTTP GET http://127.0.0.1:" + backend.actualPort() + "/health: 200 OK Output: state 200");

            status.set(429);
            await().atMost(PATIENCE).until(() -> checkStatus("service:probe-1").equals("warning"));
            status.set(503);
            await().atMost(PATIENCE).until(() -> checkStatus("service:probe-1").equals("critical"));
            status.set(204);
            await().atMost(PATIENCE).until(() -> checkStatus("service:probe-1").equals("passing"));
        }
        finally {
            backend.close().toCompletionStage().toCompletableFuture().join();
        }
        // the target stops answering: connection refused
        await().atMost(PATIENCE).until(() -> checkStatus("service:probe-1").equals("critical"));
        assertThat(consul.get("/v1/health/service/probe?passing").jsonArray()).isEmpty();
    }

    @Test
    void httpCheckTimesOutAgainstAHangingTarget()
    {
        HttpServer hanging = vertx.createHttpServer()
                .requestHandler(request -> {})
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        try {
            register("hang", hanging.actualPort(), "\"HTTP\": \"http://127.0.0.1:" + hanging.actualPort() + "/\", \"Interval\": \"200ms\", \"Timeout\": \"300ms\", \"Status\": \"passing\"");
            await().atMost(PATIENCE).until(() -> checkStatus("service:hang-1").equals("critical"));
        }
        finally {
            hanging.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void httpsCheckVerifiesCertificatesUnlessTlsSkipVerify()
    {
        SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
        HttpServer tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()))
                .requestHandler(request -> request.response().end("secure"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        try {
            String url = "https://127.0.0.1:" + tls.actualPort() + "/";
            register("tls-skip", tls.actualPort(), "\"HTTP\": \"" + url + "\", \"Interval\": \"200ms\", \"Timeout\": \"2s\", \"TLSSkipVerify\": true");
            register("tls-verify", tls.actualPort(), "\"HTTP\": \"" + url + "\", \"Interval\": \"200ms\", \"Timeout\": \"2s\", \"Status\": \"passing\"");
            await().atMost(PATIENCE).until(() -> checkStatus("service:tls-skip-1").equals("passing"));
            await().atMost(PATIENCE).until(() -> checkStatus("service:tls-verify-1").equals("critical"));
            assertThat(check("service:tls-verify-1").getString("Output")).startsWith("HTTP GET " + url + ": ").containsIgnoringCase("ssl");
        }
        finally {
            tls.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void tcpCheck()
    {
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.close())
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        int port = server.actualPort();
        register("tcp", port, "\"TCP\": \"127.0.0.1:" + port + "\", \"Interval\": \"200ms\"");
        await().atMost(PATIENCE).until(() -> checkStatus("service:tcp-1").equals("passing"));
        server.close().toCompletionStage().toCompletableFuture().join();
        await().atMost(PATIENCE).until(() -> checkStatus("service:tcp-1").equals("critical"));
    }

    @Test
    void ttlCheckUpdatesAndExpiry()
    {
        register("ttl", 1, "\"CheckID\": \"ttl-check\", \"TTL\": \"2s\"");
        assertThat(checkStatus("ttl-check")).isEqualTo("critical");

        assertThat(consul.put("/v1/agent/check/pass/ttl-check?note=all%20good", null).status()).isEqualTo(200);
        assertThat(check("ttl-check").getString("Status")).isEqualTo("passing");
        assertThat(check("ttl-check").getString("Output")).isEqualTo("all good");

        consul.put("/v1/agent/check/warn/ttl-check", null);
        assertThat(checkStatus("ttl-check")).isEqualTo("warning");
        consul.put("/v1/agent/check/update/ttl-check", "{\"Status\": \"passing\", \"Output\": \"from update\"}");
        assertThat(check("ttl-check").getString("Output")).isEqualTo("from update");

        await().atMost(PATIENCE).until(() -> checkStatus("ttl-check").equals("critical"));
        assertThat(check("ttl-check").getString("Output")).isEqualTo("TTL expired");

        ConsulHttp.Response badStatus = consul.put("/v1/agent/check/update/ttl-check", "{\"Status\": \"meh\"}");
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.body()).isEqualTo("Invalid check status: 'meh'");
    }

    @Test
    void ttlUpdatesOnWrongChecks()
    {
        ConsulHttp.Response unknown = consul.put("/v1/agent/check/pass/no-such-check", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("Unknown check ID \"no-such-check\". Ensure that the check ID is passed, not the check name.");

        register("nottl", 1, "\"CheckID\": \"http-not-ttl\", \"HTTP\": \"http://127.0.0.1:1/\", \"Interval\": \"10s\"");
        ConsulHttp.Response notTtl = consul.put("/v1/agent/check/pass/http-not-ttl", null);
        assertThat(notTtl.status()).isEqualTo(500);
        assertThat(notTtl.body()).isEqualTo("CheckID \"http-not-ttl\" does not have associated TTL");
    }

    @Test
    void serviceIsDeregisteredWhenCriticalTooLong()
    {
        register("doomed", 1, "\"TTL\": \"60s\", \"DeregisterCriticalServiceAfter\": \"1s\"");
        await().atMost(PATIENCE).until(() -> !consul.get("/v1/agent/services").json().containsKey("doomed-1"));
        assertThat(consul.get("/v1/catalog/service/doomed").jsonArray()).isEmpty();
    }

    @Test
    void scriptChecksAreRefusedAsOnADefaultAgent()
    {
        ConsulHttp.Response script = consul.put("/v1/agent/service/register", """
                {"ID": "script-1", "Name": "script", "Port": 1, "Check": {"Args": ["/bin/true"], "Interval": "10s"}}
                """);
        assertThat(script.status()).isEqualTo(500);
        assertThat(script.body()).startsWith("Scripts are disabled on this agent");
        assertThat(consul.get("/v1/agent/services").json().containsKey("script-1")).isFalse();
    }

    private static void register(String name, int port, String checkFields)
    {
        ConsulHttp.Response response = consul.put("/v1/agent/service/register",
                "{\"ID\": \"" + name + "-1\", \"Name\": \"" + name + "\", \"Port\": " + port + ", \"Address\": \"127.0.0.1\", \"Check\": {" + checkFields + "}}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static JsonObject check(String checkId)
    {
        return consul.get("/v1/agent/checks").json().getJsonObject(checkId);
    }

    private static String checkStatus(String checkId)
    {
        return check(checkId).getString("Status");
    }
}
