package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.prestoorchestrator.sim.nomad.NomadHttp.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rolling destructive updates per task group: at most MaxParallel replacements in flight, the next
 * one only after the previous is healthy, unchanged groups untouched, a failing replacement stops
 * the rollout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestNomadSimulatorRollingUpdate
{
    @TempDir
    static Path dataDir;

    private RecordingConsul consul;
    private NomadSimulator simulator;
    private NomadHttp nomad;

    @BeforeAll
    void start()
    {
        consul = new RecordingConsul();
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dataDir).withConsul(consul.address())).start();
        nomad = new NomadHttp(simulator.address());
    }

    @AfterAll
    void stop()
    {
        simulator.close();
        consul.close();
    }

    /** A job with a "coord" group of 1 and a "workers" group of 3, MaxParallel 1, MinHealthyTime 400 ms. */
    private static String job(String id, String coordScript, String workerScript)
    {
        String update = """
                "Update":{"MaxParallel":1,"HealthCheck":"task_states","MinHealthyTime":400000000,"HealthyDeadline":20000000000,"ProgressDeadline":30000000000}""";
        String restart = """
                "RestartPolicy":{"Attempts":0,"Delay":100000000,"Interval":60000000000,"Mode":"fail"}""";
        return """
                {"Job":{"ID":"%s","Datacenters":["dc1"],"Type":"service",%s,"TaskGroups":[
                  {"Name":"coord","Count":1,%s,"Tasks":[{"Name":"main","Driver":"raw_exec","Config":{"command":"/bin/sh","args":["-c",%s]}}]},
                  {"Name":"workers","Count":3,%s,"Tasks":[{"Name":"main","Driver":"raw_exec","Config":{"command":"/bin/sh","args":["-c",%s]},
                    "KillTimeout":2000000000,"ShutdownDelay":200000000}]}]}}
                """.formatted(id, update, restart, quote(coordScript), restart, quote(workerScript));
    }

    /** A "workers" group of 2 whose service has one HTTP check, with the given Update.HealthCheck. */
    private static String checkedJob(String id, String healthCheck, String script)
    {
        String update = """
                "Update":{"MaxParallel":1,"HealthCheck":"%s","MinHealthyTime":300000000,"HealthyDeadline":2000000000,"ProgressDeadline":30000000000}""".formatted(healthCheck);
        String services = """
                "Networks":[{"DynamicPorts":[{"Label":"http"}]}],
                "Services":[{"Name":"%s","PortLabel":"http","Checks":[{"Name":"alive","Type":"http","Path":"/","Interval":1000000000,"Timeout":1000000000}]}]""".formatted(id);
        return """
                {"Job":{"ID":"%s","Datacenters":["dc1"],"Type":"service",%s,"TaskGroups":[
                  {"Name":"workers","Count":2,%s,"RestartPolicy":{"Attempts":0,"Delay":100000000,"Interval":60000000000,"Mode":"fail"},
                   "Tasks":[{"Name":"main","Driver":"raw_exec","Config":{"command":"/bin/sh","args":["-c",%s]},"KillTimeout":1000000000}]}]}}
                """.formatted(id, update, services, quote(script));
    }

    @Test
    void taskStatesHealthIgnoresCriticalChecks()
    {
        consul.setCheckStatus("critical");
        try {
            nomad.put("/v1/jobs", checkedJob("unchecked", "task_states", "sleep 300"));
            awaitSuccessful("unchecked", 0);
            nomad.put("/v1/jobs", checkedJob("unchecked", "task_states", "sleep 301"));
            awaitSuccessful("unchecked", 1);
            assertThat(deployment("unchecked").get("TaskGroups").get("workers").get("HealthyAllocs").asInt()).isEqualTo(2);
        }
        finally {
            consul.setCheckStatus("passing");
        }
    }

    @Test
    void replacementWhoseChecksNeverPassIsUnhealthyAtTheHealthyDeadline()
    {
        nomad.put("/v1/jobs", checkedJob("checked", "checks", "sleep 300"));
        awaitSuccessful("checked", 0);

        consul.setCheckStatus("critical");
        try {
            nomad.put("/v1/jobs", checkedJob("checked", "checks", "sleep 301"));
            await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(deployment("checked").get("JobVersion").asLong()).isEqualTo(1));
            assertThat(deployment("checked").get("Status").asText()).as("running tasks with critical checks are not healthy").isEqualTo("running");
            assertThat(deployment("checked").get("TaskGroups").get("workers").get("HealthyAllocs").asInt()).isZero();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deployment("checked").get("Status").asText()).isEqualTo("failed"));
            JsonNode workers = deployment("checked").get("TaskGroups").get("workers");
            assertThat(workers.get("PlacedAllocs").asInt()).isEqualTo(1);
            assertThat(workers.get("HealthyAllocs").asInt()).isZero();
            assertThat(workers.get("UnhealthyAllocs").asInt()).isEqualTo(1);
            assertThat(allocations("checked", "workers").stream()
                    .filter(alloc -> alloc.get("JobVersion").asLong() == 0 && alloc.get("ClientStatus").asText().equals("running")))
                    .as("the other old worker keeps running").hasSize(1);
        }
        finally {
            consul.setCheckStatus("passing");
        }
    }

    private JsonNode deployment(String job)
    {
        return nomad.get("/v1/job/" + job + "/deployment").json();
    }

    private List<JsonNode> allocations(String job, String group)
    {
        List<JsonNode> out = new ArrayList<>();
        nomad.get("/v1/job/" + job + "/allocations").json().forEach(alloc -> {
            if (alloc.get("TaskGroup").asText().equals(group)) {
                out.add(alloc);
            }
        });
        out.sort(Comparator.comparingLong(alloc -> alloc.get("CreateIndex").asLong()));
        return out;
    }

    private void awaitSuccessful(String job, long version)
    {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode deployment = deployment(job);
            assertThat(deployment.get("JobVersion").asLong()).isEqualTo(version);
            assertThat(deployment.get("Status").asText()).isEqualTo("successful");
        });
    }

    @Test
    void replacesOneWorkerAtATimeAndLeavesTheUnchangedGroupAlone()
    {
        nomad.put("/v1/jobs", job("roll", "sleep 300", "sleep 300"));
        awaitSuccessful("roll", 0);
        JsonNode coordinator = allocations("roll", "coord").get(0);
        List<String> oldWorkers = allocations("roll", "workers").stream().map(alloc -> alloc.get("ID").asText()).toList();

        nomad.put("/v1/jobs", job("roll", "sleep 300", "sleep 301"));
        int maxInFlight = 0;
        int maxStopping = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!deployment("roll").get("Status").asText().equals("successful") && System.nanoTime() < deadline) {
            JsonNode deployment = deployment("roll");
            if (deployment.get("JobVersion").asLong() == 1) {
                JsonNode workers = deployment.get("TaskGroups").get("workers");
                assertThat(workers.get("DesiredTotal").asInt()).isEqualTo(3);
                assertThat(workers.get("PlacedAllocs").asInt()).isBetween(1, 3);
                assertThat(workers.get("HealthyAllocs").asInt()).isLessThanOrEqualTo(workers.get("PlacedAllocs").asInt());
                maxInFlight = Math.max(maxInFlight, workers.get("PlacedAllocs").asInt() - workers.get("HealthyAllocs").asInt());
            }
            List<JsonNode> workers = allocations("roll", "workers");
            maxStopping = Math.max(maxStopping, (int) workers.stream()
                    .filter(alloc -> alloc.get("DesiredStatus").asText().equals("stop") && alloc.get("ClientStatus").asText().matches("pending|running"))
                    .count());
            long running = workers.stream().filter(alloc -> alloc.get("DesiredStatus").asText().equals("run")).count();
            assertThat(running).as("old and new workers meant to run").isLessThanOrEqualTo(3);
        }
        awaitSuccessful("roll", 1);
        assertThat(maxInFlight).as("replacements not yet healthy at once").isEqualTo(1);
        assertThat(maxStopping).as("old workers stopping at once").isLessThanOrEqualTo(1);

        JsonNode deployment = deployment("roll");
        // the unchanged group is updated in place: its allocation stays, checked again as part of the deployment
        JsonNode coordState = deployment.get("TaskGroups").get("coord");
        assertThat(coordState.get("DesiredTotal").asInt()).isEqualTo(1);
        assertThat(coordState.get("HealthyAllocs").asInt()).isEqualTo(1);
        JsonNode workersState = deployment.get("TaskGroups").get("workers");
        assertThat(workersState.get("PlacedAllocs").asInt()).isEqualTo(3);
        assertThat(workersState.get("HealthyAllocs").asInt()).isEqualTo(3);
        assertThat(workersState.get("UnhealthyAllocs").asInt()).isZero();

        List<JsonNode> coordinators = allocations("roll", "coord");
        assertThat(coordinators).hasSize(1);
        assertThat(coordinators.get(0).get("ID").asText()).isEqualTo(coordinator.get("ID").asText());
        assertThat(coordinators.get(0).get("ClientStatus").asText()).isEqualTo("running");
        assertThat(coordinators.get(0).get("JobVersion").asLong()).isEqualTo(1);

        List<JsonNode> replacements = allocations("roll", "workers").stream().filter(alloc -> alloc.get("JobVersion").asLong() == 1).toList();
        assertThat(replacements).hasSize(3);
        for (int i = 1; i < replacements.size(); i++) {
            JsonNode previous = nomad.get("/v1/allocation/" + replacements.get(i - 1).get("ID").asText()).json();
            assertThat(previous.get("DeploymentStatus").get("Healthy").asBoolean()).isTrue();
            assertThat(replacements.get(i).get("CreateTime").asLong())
                    .as("replacement %d placed after replacement %d was healthy", i, i - 1)
                    .isGreaterThanOrEqualTo(healthyAt(previous));
        }
        for (String oldId : oldWorkers) {
            JsonNode old = nomad.get("/v1/allocation/" + oldId).json();
            assertThat(old.get("DesiredStatus").asText()).isEqualTo("stop");
            assertThat(TestNomadSimulatorTasks.eventTypes(old.get("TaskStates").get("main"))).as("stopped through the kill signal").contains("Killing");
        }
    }

    private static long healthyAt(JsonNode alloc)
    {
        Instant at = Instant.parse(alloc.get("DeploymentStatus").get("Timestamp").asText());
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    @Test
    void failingReplacementStopsTheRollout()
    {
        nomad.put("/v1/jobs", job("failroll", "sleep 300", "sleep 300"));
        awaitSuccessful("failroll", 0);

        nomad.put("/v1/jobs", job("failroll", "sleep 300", "exit 3"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deployment("failroll").get("Status").asText()).isEqualTo("failed"));
        JsonNode workers = deployment("failroll").get("TaskGroups").get("workers");
        assertThat(workers.get("PlacedAllocs").asInt()).isEqualTo(1);
        assertThat(workers.get("UnhealthyAllocs").asInt()).isEqualTo(1);

        // the deployment watcher has had time to go on if it were going to
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<JsonNode> all = allocations("failroll", "workers");
            assertThat(all.stream().filter(alloc -> alloc.get("JobVersion").asLong() == 1)).hasSize(1);
            assertThat(all.stream().filter(alloc -> alloc.get("JobVersion").asLong() == 0 && alloc.get("ClientStatus").asText().equals("running")))
                    .as("the old workers not yet replaced keep running").hasSize(2);
        });
    }
}
