package io.prestoorchestrator.autoscaling;


import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.error.ConflictException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link ScaleFront} between nomad-autoscaler's Nomad target (requests shaped as its Go client sends them) and a stand-in Nomad that records what reaches it. */
class TestScaleFront
{
    private static final String AGENT_TOKEN = "agent-token-1234";
    /** What nomad-autoscaler 0.5.0's Nomad target sends: Jobs().Scale(job, group, &count, reason, false, meta). */
    private static final String AGENT_SCALE = """
            {"Count": %s, "Target": {"Job": "%s", "Group": "%s"}, "Error": false, "Message": "scaling up because metric is 3",
             "Meta": {"nomad_autoscaler.count.capped": false, "nomad_autoscaler.count.original": 3, "nomad_autoscaler.reason_history": []},
             "PolicyOverride": false, "JobModifyIndex": 0}
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> nomadRequests = new CopyOnWriteArrayList<>();
    private final List<JsonObject> nomadBodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger nomadScaleStatus = new AtomicInteger(200);
    private final List<String> autoscaled = new CopyOnWriteArrayList<>();
    private final AtomicReference<CompletionStage<Autoscaled>> outcome = new AtomicReference<>();
    private final AtomicReference<OptionalInt> specWorkers = new AtomicReference<>(OptionalInt.of(3));
    private Vertx vertx;
    private HttpServer nomad;
    private HttpServer front;

    @BeforeEach
    void setUp()
    {
        vertx = Vertx.vertx();
        nomad = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            nomadRequests.add(request.method() + " " + request.uri() + " token=" + request.getHeader("X-Nomad-Token"));
            if (body.length() > 0) {
                nomadBodies.add(body.toJsonObject());
            }
            if (request.method().name().equals("GET")) {
                request.response().putHeader("X-Nomad-Index", "42").putHeader("X-Nomad-KnownLeader", "true").putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("JobID", "trino-demo").put("JobStopped", false).put("TaskGroups", new JsonObject()
                                .put("workers", new JsonObject().put("Desired", 3).put("Placed", 3).put("Running", 3).put("Events", new JsonArray()))
                                .put("coordinator", new JsonObject().put("Desired", 1).put("Running", 1))).encode());
            }
            else if (nomadScaleStatus.get() == 200) {
                request.response().putHeader("X-Nomad-Index", "43").putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("EvalID", "").put("Index", 43).encode());
            }
            else {
                request.response().setStatusCode(nomadScaleStatus.get()).end("Permission denied");
            }
        })).listen(0, "127.0.0.1").toCompletionStage());
        NomadConfig config = new NomadConfig(URI.create("http://127.0.0.1:" + nomad.actualPort()), Optional.empty(), "global", "default", Duration.ofSeconds(5));
        Autoscaler autoscaler = new Autoscaler()
        {
            @Override
            public CompletionStage<Autoscaled> autoscale(String cluster, int count, String reason, Supplier<CompletionStage<Void>> approve)
            {
                autoscaled.add(cluster + " " + count + " " + reason);
                CompletionStage<Autoscaled> answer = outcome.get();
                if (answer == null) {
                    // like ClusterService: approve, then change
                    return approve.get().thenApply(approved -> {
                        autoscaled.add("applied");
                        return new Autoscaled(Optional.of("op-1"), true);
                    });
                }
                return answer;
            }

            @Override
            public CompletionStage<OptionalInt> specWorkers(String cluster)
            {
                return CompletableFuture.completedFuture(cluster.equals("demo") ? specWorkers.get() : OptionalInt.empty());
            }
        };
        ScaleFront scaleFront = new ScaleFront(vertx, WebClient.create(vertx), config, autoscaler, cluster -> Optional.empty());
        front = await(vertx.createHttpServer().requestHandler(scaleFront.router()).listen(0, "127.0.0.1").toCompletionStage());
    }

    @AfterEach
    void tearDown()
    {
        await(vertx.close().toCompletionStage());
    }

    @Test
    void testAScaleOfAClustersWorkersBecomesTheOrchestratorsResize()
            throws Exception
    {
        HttpResponse<String> response = scale("trino-demo", "workers", "3");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(autoscaled).containsExactly("demo 3 scaling up because metric is 3; signal: not computed yet", "applied");
        // the agent's decision, recorded in Nomad with its own token and without a count (which changes nothing there)
        assertThat(nomadRequests).containsExactly("PUT /v1/job/trino-demo/scale token=" + AGENT_TOKEN);
        JsonObject recorded = nomadBodies.get(0);
        assertThat(recorded.getValue("Count")).isNull();
        assertThat(recorded.getBoolean("Error")).isFalse();
        assertThat(recorded.getString("Message")).isEqualTo("scaling up because metric is 3");
        assertThat(recorded.getJsonObject("Target").getString("Group")).isEqualTo("workers");
        assertThat(recorded.getJsonObject("Meta").getInteger(ScaleFront.REQUESTED_COUNT)).isEqualTo(3);
        assertThat(recorded.getJsonObject("Meta").getInteger("nomad_autoscaler.count.original")).isEqualTo(3);
        // what the agent's Go client needs: a JobRegisterResponse and an index
        assertThat(response.headers().firstValue("X-Nomad-Index")).contains("43");
        JsonObject answer = new JsonObject(response.body());
        assertThat(answer.getString("EvalID")).isEmpty();
        assertThat(answer.getString("Warnings")).contains("operation op-1 resizes cluster demo to 3 worker(s)");
    }

    @Test
    void testNomadRefusingTheAgentsTokenRefusesTheResize()
            throws Exception
    {
        nomadScaleStatus.set(403);

        HttpResponse<String> response = scale("trino-demo", "workers", "3");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("Permission denied");
        assertThat(autoscaled).as("asked, not applied").containsExactly("demo 3 scaling up because metric is 3; signal: not computed yet");
    }

    @Test
    void testARefusedResizeIsAnErrorTheAgentRetries()
            throws Exception
    {
        outcome.set(CompletableFuture.failedFuture(new ConflictException("Cluster 'demo' has operation op-0 in progress: wait for it")));

        HttpResponse<String> response = scale("trino-demo", "workers", "3");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).isEqualTo("presto-orchestrator refused to scale job trino-demo group workers to 3: Cluster 'demo' has operation op-0 in progress: wait for it");
        assertThat(nomadRequests).as("nothing recorded in Nomad").isEmpty();
    }

    @Test
    void testTheCountInProgressAlreadyAnswersWithoutRecordingAgain()
            throws Exception
    {
        outcome.set(CompletableFuture.completedFuture(new Autoscaled(Optional.of("op-7"), false)));

        HttpResponse<String> response = scale("trino-demo", "workers", "3");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("Warnings")).isEqualTo("presto-orchestrator: cluster demo has 3 worker(s) in its spec already; operation op-7 applies it");
        // the index from a read of the job's scale status, with the agent's token
        assertThat(nomadRequests).containsExactly("GET /v1/job/trino-demo/scale token=" + AGENT_TOKEN);
        assertThat(response.headers().firstValue("X-Nomad-Index")).contains("42");
    }

    @Test
    void testEverythingElseGoesToNomadUnchanged()
            throws Exception
    {
        List<Integer> statuses = new ArrayList<>();
        statuses.add(scale("web", "workers", "3").statusCode());
        statuses.add(scale("trino-demo", "coordinator", "1").statusCode());
        statuses.add(scale("trino-demo", "workers", "null").statusCode());

        assertThat(statuses).containsExactly(200, 200, 200);
        assertThat(autoscaled).isEmpty();
        assertThat(nomadRequests).containsExactly(
                "PUT /v1/job/web/scale token=" + AGENT_TOKEN,
                "PUT /v1/job/trino-demo/scale token=" + AGENT_TOKEN,
                "PUT /v1/job/trino-demo/scale token=" + AGENT_TOKEN);
        assertThat(nomadBodies).extracting(body -> body.getJsonObject("Target").getString("Group") + " " + body.getValue("Count"))
                .containsExactly("workers 3", "coordinator 1", "workers null");

        // another namespace's trino-demo is not the orchestrator's
        HttpResponse<String> other = send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale?namespace=etl")).PUT(HttpRequest.BodyPublishers.ofString(AGENT_SCALE.formatted("3", "trino-demo", "workers"))));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(autoscaled).isEmpty();
        assertThat(nomadRequests).last().isEqualTo("PUT /v1/job/trino-demo/scale?namespace=etl token=" + AGENT_TOKEN);
    }

    @Test
    void testTheStatusQueryIsRelayedWithItsIndexAndToken()
            throws Exception
    {
        HttpResponse<String> response = send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale?index=41&wait=300000ms")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject status = new JsonObject(response.body());
        assertThat(status.getString("JobID")).isEqualTo("trino-demo");
        assertThat(status.getJsonObject("TaskGroups").getJsonObject("workers").getInteger("Running")).isEqualTo(3);
        assertThat(response.headers().firstValue("X-Nomad-Index")).contains("42");
        assertThat(response.headers().firstValue("X-Nomad-KnownLeader")).contains("true");
        // a cluster's job: the spec may change without Nomad seeing it, so the query blocks 5 s at most
        assertThat(nomadRequests).containsExactly("GET /v1/job/trino-demo/scale?index=41&wait=5000ms token=" + AGENT_TOKEN);

        send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale?wait=2s")).GET());
        send(HttpRequest.newBuilder(front("/v1/job/web/scale?index=7")).GET());
        assertThat(nomadRequests).containsExactly(
                "GET /v1/job/trino-demo/scale?index=41&wait=5000ms token=" + AGENT_TOKEN,
                "GET /v1/job/trino-demo/scale?wait=2000ms token=" + AGENT_TOKEN,
                "GET /v1/job/web/scale?index=7 token=" + AGENT_TOKEN);
    }

    @Test
    void testWorkersAScaleInDrainsDoNotCountAsRunningForTheAgent()
            throws Exception
    {
        // a scale-in 3 -> 1 drains two workers: Nomad still runs 3, the spec says 1
        specWorkers.set(OptionalInt.of(1));

        JsonObject status = new JsonObject(send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale")).GET()).body());

        JsonObject workers = status.getJsonObject("TaskGroups").getJsonObject("workers");
        assertThat(workers.getInteger("Running")).as("what the agent compares its target with").isEqualTo(1);
        assertThat(workers.getInteger("Desired")).as("Nomad's own count, unchanged").isEqualTo(3);
        assertThat(status.getJsonObject("TaskGroups").getJsonObject("coordinator").getInteger("Running")).isEqualTo(1);

        // a scale-out: the spec says 5, Nomad runs 3 so far; the agent sees 3
        specWorkers.set(OptionalInt.of(5));
        assertThat(new JsonObject(send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale")).GET()).body())
                .getJsonObject("TaskGroups").getJsonObject("workers").getInteger("Running")).isEqualTo(3);
    }

    @Test
    void testGoDurations()
    {
        assertThat(ScaleFront.goDuration("300000ms")).contains(Duration.ofMinutes(5));
        assertThat(ScaleFront.goDuration("5m")).contains(Duration.ofMinutes(5));
        assertThat(ScaleFront.goDuration("2s")).contains(Duration.ofSeconds(2));
        assertThat(ScaleFront.goDuration("1h")).contains(Duration.ofHours(1));
        assertThat(ScaleFront.goDuration("1m30s")).isEmpty();
        assertThat(ScaleFront.goDuration("soon")).isEmpty();
    }

    @Test
    void testOtherPathsAndBadBodiesAreRefused()
            throws Exception
    {
        HttpResponse<String> jobs = send(HttpRequest.newBuilder(front("/v1/jobs")).GET());
        assertThat(jobs.statusCode()).isEqualTo(404);
        assertThat(jobs.body()).contains("serves only GET, PUT and POST /v1/job/<job>/scale").contains("point other Nomad clients at Nomad");

        HttpResponse<String> bad = send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale")).PUT(HttpRequest.BodyPublishers.ofString("{\"Count\": ")));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).startsWith("Request decode failed");
        assertThat(nomadRequests).isEmpty();
        assertThat(autoscaled).isEmpty();
    }

    @Test
    void testFileUploadsAreNotStored()
            throws Exception
    {
        Path uploads = Path.of(io.vertx.ext.web.handler.BodyHandler.DEFAULT_UPLOADS_DIRECTORY);
        io.prestoorchestrator.testing.TestingFiles.deleteRecursively(uploads);
        String form = "--b7\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n" + "z".repeat(1024) + "\r\n--b7--\r\n";
        HttpResponse<String> response = send(HttpRequest.newBuilder(front("/v1/job/trino-demo/scale")).header("Content-Type", "multipart/form-data; boundary=b7")
                .PUT(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(uploads).doesNotExist();
        assertThat(nomadRequests).isEmpty();
    }

    private HttpResponse<String> scale(String job, String group, String count)
            throws Exception
    {
        return send(HttpRequest.newBuilder(front("/v1/job/" + job + "/scale")).PUT(HttpRequest.BodyPublishers.ofString(AGENT_SCALE.formatted(count, job, group))));
    }

    private HttpResponse<String> send(HttpRequest.Builder request)
            throws Exception
    {
        return http.send(request.header("X-Nomad-Token", AGENT_TOKEN).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI front(String path)
    {
        return URI.create("http://127.0.0.1:" + front.actualPort() + path);
    }
}
