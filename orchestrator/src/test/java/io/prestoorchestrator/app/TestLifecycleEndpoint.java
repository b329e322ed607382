package io.prestoorchestrator.app;

import io.prestoorchestrator.api.ApiRouters;
import io.prestoorchestrator.api.BearerAuthHandler;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.lifecycle.Backoff;
import io.prestoorchestrator.lifecycle.CoordinatorWait;
import io.prestoorchestrator.lifecycle.FakeNomadNodes;
import io.prestoorchestrator.lifecycle.LifecycleEndpoint;
import io.prestoorchestrator.lifecycle.LifecycleHooks;
import io.prestoorchestrator.lifecycle.LifecycleService;
import io.prestoorchestrator.lifecycle.RecordingLifecycleActions;
import io.prestoorchestrator.testing.CapturedLogs;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.prestoorchestrator.testing.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/lifecycle/events} through the service's own router stack: contract, bearer auth, problem+json. */
class TestLifecycleEndpoint
{
    private static final String SECRET = "lifecycle-secret-5f1c2e9a7b";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final long BODY_LIMIT = 1024 * 1024;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<URI> confirmed = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private InMemoryKvStore kv;
    private LifecycleService service;
    private HttpServer server;

    @BeforeEach
    void setUp()
            throws Exception
    {
        vertx = Vertx.vertx();
        kv = new InMemoryKvStore();
        // not the leader: the endpoint only records; nothing drains
        service = new LifecycleService("replica-b", kv, new ClusterRepository(kv), new FakeNomadNodes(), new RecordingLifecycleActions(),
                (worker, cluster, bound, progress) -> new CompletableFuture<>(), CoordinatorWait.disabled(), delay -> new CompletableFuture<>(), Clock.systemUTC(), LifecycleConfig.DEFAULTS,
                Duration.ofMillis(100), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)), Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown()
            throws Exception
    {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void testTerminatingEventsAreAcceptedOnceWithTheSecret()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));

        HttpResponse<String> first = post(resource("direct-terminating.json"), "application/json", "X-Api-Key", SECRET);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(first.body())).isEqualTo(new JsonObject().put("disposition", "accepted").put("instance", "i-0abc1234def567890"));
        assertThat(await(service.record("i-0abc1234def567890")).orElseThrow().via()).isEqualTo("sqs");

        HttpResponse<String> again = post(resource("eventbridge-terminating.json"), "application/json", "X-Api-Key", SECRET);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(again.body()).getString("disposition")).isEqualTo("duplicate");

        String eventBridge = resource("eventbridge-terminating.json").replace("i-0abc1234def567890", "i-0abc1234def5678ff");
        HttpResponse<String> other = post(eventBridge, "application/json", "X-Api-Key", SECRET);
        assertThat(other.statusCode()).isEqualTo(202);
        assertThat(await(service.record("i-0abc1234def5678ff")).orElseThrow().via()).isEqualTo("eventbridge");
    }

    @Test
    void testSnsPostsTextPlainWithTheSecretAsBasicAuthPassword()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("sns:" + SECRET).getBytes(UTF_8));

        HttpResponse<String> response = post(sns(resource("direct-terminating.json")), "text/plain; charset=UTF-8", "Authorization", basic);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(await(service.record("i-0abc1234def567890")).orElseThrow().via()).isEqualTo("sns");

        HttpResponse<String> test = post(sns(resource("test-notification.json")), "text/plain; charset=UTF-8", "Authorization", basic);
        assertThat(test.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(test.body()).getString("disposition")).isEqualTo("test");

        String wrongPassword = "Basic " + Base64.getEncoder().encodeToString("sns:not-the-secret-at-all".getBytes(UTF_8));
        assertThat(post(sns(resource("direct-terminating.json")), "text/plain", "Authorization", wrongPassword).statusCode()).isEqualTo(401);
    }

    @Test
    void testMissingOrWrongSecretIs401WithoutEchoingIt()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));
        try (CapturedLogs logs = new CapturedLogs()) {
            HttpResponse<String> none = post(resource("direct-terminating.json"), "application/json", null, null);
            assertProblem(none, 401, "unauthorized");
            assertThat(none.body()).contains("X-Api-Key");

            HttpResponse<String> wrong = post(resource("direct-terminating.json"), "application/json", "X-Api-Key", "wrong-secret-value-123456");
            assertProblem(wrong, 401, "unauthorized");
            assertThat(wrong.body()).doesNotContain("wrong-secret-value-123456").doesNotContain(SECRET);

            // an admin bearer token is not the lifecycle secret
            HttpResponse<String> bearer = post(resource("direct-terminating.json"), "application/json", "Authorization", "Bearer " + ADMIN_TOKEN);
            assertProblem(bearer, 401, "unauthorized");

            assertThat(logs.text()).doesNotContain("wrong-secret-value-123456").doesNotContain(SECRET).doesNotContain(ADMIN_TOKEN);
        }
        assertThat(await(kv.list("lifecycle/"))).isEmpty();
    }

    /** The secret is checked before the body is read: without it, a body over the limit is a 401, not a 413 (issue 20, finding 2). */
    @Test
    void testSecretIsCheckedBeforeTheBodyIsRead()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));
        String large = "x".repeat((int) BODY_LIMIT * 2);
        assertProblem(post(large, "text/plain", null, null), 401, "unauthorized");
        assertProblem(post(large, "text/plain", "X-Api-Key", "wrong-secret-0000000000"), 401, "unauthorized");
        assertProblem(post(large, "text/plain", "X-Api-Key", SECRET), 413, "payload-too-large");
    }

    @Test
    void testBadInputIsAProblemNamingTheField()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));

        HttpResponse<String> notJson = post("this is not json", "application/json", "X-Api-Key", SECRET);
        assertProblem(notJson, 400, "invalid-input");
        assertThat(field(notJson)).isEqualTo("/");

        String noInstance = resource("eventbridge-terminating.json").replace("\"EC2InstanceId\":\"i-0abc1234def567890\",", "");
        HttpResponse<String> missing = post(noInstance, "application/json", "X-Api-Key", SECRET);
        assertProblem(missing, 400, "invalid-input");
        assertThat(field(missing)).isEqualTo("/detail/EC2InstanceId");

        String badInstance = resource("direct-terminating.json").replace("i-0abc1234def567890", "web-server-7");
        HttpResponse<String> bad = post(badInstance, "application/json", "X-Api-Key", SECRET);
        assertProblem(bad, 400, "invalid-input");
        assertThat(field(bad)).isEqualTo("/EC2InstanceId");
        assertThat(bad.body()).doesNotContain("web-server-7");

        HttpResponse<String> launching = post(resource("direct-terminating.json").replace("TERMINATING", "LAUNCHING"), "application/json", "X-Api-Key", SECRET);
        assertThat(launching.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(launching.body()).getString("disposition")).isEqualTo("ignored");

        assertThat(await(kv.list("lifecycle/"))).isEmpty();
    }

    @Test
    void testSnsSubscriptionIsConfirmedOnlyOnSnsHosts()
            throws Exception
    {
        start(new LifecycleEndpoint(service, Optional.of(Secret.of(SECRET)), "X-Api-Key", this::confirm));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("sns:" + SECRET).getBytes(UTF_8));
        String url = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:lifecycle&Token=2336412f37";

        HttpResponse<String> ok = post(subscription(url), "text/plain", "Authorization", basic);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ok.body()).getString("disposition")).isEqualTo("subscription-confirmed");
        assertThat(confirmed).containsExactly(URI.create(url));

        HttpResponse<String> elsewhere = post(subscription("https://attacker.example.com/?Action=ConfirmSubscription"), "text/plain", "Authorization", basic);
        assertProblem(elsewhere, 422, "invalid-input");
        assertThat(field(elsewhere)).isEqualTo("/SubscribeURL");
        HttpResponse<String> plainHttp = post(subscription(url.replace("https:", "http:")), "text/plain", "Authorization", basic);
        assertProblem(plainHttp, 422, "invalid-input");
        assertThat(confirmed).hasSize(1);
    }

    @Test
    void testNotConfiguredIs404()
            throws Exception
    {
        start(LifecycleHooks.disabledEndpoint(), LifecycleHooks.disabledEndpoint());
        HttpResponse<String> response = post(resource("direct-terminating.json"), "application/json", "X-Api-Key", SECRET);
        assertProblem(response, 404, "not-found");
        assertThat(response.body()).contains("lifecycle.http-secret");

        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        start(new LifecycleEndpoint(service, Optional.empty(), "X-Api-Key", this::confirm));
        assertProblem(post(resource("direct-terminating.json"), "application/json", "X-Api-Key", SECRET), 404, "not-found");
    }

    private CompletableFuture<Void> confirm(URI url)
    {
        confirmed.add(url);
        return CompletableFuture.completedFuture(null);
    }

    private void start(LifecycleEndpoint endpoint)
            throws Exception
    {
        start(endpoint.authentication(), endpoint);
    }

    /** As the orchestrator routes it: {@code authentication} before the body is read (limit 4 KiB here), then {@code endpoint}. */
    private void start(Handler<RoutingContext> authentication, Handler<RoutingContext> endpoint)
            throws Exception
    {
        OpenAPIContract contract = OpenAPIContract.from(vertx, Orchestrator.contractForValidation()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        var bearer = BearerAuthHandler.forTokens(List.of(new ApiToken("ops", Role.ADMIN, Secret.of(ADMIN_TOKEN))));
        RouterBuilder builder = ApiRouters.builder(vertx, contract, BODY_LIMIT,
                operation -> operation.getOperationId().equals(Orchestrator.LIFECYCLE_OPERATION) ? authentication : bearer.apply(operation));
        builder.getRoute(Orchestrator.LIFECYCLE_OPERATION).addHandler(endpoint);
        server = vertx.createHttpServer().requestHandler(ApiRouters.build(builder, contract)).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> post(String body, String contentType, String header, String value)
            throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/lifecycle/events"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (header != null) {
            request.header(header, value);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(new JsonObject(response.body()).getString("type")).isEqualTo("urn:presto-orchestrator:problem:" + type);
    }

    private static String field(HttpResponse<String> response)
    {
        return new JsonObject(response.body()).getJsonArray("errors").getJsonObject(0).getString("field");
    }

    private static String subscription(String url)
    {
        return new JsonObject().put("Type", "SubscriptionConfirmation").put("MessageId", "m-1").put("Token", "2336412f37")
                .put("TopicArn", "arn:aws:sns:us-east-1:123456789012:lifecycle").put("SubscribeURL", url).encode();
    }

    private static String sns(String message)
    {
        return new JsonObject().put("Type", "Notification").put("MessageId", "22b80b92").put("TopicArn", "arn:aws:sns:us-east-1:123456789012:trino-lifecycle")
                .put("Message", message).put("Timestamp", "2026-11-22T03:40:00.456Z").encode();
    }

    private static String resource(String name)
    {
        try (InputStream in = TestLifecycleEndpoint.class.getClassLoader().getResourceAsStream("lifecycle/" + name)) {
            return new String(in.readAllBytes(), UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
