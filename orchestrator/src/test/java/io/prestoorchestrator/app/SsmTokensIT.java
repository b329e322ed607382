package io.prestoorchestrator.app;

import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.testing.CapturedLogs;
import io.prestoorchestrator.testing.TestingMoto;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** API tokens from SSM (chamber-style path, SecureString) against a real moto server. */
class SsmTokensIT
{
    private static final String SSM_TOKEN = "ssm-held-token-7c41e2b9a0";
    private static TestingMoto moto;

    @BeforeAll
    static void startMoto()
            throws Exception
    {
        moto = TestingMoto.start();
        moto.putSecureParameter("/presto-orchestrator/auth-tokens/admin/ci", SSM_TOKEN);
    }

    @AfterAll
    static void stopMoto()
            throws Exception
    {
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void testTokenFromSsmAuthenticatesAndNeverReachesTheLog()
            throws Exception
    {
        OrchestratorConfig config = new OrchestratorConfig(
                new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(5), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout()),
                OrchestratorConfig.DEFAULTS.nomad(),
                OrchestratorConfig.DEFAULTS.consul(),
                new AwsConfig(true, "us-east-1", Optional.of(moto.endpoint()), "/presto-orchestrator", Duration.ofSeconds(10)),
                new AuthConfig(List.of(), Optional.of("/presto-orchestrator/auth-tokens")),
                OrchestratorConfig.DEFAULTS.logging(),
                new ClustersConfig(Path.of("../job-templates").toAbsolutePath().normalize().toString(), Duration.ofMinutes(1)),
                OrchestratorConfig.DEFAULTS.leader(),
                OrchestratorConfig.DEFAULTS.autoscaling().withScaleFrontPort(0),
                OrchestratorConfig.DEFAULTS.lifecycle(),
                OrchestratorConfig.DEFAULTS.drain());
        try (CapturedLogs logs = new CapturedLogs()) {
            Orchestrator orchestrator = Orchestrator.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + orchestrator.port() + "/v1/info"))
                        .header("Authorization", "Bearer " + SSM_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
                assertThat(new JsonObject(info.body()).getString("principal")).isEqualTo("ci");

                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + orchestrator.port() + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.body()).contains("\"id\":\"aws-ssm\",\"status\":\"UP\"").contains("\"id\":\"aws-autoscaling\",\"status\":\"UP\"");
                assertThat(logs.text()).contains("Loaded API tokens from SSM").doesNotContain(SSM_TOKEN);
            }
            finally {
                orchestrator.stop();
            }
        }
    }
}
