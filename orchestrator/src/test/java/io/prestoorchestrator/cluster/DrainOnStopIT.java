package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drain path 3 of issue 6 with real Trino: the worker count is lowered outside the orchestrator
 * (Nomad's scale API, as the Nomad UI, {@code nomad job scale} or nomad-autoscaler do) while TPC-H
 * Q1 on sf10 runs and a stream of short queries goes on. Workers run under
 * {@code job-templates/trino/run-with-drain.sh}, which drains Trino on Nomad's kill signal: every
 * query succeeds. Its control, the same removal with the drain off losing queries, is in
 * {@link WithoutDrainIT}.
 */
class DrainOnStopIT
{
    @BeforeAll
    static void requireTrino()
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME");
    }

    @Test
    void testScaleInOutsideTheOrchestratorLosesNoQuery()
            throws Exception
    {
        try (TestingStack stack = TestingStack.onRealNomad(System.getenv())) {
            Scenario scenario = scaleInDuringLoad(stack, "drained");
            System.out.printf("DrainOnStopIT drained: long query %s in %.1f s, %d short queries (%d failed), worker stop (kill signal -> task dead) %.1f s%n",
                    scenario.longQuery().succeeded() ? "succeeded" : "FAILED", seconds(scenario.longQuery()), scenario.shortQueries().size(),
                    scenario.failures().size() - (scenario.longQuery().succeeded() ? 0 : 1), scenario.stopSeconds());
            assertThat(scenario.failures()).as("queries that failed while a worker was removed with the drain on").isEmpty();
            assertThat(scenario.shortQueries()).as("short queries during the removal").hasSizeGreaterThanOrEqualTo(5);
            assertThat(scenario.stoppedTaskLog()).as("the worker's own log of its stop")
                    .contains("run-with-drain: stop signal received").contains("DRAINING accepted").contains("run-with-drain: DRAINED");
            assertThat(scenario.activeWorkersAfter()).isEqualTo(2);
        }
    }

    private record Scenario(TrinoStatements.Outcome longQuery, List<TrinoStatements.Outcome> shortQueries, double stopSeconds, String stoppedTaskLog, int activeWorkersAfter)
    {
        List<TrinoStatements.Outcome> failures()
        {
            List<TrinoStatements.Outcome> failed = new ArrayList<>(shortQueries.stream().filter(outcome -> !outcome.succeeded()).toList());
            if (!longQuery.succeeded()) {
                failed.add(longQuery);
            }
            return failed;
        }
    }

    /** A cluster of 3 workers; Q1 on sf10 plus short queries; the worker count lowered to 2 through Nomad while Q1 runs. */
    private static Scenario scaleInDuringLoad(TestingStack stack, String name)
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + name + "\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":1,\"max\":3}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonObject operation = stack.awaitOperation(created, Duration.ofMinutes(5));
        assertThat(operation.getString("state")).as(operation.encodePrettily()).isEqualTo("SUCCEEDED");
        String coordinator = cluster(stack, name).getJsonObject("status").getString("coordinatorUrl");
        String jobId = "trino-" + name;

        QueryLoad load = QueryLoad.start(coordinator, "drain-it", Duration.ofMillis(500));
        for (int i = 0; i < 3; i++) {
            assertThat(TrinoStatements.run(coordinator, "drain-it", QueryLoad.SHORT).succeeded()).as("warm-up query before the removal").isTrue();
        }
        CompletableFuture<TrinoStatements.Outcome> longQuery = load.longQuery(QueryLoad.Q1);
        sleep(8_000);
        assertThat(longQuery).as("Q1 on sf10 still running when the worker is removed").isNotDone();

        // outside the orchestrator: Nomad's own scale API, as the Nomad UI or nomad-autoscaler call it
        HttpResponse<String> scaled = nomad(stack, "POST", "/v1/job/" + jobId + "/scale", "{\"Count\":2,\"Target\":{\"Group\":\"workers\"},\"Message\":\"DrainOnStopIT\"}");
        assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);
        // the worker drains for as long as Q1 runs on it, up to the drain bound (drain_timeout_seconds 270 in
        // local.yaml), and then stops
        JsonObject stopped = await("a worker allocation stopped").atMost(Duration.ofSeconds(270 + 90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> workerAllocations(stack, jobId).stream()
                        .filter(alloc -> alloc.getString("DesiredStatus").equals("stop") && List.of("complete", "failed").contains(alloc.getString("ClientStatus")))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();

        longQuery.get();
        sleep(3_000);
        QueryLoad.Result outcomes = load.stop();

        String allocId = stopped.getString("ID");
        JsonObject detail = new JsonObject(nomad(stack, "GET", "/v1/allocation/" + allocId, null).body());
        JsonArray events = detail.getJsonObject("TaskStates").getJsonObject("trino").getJsonArray("Events");
        long killing = eventTime(events, "Killing");
        long dead = Math.max(eventTime(events, "Terminated"), eventTime(events, "Killed"));
        double stopSeconds = killing > 0 && dead > 0 ? (dead - killing) / 1e9 : -1;
        String taskLog = stack.allocationLog(allocId, "trino.stderr.0");

        Integer active = await("the coordinator counts 2 workers").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cluster(stack, name).getJsonObject("status").getInteger("activeWorkers"), count -> count != null && count == 2);
        return new Scenario(outcomes.longQueries().get(0), outcomes.shortQueries(), stopSeconds, taskLog, active);
    }

    private static List<JsonObject> workerAllocations(TestingStack stack, String jobId)
            throws IOException, InterruptedException
    {
        return new JsonArray(nomad(stack, "GET", "/v1/job/" + jobId + "/allocations", null).body()).stream()
                .map(JsonObject.class::cast)
                .filter(alloc -> alloc.getString("TaskGroup").equals("workers"))
                .toList();
    }

    private static long eventTime(JsonArray events, String type)
    {
        return events.stream().map(JsonObject.class::cast).filter(event -> event.getString("Type").equals(type))
                .mapToLong(event -> event.getLong("Time")).max().orElse(0);
    }

    private static JsonObject cluster(TestingStack stack, String name)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + name, null).body());
    }

    private static HttpResponse<String> nomad(TestingStack stack, String method, String path, String body)
            throws IOException, InterruptedException
    {
        return stack.callNomad(method, path, body);
    }

    private static double seconds(TrinoStatements.Outcome outcome)
    {
        return QueryLoad.seconds(outcome);
    }

    private static void sleep(long millis)
    {
        QueryLoad.sleep(millis);
    }
}
