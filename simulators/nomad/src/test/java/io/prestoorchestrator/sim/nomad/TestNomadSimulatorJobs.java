package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.prestoorchestrator.sim.nomad.NomadHttp.shellJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestNomadSimulatorJobs
{
    @TempDir
    static Path dataDir;

    private NomadSimulator simulator;
    private NomadHttp nomad;

    @BeforeAll
    void start()
    {
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dataDir).withMinHealthyTime(Duration.ofMillis(200))).start();
        nomad = new NomadHttp(simulator.address());
    }

    @AfterAll
    void stop()
    {
        simulator.close();
    }

    @Test
    void registerReadListAndVersions()
    {
        NomadHttp.Response register = nomad.put("/v1/jobs", shellJob("reg", "g", 2, "sleep 300", "", ""));
        assertThat(register.status()).isEqualTo(200);
        JsonNode registered = register.json();
        assertThat(registered.get("EvalID").asText()).hasSize(36);
        assertThat(registered.get("JobModifyIndex").asLong()).isPositive();
        assertThat(registered.get("Warnings").asText()).isEmpty();
        assertThat(register.nomadIndex()).isEqualTo(registered.get("JobModifyIndex").asLong());

        JsonNode job = nomad.get("/v1/job/reg").json();
        assertThat(job.get("ID").asText()).isEqualTo("reg");
        assertThat(job.get("Name").asText()).isEqualTo("reg");
        assertThat(job.get("Namespace").asText()).isEqualTo("default");
        assertThat(job.get("Region").asText()).isEqualTo("global");
        assertThat(job.get("Priority").asInt()).isEqualTo(50);
        assertThat(job.get("Version").asInt()).isZero();
        assertThat(job.get("TaskGroups").get(0).get("Tasks").get(0).get("KillTimeout").asLong()).isEqualTo(5_000_000_000L);
        assertThat(job.get("TaskGroups").get(0).get("Update").get("MinHealthyTime").asLong()).isEqualTo(10_000_000_000L);

        JsonNode stubs = nomad.get("/v1/jobs?prefix=re").json();
        assertThat(stubs).hasSize(1);
        assertThat(stubs.get(0).get("JobSummary").get("Summary").has("g")).isTrue();
        assertThat(nomad.get("/v1/jobs?prefix=nothing").json()).isEmpty();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(nomad.get("/v1/job/reg/scale").json().get("TaskGroups").get("g").get("Running").asInt()).isEqualTo(2));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(nomad.get("/v1/job/reg/deployment").json().get("Status").asText()).isEqualTo("successful"));

        nomad.put("/v1/jobs", shellJob("reg", "g", 2, "sleep 301", "", ""));
        JsonNode versions = nomad.get("/v1/job/reg/versions?diffs=true").json();
        assertThat(versions.get("Versions")).hasSize(2);
        assertThat(versions.get("Versions").get(0).get("Version").asInt()).isEqualTo(1);
        assertThat(versions.get("Diffs").get(0).get("Type").asText()).isEqualTo("Edited");

        assertThat(nomad.get("/v1/job/reg/evaluations").json()).allSatisfy(eval -> assertThat(eval.get("Status").asText()).isEqualTo("complete"));
        String evalId = registered.get("EvalID").asText();
        assertThat(nomad.get("/v1/evaluation/" + evalId).json().get("TriggeredBy").asText()).isEqualTo("job-register");
        // a destructive update replaces the allocations with new-version ones
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> live = new ArrayList<>();
            nomad.get("/v1/job/reg/allocations").json().forEach(alloc -> {
                if (alloc.get("DesiredStatus").asText().equals("run")) {
                    live.add(alloc);
                }
            });
            assertThat(live).hasSize(2).allSatisfy(alloc -> {
                assertThat(alloc.get("JobVersion").asInt()).isEqualTo(1);
                assertThat(alloc.get("ClientStatus").asText()).isEqualTo("running");
            });
        });
        nomad.delete("/v1/job/reg?purge=true");
        assertThat(nomad.get("/v1/job/reg").status()).isEqualTo(404);
    }

    @Test
    void jobMetaChangeReplacesEveryAllocation()
    {
        nomad.put("/v1/jobs", shellJob("stamped", "g", 2, "sleep 300", "", "").replace("\"ID\":\"stamped\",", "\"ID\":\"stamped\",\"Meta\":{\"stamp\":\"1\"},"));
        awaitRunning("stamped", 2);
        List<String> before = new ArrayList<>();
        nomad.get("/v1/job/stamped/allocations").json().forEach(alloc -> before.add(alloc.get("ID").asText()));

        String restamped = shellJob("stamped", "g", 2, "sleep 300", "", "").replace("\"ID\":\"stamped\",", "\"ID\":\"stamped\",\"Meta\":{\"stamp\":\"2\"},");
        JsonNode plan = nomad.post("/v1/job/stamped/plan", "{\"Diff\":true," + restamped.trim().substring(1)).json();
        assertThat(plan.get("Annotations").get("DesiredTGUpdates").get("g").get("DestructiveUpdate").asInt()).isEqualTo(2);
        nomad.put("/v1/jobs", restamped);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> live = new ArrayList<>();
            nomad.get("/v1/job/stamped/allocations").json().forEach(alloc -> {
                if (alloc.get("DesiredStatus").asText().equals("run")) {
                    live.add(alloc);
                }
            });
            assertThat(live).hasSize(2).allSatisfy(alloc -> {
                assertThat(alloc.get("JobVersion").asInt()).isEqualTo(1);
                assertThat(alloc.get("ClientStatus").asText()).isEqualTo("running");
                assertThat(before).doesNotContain(alloc.get("ID").asText());
            });
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> nomad.get("/v1/job/stamped/deployment").json().get("JobVersion").asInt() == 1);
        nomad.delete("/v1/job/stamped?purge=true");
    }

    @Test
    void scaleDownStopsHighestIndicesFirst()
    {
        nomad.put("/v1/jobs", shellJob("scaler", "g", 4, "sleep 300", "", ",\"Scaling\":{\"Min\":0,\"Max\":10}"));
        awaitRunning("scaler", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> nomad.get("/v1/job/scaler/deployment").json().get("Status").asText().equals("successful"));

        NomadHttp.Response scale = nomad.post("/v1/job/scaler/scale", "{\"Count\":2,\"Target\":{\"Group\":\"g\"},\"Message\":\"test down\",\"Meta\":{\"by\":\"test\"}}");
        assertThat(scale.status()).isEqualTo(200);
        assertThat(scale.json().get("EvalID").asText()).hasSize(36);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> stopped = new ArrayList<>();
            List<String> running = new ArrayList<>();
            for (JsonNode alloc : nomad.get("/v1/job/scaler/allocations").json()) {
                (alloc.get("DesiredStatus").asText().equals("stop") ? stopped : running).add(alloc.get("Name").asText());
                if (alloc.get("DesiredStatus").asText().equals("stop")) {
                    assertThat(alloc.get("ClientStatus").asText()).isEqualTo("complete");
                }
            }
            assertThat(stopped).containsExactlyInAnyOrder("scaler.g[2]", "scaler.g[3]");
            assertThat(running).containsExactlyInAnyOrder("scaler.g[0]", "scaler.g[1]");
        });
        JsonNode status = nomad.get("/v1/job/scaler/scale").json().get("TaskGroups").get("g");
        assertThat(status.get("Desired").asInt()).isEqualTo(2);
        assertThat(status.get("Events").get(0).get("Message").asText()).isEqualTo("test down");
        assertThat(status.get("Events").get(0).get("PreviousCount").asInt()).isEqualTo(4);
        assertThat(status.get("Events").get(0).get("Meta").get("by").asText()).isEqualTo("test");

        NomadHttp.Response tooMany = nomad.post("/v1/job/scaler/scale", "{\"Count\":11,\"Target\":{\"Group\":\"g\"}}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body()).isEqualTo("group count was greater than scaling policy maximum: 11 > 10");
        NomadHttp.Response noGroup = nomad.post("/v1/job/scaler/scale", "{\"Count\":1,\"Target\":{\"Group\":\"nope\"}}");
        assertThat(noGroup.status()).isEqualTo(400);
        assertThat(noGroup.body()).contains("task group \"nope\" specified for scaling does not exist in job");
        assertThat(nomad.post("/v1/job/missing/scale", "{\"Count\":1,\"Target\":{\"Group\":\"g\"}}").status()).isEqualTo(404);
        nomad.delete("/v1/job/scaler?purge=true");
    }

    @Test
    void planShowsStructuralDiffAndDesiredUpdates()
    {
        nomad.put("/v1/jobs", shellJob("planned", "g", 2, "sleep 300", "", ""));
        awaitRunning("planned", 2);
        JsonNode plan = nomad.post("/v1/job/planned/plan", "{\"Diff\":true," + shellJob("planned", "g", 3, "sleep 999", "", "").trim().substring(1)).json();
        JsonNode diff = plan.get("Diff");
        assertThat(diff.get("Type").asText()).isEqualTo("Edited");
        JsonNode group = diff.get("TaskGroups").get(0);
        assertThat(group.get("Name").asText()).isEqualTo("g");
        assertThat(group.get("Type").asText()).isEqualTo("Edited");
        assertThat(group.get("Fields")).anySatisfy(field -> {
            assertThat(field.get("Name").asText()).isEqualTo("Count");
            assertThat(field.get("Old").asText()).isEqualTo("2");
            assertThat(field.get("New").asText()).isEqualTo("3");
        });
        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("Type").asText()).isEqualTo("Edited");
        assertThat(task.get("Annotations").get(0).asText()).isEqualTo("forces create/destroy update");
        assertThat(task.get("Objects").get(0).get("Name").asText()).isEqualTo("Config");
        JsonNode updates = plan.get("Annotations").get("DesiredTGUpdates").get("g");
        assertThat(updates.get("Place").asInt()).isEqualTo(1);
        assertThat(updates.get("DestructiveUpdate").asInt()).isEqualTo(2);
        assertThat(plan.get("JobModifyIndex").asLong()).isPositive();

        JsonNode same = nomad.post("/v1/job/planned/plan", "{\"Diff\":true," + shellJob("planned", "g", 2, "sleep 300", "", "").trim().substring(1)).json();
        assertThat(same.get("Diff").get("Type").asText()).isEqualTo("None");
        assertThat(same.get("Annotations").get("DesiredTGUpdates").get("g").get("Ignore").asInt()).isEqualTo(2);

        JsonNode added = nomad.post("/v1/job/brandnew/plan", "{\"Diff\":true," + shellJob("brandnew", "g", 1, "sleep 1", "", "").trim().substring(1)).json();
        assertThat(added.get("Diff").get("Type").asText()).isEqualTo("Added");
        assertThat(added.get("Annotations").get("DesiredTGUpdates").get("g").get("Place").asInt()).isEqualTo(1);
        assertThat(nomad.get("/v1/job/brandnew").status()).as("plan registers nothing").isEqualTo(404);
        nomad.delete("/v1/job/planned?purge=true");
    }

    @Test
    void blockingQueryWaitsForChange()
            throws Exception
    {
        long index = nomad.get("/v1/jobs").nomadIndex();
        // nothing changes: parked until its wait is over, then the same index
        CompletableFuture<NomadHttp.Response> timingOut = CompletableFuture.supplyAsync(() -> nomad.get("/v1/jobs?index=" + index + "&wait=1s"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> simulator.parkedQueries() == 1);
        NomadHttp.Response timedOut = timingOut.get(20, TimeUnit.SECONDS);
        assertThat(timedOut.nomadIndex()).isEqualTo(index);
        assertThat(simulator.parkedQueries()).isZero();

        CompletableFuture<NomadHttp.Response> blocked = CompletableFuture.supplyAsync(() -> nomad.get("/v1/jobs?index=" + index + "&wait=60s"));
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.parkedQueries() == 1);
        assertThat(blocked).isNotDone();
        nomad.put("/v1/jobs", shellJob("blocker", "g", 0, "sleep 1", "", ""));
        NomadHttp.Response woken = blocked.get(20, TimeUnit.SECONDS);
        assertThat(woken.nomadIndex()).isGreaterThan(index);
        assertThat(woken.json()).anySatisfy(stub -> assertThat(stub.get("ID").asText()).isEqualTo("blocker"));
        nomad.delete("/v1/job/blocker?purge=true");
    }

    @Test
    void badInputGetsNomadStatusAndMessage()
    {
        assertError(nomad.put("/v1/jobs", ""), 400, "Request body is empty");
        assertError(nomad.put("/v1/jobs", "{not json"), 400, "invalid character");
        assertError(nomad.put("/v1/jobs", "{\"ID\":\"bare\",\"TaskGroups\":[]}"), 400, "Job must be specified");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"Name\":\"x\"}}"), 400, "Job ID hasn't been provided");
        assertError(nomad.put("/v1/job/other", shellJob("mismatch", "g", 1, "true", "", "")), 400, "Job ID does not match name");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"ID\":\"x\",\"TaskGroups\":[{\"Name\":\"g\",\"Count\":\"two\"}]}}"), 400,
                "json: cannot unmarshal string into Go struct field TaskGroup.Count of type int");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"ID\":\"x\"}}"), 500, "Missing job task groups");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"ID\":\"x\",\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\"}]}]}}"), 500, "Missing task driver");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"ID\":\"x\",\"TaskGroups\":[{\"Name\":\"g\",\"Count\":-1,\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"raw_exec\"}]}]}}"), 500,
                "Task group count can't be negative");
        assertError(nomad.put("/v1/jobs", "{\"Job\":{\"ID\":\"x\",\"Type\":\"weird\",\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"raw_exec\"}]}]}}"), 500,
                "Invalid job type: \"weird\"");
        String checkedJob = "{\"Job\":{\"ID\":\"x\",\"Update\":{\"HealthCheck\":\"%s\"},\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"raw_exec\"}]}]}}";
        assertError(nomad.put("/v1/jobs", checkedJob.formatted("sometimes")), 500, "Invalid health check given: \"sometimes\"");
        assertError(nomad.put("/v1/jobs", checkedJob.formatted("manual")), 400, "Job.Update.HealthCheck \"manual\" is not supported by the Nomad simulator");
        assertThat(nomad.get("/v1/job/x").status()).as("nothing half-registered").isEqualTo(404);
        assertError(nomad.get("/v1/job/missing"), 404, "job not found");
        assertError(nomad.get("/v1/allocation/00000000-0000-0000-0000-000000000000"), 404, "alloc not found");
        assertError(nomad.get("/v1/node/00000000-0000-0000-0000-000000000000"), 404, "node not found");
        assertError(nomad.get("/v1/evaluation/00000000-0000-0000-0000-000000000000"), 404, "eval not found");
        assertError(nomad.get("/v1/nonsense"), 404, "404 page not found");
        assertError(nomad.send("PATCH", "/v1/jobs", "{}"), 405, "Invalid method");

        nomad.put("/v1/jobs", shellJob("enforced", "g", 0, "true", "", ""));
        long jobModifyIndex = nomad.get("/v1/job/enforced").json().get("JobModifyIndex").asLong();
        String body = shellJob("enforced", "g", 0, "true", "", "").trim();
        assertError(nomad.put("/v1/jobs", body.substring(0, body.length() - 1) + ",\"EnforceIndex\":true,\"JobModifyIndex\":1}"), 500,
                "Enforcing job modify index 1: job exists with conflicting job modify index: " + jobModifyIndex);
        assertThat(nomad.put("/v1/jobs", body.substring(0, body.length() - 1) + ",\"EnforceIndex\":true,\"JobModifyIndex\":" + jobModifyIndex + "}").status()).isEqualTo(200);
        nomad.delete("/v1/job/enforced?purge=true");
    }

    private static void assertError(NomadHttp.Response response, int status, String message)
    {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains(message);
    }

    private void awaitRunning(String job, int count)
    {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int running = 0;
            for (JsonNode alloc : nomad.get("/v1/job/" + job + "/allocations").json()) {
                if (alloc.get("ClientStatus").asText().equals("running") && alloc.get("DesiredStatus").asText().equals("run")) {
                    running++;
                }
            }
            assertThat(running).isEqualTo(count);
        });
    }
}
