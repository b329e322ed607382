package io.prestoorchestrator.app;

import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.CapturedLogs;
import io.prestoorchestrator.testing.TestingMoto;
import io.prestoorchestrator.testing.TestingNomad;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster secrets through a real moto SSM: a catalog that refers to a parameter that does not exist
 * is refused with a 422 naming the path and nothing is stored or deployed; once the parameter
 * exists, the value reaches the Nomad Variable the task reads and nothing else (job, API, log), and
 * real Nomad 1.6.1 renders it into the catalog file of the allocation from that variable.
 */
class SsmRenderingIT
{
    private static final String ADMIN = "ssm-rendering-admin-token";
    private static final String PASSWORD_PATH = "/presto-orchestrator/catalogs/warehouse/connection-password";
    private static final String PASSWORD = "pg-secret-value-51c9e0";

    private static TestingMoto moto;
    private static ConsulSimulator consul;
    private static TestingNomad nomad;
    private static Orchestrator orchestrator;
    private static CapturedLogs logs;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start()
            throws Exception
    {
        moto = TestingMoto.start();

        Path dir = Files.createTempDirectory("ssm-rendering-it");
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        nomad = TestingNomad.start(dir.resolve("nomad"), consul);
        OrchestratorConfig config = new OrchestratorConfig(
                new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout()),
                new NomadConfig(nomad.address(), Optional.empty(), "global", "default", Duration.ofSeconds(10)),
                new ConsulConfig(consul.baseUri(), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(10)),
                new AwsConfig(true, "us-east-1", Optional.of(moto.endpoint()), "/presto-orchestrator", Duration.ofSeconds(10)),
                new AuthConfig(List.of(new ApiToken("ops", Role.ADMIN, Secret.of(ADMIN))), Optional.empty()),
                OrchestratorConfig.DEFAULTS.logging(),
                new ClustersConfig(Path.of("../job-templates").toAbsolutePath().normalize().toString(), Duration.ofMinutes(1)),
                OrchestratorConfig.DEFAULTS.leader(),
                OrchestratorConfig.DEFAULTS.autoscaling().withScaleFrontPort(0),
                OrchestratorConfig.DEFAULTS.lifecycle(),
                OrchestratorConfig.DEFAULTS.drain());
        logs = new CapturedLogs();
        // no Trino needed: the tasks fail to start, which this test does not wait for
        orchestrator = Orchestrator.start(config, Clock.systemUTC(), Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk"))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (orchestrator != null) {
            orchestrator.stop();
        }
        if (logs != null) {
            logs.close();
        }
        if (nomad != null) {
            nomad.close();
        }
        if (consul != null) {
            consul.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void testMissingParameterIsNamedAndThenTheSecretReachesOnlyTheNomadVariable()
            throws Exception
    {
        HttpResponse<String> catalog = call("POST", "/v1/catalogs", """
                {"name":"warehouse","connectorName":"postgresql",
                 "properties":{"connection-url":"jdbc:postgresql://db.internal:5432/warehouse","connection-user":"trino"},
                 "secretProperties":{"connection-password":"ssm:%s"}}""".formatted(PASSWORD_PATH));
        assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(201);

        String cluster = "{\"name\":\"etl\",\"catalogs\":[\"warehouse\"]}";
        HttpResponse<String> refused = call("POST", "/v1/clusters", cluster);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonObject problem = new JsonObject(refused.body());
        assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("/catalogs");
        assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("message"))
                .contains("SSM parameter " + PASSWORD_PATH).contains("does not exist");
        assertThat(call("GET", "/v1/clusters/etl", null).statusCode()).as("nothing stored").isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(nomad.address() + "/v1/job/trino-etl")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("nothing deployed").isEqualTo(404);

        moto.putSecureParameter(PASSWORD_PATH, PASSWORD);
        HttpResponse<String> accepted = call("POST", "/v1/clusters", cluster);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        // the value lands in the Nomad Variable the task templates read
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> variable = http.send(HttpRequest.newBuilder(URI.create(nomad.address() + "/v1/var/nomad/jobs/trino-etl")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(variable.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(variable.body()).getJsonObject("Items").getMap().values()).contains(PASSWORD);
        });
        // and nowhere else: not in the job Nomad shows, the API's job, the events, or a log line
        // (a deploy writes the variable first, then registers the job)
        HttpResponse<String> nomadJob = await().atMost(Duration.ofSeconds(30)).until(
                () -> http.send(HttpRequest.newBuilder(URI.create(nomad.address() + "/v1/job/trino-etl")).build(), HttpResponse.BodyHandlers.ofString()),
                response -> response.statusCode() == 200);
        assertThat(nomadJob.body()).doesNotContain(PASSWORD).contains("nomadVar");
        assertThat(call("GET", "/v1/clusters/etl/job", null).body()).doesNotContain(PASSWORD);
        assertThat(call("GET", "/v1/clusters/etl/events", null).body()).doesNotContain(PASSWORD);
        assertThat(new JsonObject(nomadJob.body()).getJsonObject("Meta").getString("orchestrator_ssm_versions")).contains(PASSWORD_PATH + "=1");
        assertThat(logs.text()).doesNotContain(PASSWORD);

        // the catalog file only names the secret (Trino resolves ${ENV:...} on the node, and CREATE CATALOG carries the same
        // reference, so Trino's query history never holds the value: issue 18)...
        String coordinator = await().atMost(Duration.ofSeconds(60)).until(() -> new JsonArray(
                        http.send(HttpRequest.newBuilder(URI.create(nomad.address() + "/v1/job/trino-etl/allocations")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .stream().map(JsonObject.class::cast).filter(alloc -> alloc.getString("TaskGroup").equals("coordinator")).map(alloc -> alloc.getString("ID")).findFirst(),
                Optional::isPresent).orElseThrow();
        String rendered = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> nomad.allocationFile(coordinator, "trino/local/etc/catalog/warehouse.properties"), text -> text.contains("connection-password"));
        assertThat(rendered).contains("connection-password=${ENV:TRINO_CATALOG_WAREHOUSE__CONNECTION_PASSWORD}").contains("connection-user=trino")
                .doesNotContain(PASSWORD);
        // ...and Nomad's template runner read the variable (workload identity, no token of ours) into the task's env
        // file, in its secrets dir (which Nomad's fs API does not serve: read from the agent's data dir)
        String environment = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Stream<Path> files = Files.walk(nomad.dir())) {
                Path env = files.filter(file -> file.endsWith(Path.of(coordinator, "trino", "secrets", "catalog-secrets.env"))).findFirst().orElseThrow();
                return Files.readString(env);
            }
        }, text -> text.contains("TRINO_CATALOG_WAREHOUSE__CONNECTION_PASSWORD"));
        assertThat(environment).contains("TRINO_CATALOG_WAREHOUSE__CONNECTION_PASSWORD=\"" + PASSWORD + "\"");
    }

    private static HttpResponse<String> call(String method, String path, String body)
            throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + orchestrator.port() + path))
                .header("Authorization", "Bearer " + ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
