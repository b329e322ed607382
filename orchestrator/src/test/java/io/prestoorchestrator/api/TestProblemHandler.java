package io.prestoorchestrator.api;

import io.prestoorchestrator.error.AuthenticationException;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.ForbiddenException;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestProblemHandler
{
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Vertx vertx;
    private static HttpServer server;

    @BeforeAll
    static void start()
            throws Exception
    {
        vertx = Vertx.vertx();
        OpenAPIContract contract = testContract(vertx);
        // the test contract's operations are public
        RouterBuilder builder = ApiRouters.builder(vertx, contract, 2048, operation -> RoutingContext::next);
        builder.getRoute("createThing").addHandler(context -> context.response().setStatusCode(201).end());
        builder.getRoute("getThing").addHandler(context -> {
            switch (context.pathParam("name")) {
                case "invalid" -> throw InvalidInputException.malformed("/workers/max", "must be at least workers.min (2)");
                case "unprocessable" -> throw InvalidInputException.unprocessable("/jvm/heap", "query.max-memory-per-node 6GB does not fit heap 4GB; raise jvm.heap");
                case "missing" -> throw new NotFoundException("Cluster 'adhoc' does not exist");
                case "conflict" -> throw new ConflictException("Cluster 'adhoc' was changed concurrently; re-read it and retry");
                case "nomad-down" -> throw new DependencyException("nomad", "Nomad at http://127.0.0.1:4646 cannot be reached", true, null);
                case "nomad-error" -> throw new DependencyException("nomad", "Nomad answered 500: rpc error", false, null);
                case "unauthenticated" -> throw new AuthenticationException("The bearer token is not valid", true);
                case "forbidden" -> throw new ForbiddenException("viewer may not do this");
                case "bug" -> throw new IllegalStateException("internal detail that must not leak");
                default -> context.response().end("ok");
            }
        });
        Router router = ApiRouters.build(builder, contract);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** {@code test-contract.yaml}: one operation with a body, one with a path and a query parameter. */
    static OpenAPIContract testContract(Vertx vertx)
            throws Exception
    {
        String yaml = Files.readString(Path.of(TestProblemHandler.class.getResource("/test-contract.yaml").toURI()));
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        JsonObject contractJson = new JsonObject(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(mapper.readTree(yaml)));
        return OpenAPIContract.from(vertx, contractJson).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void testSchemaViolationNamesTheField()
            throws Exception
    {
        JsonObject problem = problem(post("/things", "{\"name\":\"Bad Name!\",\"count\":3}"), 400, "invalid-input");
        JsonArray errors = problem.getJsonArray("errors");
        assertThat(errors).isNotNull();
        assertThat(errors.stream().map(JsonObject.class::cast).map(error -> error.getString("field"))).contains("/name");
        assertThat(problem.getString("detail")).contains("/name");
    }

    @Test
    void testOutOfRangeAndMissingFields()
            throws Exception
    {
        JsonObject range = problem(post("/things", "{\"name\":\"ok\",\"count\":99}"), 400, "invalid-input");
        assertThat(range.getJsonArray("errors").stream().map(JsonObject.class::cast).map(error -> error.getString("field"))).contains("/count");

        JsonObject missing = problem(post("/things", "{\"name\":\"ok\"}"), 400, "invalid-input");
        assertThat(missing.getJsonArray("errors").encode()).contains("count");
    }

    @Test
    void testUnknownFieldRejected()
            throws Exception
    {
        JsonObject problem = problem(post("/things", "{\"name\":\"ok\",\"count\":1,\"colour\":\"red\"}"), 400, "invalid-input");
        assertThat(problem.getJsonArray("errors").encode()).contains("colour");
    }

    @Test
    void testMalformedJsonAndQueryParameter()
            throws Exception
    {
        problem(post("/things", "{\"name\":"), 400, "invalid-input");
        JsonObject query = problem(get("/things/x?limit=zero"), 400, "invalid-input");
        assertThat(query.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("limit");
    }

    @Test
    void testValidRequestPasses()
            throws Exception
    {
        assertThat(post("/things", "{\"name\":\"ok\",\"count\":1}").statusCode()).isEqualTo(201);
    }

    @Test
    void testEachExceptionKind()
            throws Exception
    {
        JsonObject invalid = problem(get("/things/invalid"), 400, "invalid-input");
        assertThat(invalid.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("/workers/max");
        JsonObject unprocessable = problem(get("/things/unprocessable"), 422, "invalid-input");
        assertThat(unprocessable.getJsonArray("errors").getJsonObject(0).getString("message")).contains("raise jvm.heap");
        problem(get("/things/missing"), 404, "not-found");
        problem(get("/things/conflict"), 409, "conflict");
        assertThat(problem(get("/things/nomad-down"), 503, "dependency-unavailable").getString("dependency")).isEqualTo("nomad");
        assertThat(problem(get("/things/nomad-error"), 502, "dependency-failed").getString("dependency")).isEqualTo("nomad");
        HttpResponse<String> unauthenticated = get("/things/unauthenticated");
        problem(unauthenticated, 401, "unauthorized");
        assertThat(unauthenticated.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"presto-orchestrator\", error=\"invalid_token\"");
        problem(get("/things/forbidden"), 403, "forbidden");
    }

    @Test
    void testUnexpectedFailureHidesInternals()
            throws Exception
    {
        JsonObject problem = problem(get("/things/bug"), 500, "internal");
        assertThat(problem.getString("detail")).doesNotContain("internal detail").contains(problem.getString("incident"));
    }

    @Test
    void testBodyTooLarge()
            throws Exception
    {
        problem(post("/things", "{\"name\":\"" + "a".repeat(4096) + "\",\"count\":1}"), 413, "payload-too-large");
    }

    @Test
    void testRoutingErrors()
            throws Exception
    {
        problem(get("/nowhere"), 404, "not-found");
        HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(uri("/things")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        problem(delete, 405, "method-not-allowed");
    }

    private static JsonObject problem(HttpResponse<String> response, int status, String type)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains(ProblemHandler.CONTENT_TYPE);
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("type")).isEqualTo("urn:presto-orchestrator:problem:" + type);
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("instance")).isEqualTo(response.uri().getPath());
        return problem;
    }

    private static HttpResponse<String> post(String path, String body)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path)
    {
        return URI.create("http://127.0.0.1:" + server.actualPort() + path);
    }
}
