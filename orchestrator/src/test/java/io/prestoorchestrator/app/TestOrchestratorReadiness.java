package io.prestoorchestrator.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.testing.TestingLeaderServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /health/ready} with AWS on: with lifecycle hooks on, the hook's SQS queue is one of the dependencies it names. */
class TestOrchestratorReadiness
{
    private static final String QUEUE_URL = "http://127.0.0.1:5001/123456789012/local-lifecycle-hooks";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private TestingLeaderServer nomad;
    private TestingLeaderServer consul;
    private FakeAws aws;
    private Orchestrator orchestrator;

    @BeforeAll
    static void credentials()
    {
        // the SDK's default chain; the fake endpoint checks no signature
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
    }

    @BeforeEach
    void setUp()
            throws Exception
    {
        nomad = new TestingLeaderServer("127.0.0.1:4647");
        consul = new TestingLeaderServer("127.0.0.1:8300");
        aws = new FakeAws();
    }

    @AfterEach
    void tearDown()
            throws Exception
    {
        if (orchestrator != null) {
            orchestrator.stop();
        }
        aws.close();
        nomad.close();
        consul.close();
    }

    @Test
    void testReadinessReadsTheLifecycleQueue()
            throws Exception
    {
        start(new LifecycleConfig(true, Optional.of(QUEUE_URL), Optional.empty(), "X-Lifecycle-Secret", Duration.ofSeconds(20), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofMinutes(15), Duration.ofMinutes(5), LifecycleConfig.Result.CONTINUE,
                Duration.ofMillis(250), Duration.ofSeconds(1)));

        HttpResponse<String> up = ready();
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        JsonObject queue = check(up, "aws-sqs");
        assertThat(queue.getString("status")).isEqualTo("UP");
        assertThat(queue.getJsonObject("data")).isEqualTo(new JsonObject().put("queue", "local-lifecycle-hooks").put("messages", 3).put("inFlight", 1));
        assertThat(aws.queueUrlsAsked).contains(QUEUE_URL);

        aws.queueGone.set(true);
        HttpResponse<String> down = ready();
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        JsonObject missing = check(down, "aws-sqs");
        assertThat(missing.getString("status")).isEqualTo("DOWN");
        assertThat(missing.getJsonObject("data").getString("error"))
                .startsWith("the lifecycle queue local-lifecycle-hooks cannot be read: ")
                .contains("The specified queue does not exist");
        assertThat(check(down, "aws-autoscaling").getString("status")).isEqualTo("UP");
    }

    @Test
    void testNoQueueCheckWithoutLifecycleHooks()
            throws Exception
    {
        start(LifecycleConfig.DEFAULTS);

        HttpResponse<String> up = ready();
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(new JsonObject(up.body()).getJsonArray("checks").stream().map(JsonObject.class::cast).map(check -> check.getString("id")))
                .containsExactlyInAnyOrder("nomad", "consul", "aws-ssm", "aws-autoscaling");
        assertThat(aws.queueUrlsAsked).isEmpty();
    }

    private void start(LifecycleConfig lifecycle)
            throws Exception
    {
        OrchestratorConfig defaults = OrchestratorConfig.DEFAULTS;
        OrchestratorConfig config = new OrchestratorConfig(
                new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout()),
                new NomadConfig(nomad.address(), Optional.empty(), "global", "default", Duration.ofSeconds(5)),
                new ConsulConfig(consul.address(), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(5)),
                new AwsConfig(true, "us-east-1", Optional.of(aws.endpoint()), "/presto-orchestrator", Duration.ofSeconds(5)),
                new AuthConfig(List.of(new ApiToken("ops", Role.ADMIN, Secret.of("admin-token-5b0c2e9d71"))), Optional.empty()),
                defaults.logging(),
                new ClustersConfig(Path.of("../job-templates").toAbsolutePath().normalize().toString(), Duration.ofMinutes(1)),
                defaults.leader(),
                defaults.autoscaling().withScaleFrontPort(0),
                lifecycle,
                defaults.drain());
        orchestrator = Orchestrator.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private HttpResponse<String> ready()
            throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + orchestrator.port() + "/health/ready")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject check(HttpResponse<String> response, String id)
    {
        JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
        return checks.stream().map(JsonObject.class::cast).filter(check -> check.getString("id").equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + id + "' in " + response.body()));
    }

    /** SSM, Auto Scaling and SQS as the SDK calls them: just what the readiness probes ask. */
    private static final class FakeAws
            implements AutoCloseable
    {
        private final HttpServer server;
        private final List<String> queueUrlsAsked = new CopyOnWriteArrayList<>();
        private final AtomicBoolean queueGone = new AtomicBoolean();

        FakeAws()
                throws IOException
        {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        URI endpoint()
        {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void handle(HttpExchange exchange)
                throws IOException
        {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), UTF_8);
            }
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            if (target.equals("AmazonSQS.GetQueueAttributes")) {
                queueUrlsAsked.add(new JsonObject(body).getString("QueueUrl"));
                if (queueGone.get()) {
                    exchange.getResponseHeaders().add("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender");
                    send(exchange, 400, "application/x-amz-json-1.0", "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}");
                    return;
                }
                send(exchange, 200, "application/x-amz-json-1.0", "{\"Attributes\":{\"ApproximateNumberOfMessages\":\"3\",\"ApproximateNumberOfMessagesNotVisible\":\"1\"}}");
            }
            else if (target.equals("AmazonSSM.GetParametersByPath")) {
                send(exchange, 200, "application/x-amz-json-1.1", "{\"Parameters\":[]}");
            }
            else if (body.contains("Action=DescribeAutoScalingGroups")) {
                send(exchange, 200, "text/xml", "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
                        + "<DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult>"
                        + "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>");
            }
            else {
                send(exchange, 400, "text/plain", "not faked: " + target + " " + body);
            }
        }

        private static void send(HttpExchange exchange, int status, String contentType, String text)
                throws IOException
        {
            byte[] bytes = text.getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close()
        {
            server.stop(0);
        }
    }
}
