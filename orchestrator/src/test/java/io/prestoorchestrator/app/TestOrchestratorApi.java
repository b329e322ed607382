package io.prestoorchestrator.app;

import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.testing.CapturedLogs;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingLeaderServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TestOrchestratorApi
{
    private static final String ADMIN_TOKEN = "admin-token-5b0c2e9d71";
    private static final String VIEWER_TOKEN = "viewer-token-8f3a61c2d4";
    private static final String UNKNOWN_TOKEN = "unknown-token-17a9c0ffee";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private TestingLeaderServer nomad;
    private TestingLeaderServer consul;
    private Orchestrator orchestrator;
    private boolean stopped;

    @BeforeEach
    void setUp()
            throws Exception
    {
        nomad = new TestingLeaderServer("127.0.0.1:4647");
        consul = new TestingLeaderServer("127.0.0.1:8300");
        orchestrator = Orchestrator.start(config(new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout())))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private OrchestratorConfig config(HttpConfig http)
    {
        return new OrchestratorConfig(
                http,
                new NomadConfig(nomad.address(), Optional.empty(), "global", "default", Duration.ofSeconds(5)),
                new ConsulConfig(consul.address(), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(5)),
                OrchestratorConfig.DEFAULTS.aws(),
                new AuthConfig(List.of(
                        new ApiToken("ops", Role.ADMIN, Secret.of(ADMIN_TOKEN)),
                        new ApiToken("dashboards", Role.VIEWER, Secret.of(VIEWER_TOKEN))), Optional.empty()),
                OrchestratorConfig.DEFAULTS.logging(),
                new ClustersConfig(Path.of("../job-templates").toAbsolutePath().normalize().toString(), Duration.ofMinutes(1)),
                OrchestratorConfig.DEFAULTS.leader(),
                OrchestratorConfig.DEFAULTS.autoscaling().withScaleFrontPort(0),
                OrchestratorConfig.DEFAULTS.lifecycle(),
                OrchestratorConfig.DEFAULTS.drain());
    }

    @AfterEach
    void tearDown()
            throws Exception
    {
        if (!stopped) {
            orchestrator.stop();
        }
        nomad.close();
        consul.close();
    }

    @Test
    void testLiveness()
            throws Exception
    {
        HttpResponse<String> response = get("/health/live", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("UP");
    }

    @Test
    void testReadinessNamesTheDependencyThatIsDown()
            throws Exception
    {
        HttpResponse<String> up = get("/health/ready", null);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(statusOf(up, "nomad")).isEqualTo("UP");
        assertThat(statusOf(up, "consul")).isEqualTo("UP");
        assertThat(check(up, "consul").getJsonObject("data").getString("leader")).isEqualTo("127.0.0.1:8300");

        consul.close();

        HttpResponse<String> down = get("/health/ready", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(down.body()).getString("outcome")).isEqualTo("DOWN");
        assertThat(statusOf(down, "consul")).isEqualTo("DOWN");
        assertThat(check(down, "consul").getJsonObject("data").getString("error")).contains("Connection refused");
        assertThat(statusOf(down, "nomad")).isEqualTo("UP");
    }

    @Test
    void testNomadDownIsNamed()
            throws Exception
    {
        nomad.close();
        HttpResponse<String> down = get("/health/ready", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(statusOf(down, "nomad")).isEqualTo("DOWN");
        assertThat(check(down, "nomad").getJsonObject("data").getString("error")).startsWith("Nomad at http://127.0.0.1:");
        assertThat(statusOf(down, "consul")).isEqualTo("UP");
    }

    @Test
    void testMissingTokenIs401Problem()
            throws Exception
    {
        HttpResponse<String> response = get("/v1/info", null);
        assertProblem(response, 401, "urn:presto-orchestrator:problem:unauthorized");
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"presto-orchestrator\"");
        assertThat(new JsonObject(response.body()).getString("detail")).contains("Authorization: Bearer <token>");
    }

    @Test
    void testWrongTokenIs401Problem()
            throws Exception
    {
        HttpResponse<String> response = get("/v1/info", UNKNOWN_TOKEN);
        assertProblem(response, 401, "urn:presto-orchestrator:problem:unauthorized");
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"presto-orchestrator\", error=\"invalid_token\"");
        assertThat(response.body()).doesNotContain(UNKNOWN_TOKEN);

        HttpResponse<String> basic = send(HttpRequest.newBuilder(uri("/v1/info")).header("Authorization", "Basic b3BzOnNlY3JldA==").GET());
        assertProblem(basic, 401, "urn:presto-orchestrator:problem:unauthorized");
        assertThat(new JsonObject(basic.body()).getString("detail")).contains("Bearer scheme");
    }

    @Test
    void testRightTokenIsServed()
            throws Exception
    {
        HttpResponse<String> response = get("/v1/info", VIEWER_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject info = new JsonObject(response.body());
        assertThat(info.getString("service")).isEqualTo("presto-orchestrator");
        assertThat(info.getString("principal")).isEqualTo("dashboards");
        // this Consul stand-in grants no session, so this replica never leads
        assertThat(info.getString("replica")).isEqualTo(orchestrator.replicaId()).isNotBlank();
        assertThat(info.getBoolean("leader")).isFalse();
        assertThat(get("/metrics", null).body()).contains("orchestrator_leader{replica=\"" + orchestrator.replicaId() + "\"} 0.0");
    }

    @Test
    void testDefaultReplicaIdIsTheHostNameWithASuffix()
    {
        String first = Orchestrator.defaultReplicaId(Map.of("HOSTNAME", "ip-10-0-1-17.ec2.internal"));
        String second = Orchestrator.defaultReplicaId(Map.of("HOSTNAME", "ip-10-0-1-17.ec2.internal"));
        assertThat(first).matches("ip-10-0-1-17\\.ec2\\.internal-[0-9a-f]{6}");
        assertThat(second).isNotEqualTo(first);
        assertThat(Orchestrator.defaultReplicaId(Map.of("HOSTNAME", "weird host/name"))).matches("weird-host-name-[0-9a-f]{6}");
    }

    @Test
    void testRoleTooLowIs403Problem()
            throws Exception
    {
        HttpResponse<String> viewer = get("/v1/config", VIEWER_TOKEN);
        assertProblem(viewer, 403, "urn:presto-orchestrator:problem:forbidden");
        assertThat(new JsonObject(viewer.body()).getString("detail")).isEqualTo("Token 'dashboards' has role viewer; getConfig needs role admin");

        HttpResponse<String> admin = get("/v1/config", ADMIN_TOKEN);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).doesNotContain(ADMIN_TOKEN).doesNotContain(VIEWER_TOKEN).contains("\"token\":\"******\"");
    }

    @Test
    void testHealthAndMetricsArePublicContractIsNot()
            throws Exception
    {
        assertThat(get("/health/ready", null).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(get("/openapi.yaml", null).statusCode()).isEqualTo(401);
        HttpResponse<String> contract = get("/openapi.yaml", VIEWER_TOKEN);
        assertThat(contract.statusCode()).isEqualTo(200);
        assertThat(contract.headers().firstValue("Content-Type")).contains("application/yaml");
        assertThat(contract.body()).startsWith("openapi: 3.1.0").contains("operationId: readiness");
    }

    /**
     * Every operation of the contract that needs a token refuses a request without one, with a
     * wrong one and (admin operations) with a viewer's, at its path and with a trailing slash: the
     * router matches both, and authentication belongs to the route it matched (issue 20, finding 1).
     */
    @Test
    void testEveryProtectedOperationRefusesWithAndWithoutTrailingSlash()
            throws Exception
    {
        OpenAPIContract contract = OpenAPIContract.from(orchestrator.vertx(), Orchestrator.contractForValidation())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int checked = 0;
        for (io.vertx.openapi.contract.Path path : contract.getPaths()) {
            for (Operation operation : path.getOperations()) {
                if (operation.getSecurityRequirements().isEmpty()) {
                    continue;
                }
                String concrete = path.getName().replaceAll("\\{[^}]+}", "demo");
                String method = operation.getHttpMethod().name();
                String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
                String declared = operation.getOpenAPIModel().getString("x-required-role");
                boolean admin = declared != null ? declared.equals("admin") : !method.equals("GET");
                for (String variant : List.of(concrete, concrete + "/")) {
                    String request = method + " " + variant;
                    assertProblem(call(method, variant, body, null), 401, "urn:presto-orchestrator:problem:unauthorized", request + " without a token");
                    assertProblem(call(method, variant, body, UNKNOWN_TOKEN), 401, "urn:presto-orchestrator:problem:unauthorized", request + " with a wrong token");
                    if (admin) {
                        assertProblem(call(method, variant, body, VIEWER_TOKEN), 403, "urn:presto-orchestrator:problem:forbidden", request + " with a viewer token");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).as("protected operations checked").isGreaterThan(40);
        assertThat(call("POST", "/v1/catalogs/", "{\"name\":\"x\",\"connectorName\":\"tpch\"}", null).statusCode()).isEqualTo(401);
    }

    /** No request body is read before the request is authenticated: without a token a body over the limit is a 401 (issue 20, finding 2). */
    @Test
    void testBodyIsReadOnlyAfterAuthentication()
            throws Exception
    {
        String large = "{\"name\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";
        assertProblem(call("POST", "/v1/clusters", large, null), 401, "urn:presto-orchestrator:problem:unauthorized");
        assertProblem(call("POST", "/v1/clusters", large, VIEWER_TOKEN), 403, "urn:presto-orchestrator:problem:forbidden");
        assertProblem(call("POST", "/v1/clusters", large, ADMIN_TOKEN), 413, "urn:presto-orchestrator:problem:payload-too-large");
    }

    /** Multipart file parts are never written to disk, with or without a token (issue 20, finding 2). */
    @Test
    void testFileUploadsAreNotStored()
            throws Exception
    {
        Path uploads = Path.of(io.vertx.ext.web.handler.BodyHandler.DEFAULT_UPLOADS_DIRECTORY);
        TestingFiles.deleteRecursively(uploads);
        String boundary = "b0undary7d3";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                + "z".repeat(64 * 1024) + "\r\n--" + boundary + "--\r\n";
        for (String token : java.util.Arrays.asList(null, ADMIN_TOKEN)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/catalogs")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = send(request);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(token == null ? 401 : 400);
        }
        assertThat(uploads).doesNotExist();
    }

    /**
     * A connection that sends no whole request head within http.header-timeout (of opening, or of its
     * previous answer) is closed, and so is one silent for http.idle-timeout mid-request (issue 20,
     * finding 5). Each check blocks on a read until the server closes; none sleeps.
     */
    @Test
    void testSlowHeadsAndIdleConnectionsAreClosed()
            throws Exception
    {
        Orchestrator strict = Orchestrator.start(config(new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, Duration.ofSeconds(2), Duration.ofSeconds(1))))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            // a head that never ends
            try (Socket socket = socket(strict)) {
                socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(UTF_8));
                assertThat(readToEnd(socket)).isEmpty();
            }
            // a kept-alive connection nobody uses after its answer
            try (Socket socket = socket(strict)) {
                socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(UTF_8));
                assertThat(readToEnd(socket)).startsWith("HTTP/1.1 200 OK").contains("\"status\":\"UP\"");
            }
            // a body that stops coming (read after authentication)
            try (Socket socket = socket(strict)) {
                socket.getOutputStream().write(("POST /v1/catalogs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":").getBytes(UTF_8));
                assertThat(readToEnd(socket)).isEmpty();
            }
            // a connection that keeps sending whole requests is served
            try (Socket socket = socket(strict)) {
                socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(UTF_8));
                assertThat(readToEnd(socket).split("HTTP/1.1 200 OK", -1)).hasSize(3);
            }
        }
        finally {
            strict.stop();
        }
    }

    private static Socket socket(Orchestrator target)
            throws IOException
    {
        Socket socket = new Socket("127.0.0.1", target.port());
        // a bound for the test only: the server's timeouts close these connections well before
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Everything the server sends until it closes the connection; fails when it does not close it. */
    private static String readToEnd(Socket socket)
            throws IOException
    {
        try {
            return new String(socket.getInputStream().readAllBytes(), UTF_8);
        }
        catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        }
    }

    @Test
    void testMetricsIncludeHttpServerRequests()
            throws Exception
    {
        get("/health/live", null);
        String metrics = get("/metrics", null).body();
        assertThat(metrics).contains("vertx_http_server_requests_total").contains("route=\"/health/live\"").contains("jvm_memory_used_bytes");
    }

    @Test
    void testUnknownRouteAndMethodAreProblems()
            throws Exception
    {
        assertProblem(get("/v1/nothing-here", ADMIN_TOKEN), 404, "urn:presto-orchestrator:problem:not-found");
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/v1/info")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertProblem(post, 405, "urn:presto-orchestrator:problem:method-not-allowed");
    }

    /** A 405 says which methods the path has (RFC 9110 requires Allow), with or without a trailing slash (issue 20, finding 5). */
    @Test
    void testMethodNotAllowedNamesTheAllowedMethods()
            throws Exception
    {
        HttpResponse<String> info = call("POST", "/v1/info", "{}", ADMIN_TOKEN);
        assertProblem(info, 405, "urn:presto-orchestrator:problem:method-not-allowed");
        assertThat(info.headers().firstValue("Allow")).contains("GET");
        assertThat(call("DELETE", "/v1/clusters/", null, null).headers().firstValue("Allow")).contains("GET, POST");
        HttpResponse<String> cluster = call("PUT", "/v1/clusters/demo", "{}", null);
        assertProblem(cluster, 405, "urn:presto-orchestrator:problem:method-not-allowed");
        assertThat(cluster.headers().firstValue("Allow")).contains("DELETE, GET, PATCH");
        assertThat(new JsonObject(cluster.body()).getString("detail")).endsWith("allowed: DELETE, GET, PATCH");
    }

    /** A request line too long for the server is a 414 problem document like every other error, not an empty answer (issue 20, finding 5). */
    @Test
    void testUriTooLongIsAProblem()
            throws Exception
    {
        String query = "x".repeat(9000);
        HttpResponse<String> response = get("/v1/info?q=" + query, ADMIN_TOKEN);
        assertProblem(response, 414, "urn:presto-orchestrator:problem:uri-too-long");
        assertThat(new JsonObject(response.body()).getString("detail")).contains("request line");
        assertThat(response.body()).doesNotContain(query);
    }

    @Test
    void testTokensNeverReachTheLog()
            throws Exception
    {
        try (CapturedLogs logs = new CapturedLogs()) {
            get("/v1/info", UNKNOWN_TOKEN);
            get("/v1/info", ADMIN_TOKEN);
            get("/v1/config", VIEWER_TOKEN);
            get("/v1/config", ADMIN_TOKEN);
            assertThat(logs.text())
                    .contains("Refused request with an unknown bearer token")
                    .contains("Refused request: role too low")
                    .doesNotContain(UNKNOWN_TOKEN)
                    .doesNotContain(ADMIN_TOKEN)
                    .doesNotContain(VIEWER_TOKEN);
        }
    }

    @Test
    void testShutdownFinishesInFlightRequestsThenRefusesConnections()
            throws Exception
    {
        // Nomad holds its answer, so the readiness request is in flight until the test lets it finish
        nomad.hold();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(uri("/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(nomad.awaitHeld(Duration.ofSeconds(10))).as("the readiness check reached Nomad").isTrue();
        stopped = true;
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                orchestrator.stop();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        // shutting down: no new connection is taken while the request in flight still waits
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri("/health/live")).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class));
        assertThat(inFlight).isNotDone();
        assertThat(stopping).isNotDone();

        nomad.release();
        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(statusOf(response, "nomad")).isEqualTo("UP");
        stopping.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/health/live")).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type)
    {
        assertProblem(response, status, type, "");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type, String description)
    {
        assertThat(response.statusCode()).as(description + ": " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("type")).isEqualTo(type);
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).isNotBlank();
    }

    private static JsonObject check(HttpResponse<String> response, String id)
    {
        JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            if (id.equals(checks.getJsonObject(i).getString("id"))) {
                return checks.getJsonObject(i);
            }
        }
        throw new AssertionError("no check '" + id + "' in " + response.body());
    }

    private static String statusOf(HttpResponse<String> response, String id)
    {
        return check(response, id).getString("status");
    }

    private HttpResponse<String> get(String path, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> call(String method, String path, String body, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request)
            throws IOException, InterruptedException
    {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path)
    {
        return URI.create("http://127.0.0.1:" + orchestrator.port() + path);
    }
}
