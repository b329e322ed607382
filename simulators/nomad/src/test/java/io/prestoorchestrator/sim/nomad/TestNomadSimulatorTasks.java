package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.prestoorchestrator.sim.nomad.NomadHttp.shellJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestNomadSimulatorTasks
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
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(2, "dc1", dataDir)
                .withMinHealthyTime(Duration.ofMillis(200))
                .withConsul(consul.address())).start();
        nomad = new NomadHttp(simulator.address());
    }

    @AfterAll
    void stop()
    {
        simulator.close();
        consul.close();
    }

    @Test
    void killSignalReachesTheTask()
            throws Exception
    {
        nomad.put("/v1/jobs", shellJob("sig", "g", 1, "trap 'echo got-term; exit 7' TERM; sleep 300 & wait", ",\"KillSignal\":\"SIGTERM\"", ""));
        JsonNode alloc = awaitSingleRunning("sig");
        long pid = simulator.taskPids(alloc.get("ID").asText()).get("main");
        assertThat(ProcessHandle.of(pid)).isPresent();

        // Nomad refuses to scale while the job's deployment is active
        await().atMost(Duration.ofSeconds(20)).until(() -> nomad.get("/v1/job/sig/deployment").json().get("Status").asText().equals("successful"));
        assertThat(nomad.post("/v1/job/sig/scale", "{\"Count\":0,\"Target\":{\"Group\":\"g\"}}").status()).isEqualTo(200);
        JsonNode task = awaitTaskDead(alloc.get("ID").asText());
        List<String> types = eventTypes(task);
        assertThat(types).containsSubsequence("Received", "Task Setup", "Started", "Killing", "Terminated", "Killed");
        JsonNode terminated = event(task, "Terminated");
        assertThat(terminated.get("ExitCode").asInt()).isEqualTo(7);
        assertThat(event(task, "Killing").get("DisplayMessage").asText()).isEqualTo("Sent SIGTERM. Waiting 5s before force killing");
        assertThat(Files.readString(dataDir.resolve("alloc").resolve(alloc.get("ID").asText()).resolve("alloc/logs/main.stdout.0"))).contains("got-term");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(nomad.get("/v1/allocation/" + alloc.get("ID").asText()).json().get("ClientStatus").asText()).isEqualTo("complete");
    }

    @Test
    void killTimeoutEndsWithSigkill()
    {
        nomad.put("/v1/jobs", shellJob("stubborn", "g", 1, "trap '' INT; echo ignoring; while true; do sleep 0.2; done", ",\"KillTimeout\":1000000000", ""));
        JsonNode alloc = awaitSingleRunning("stubborn");
        long pid = simulator.taskPids(alloc.get("ID").asText()).get("main");
        assertThat(nomad.post("/v1/allocation/" + alloc.get("ID").asText() + "/stop", "").status()).isEqualTo(200);
        JsonNode task = awaitTaskDead(alloc.get("ID").asText());
        assertThat(event(task, "Killing").get("DisplayMessage").asText()).isEqualTo("Sent interrupt. Waiting 1s before force killing");
        assertThat(event(task, "Terminated").get("Signal").asInt()).isEqualTo(9);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        // alloc stop replaces the allocation (same name, new alloc)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode replacement = awaitSingleRunning("stubborn");
            assertThat(replacement.get("ID").asText()).isNotEqualTo(alloc.get("ID").asText());
            assertThat(replacement.get("Name").asText()).isEqualTo("stubborn.g[0]");
        });
        nomad.delete("/v1/job/stubborn?purge=true");
    }

    @Test
    void templatesVariablesPortsAndEnvironment()
            throws Exception
    {
        String template = """
                ,"Templates":[
                  {"EmbeddedTmpl":"{{ with nomadVar \\"nomad/jobs/tmpl\\" }}GREETING={{ .greeting | toJSON }}\\nSECRET={{ .secret.Value }}{{ end }}\\n","DestPath":"secrets/app.env","Envvars":true,"Perms":"0600"},
                  {"EmbeddedTmpl":"port={{ env \\"NOMAD_PORT_http\\" }}\\n{{- range $k, $v := nomadVar \\"nomad/jobs/tmpl\\" }}\\n{{ $k }}={{ $v }}{{ end }}\\n{{ with nomadVar \\"nomad/jobs/tmpl\\" }}json={{ index . \\"greeting\\" | toJSON }}\\n{{ end }}","DestPath":"local/etc/conf.txt"}],
                "Env":{"WHERE":"${NOMAD_ALLOC_NAME}@${attr.unique.platform.aws.instance-id}"}""";
        String group = ",\"Networks\":[{\"DynamicPorts\":[{\"Label\":\"http\"}]}]";
        String script = "echo \"$GREETING $SECRET $WHERE $NOMAD_ALLOC_INDEX $NOMAD_GROUP_NAME $NOMAD_TASK_NAME $NOMAD_ADDR_http $NOMAD_DC $NOMAD_REGION\" > $NOMAD_ALLOC_DIR/data/out.txt; sleep 300";
        nomad.put("/v1/jobs", shellJob("tmpl", "g", 1, script, template, group));
        // the variable does not exist yet: the task waits, as Nomad's template runner does
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode allocs = nomad.get("/v1/job/tmpl/allocations").json();
            assertThat(allocs).hasSize(1);
            assertThat(allocs.get(0).get("ClientStatus").asText()).isEqualTo("pending");
            assertThat(eventTypes(allocs.get(0).get("TaskStates").get("main"))).contains("Template");
        });
        NomadHttp.Response put = nomad.put("/v1/var/nomad/jobs/tmpl", "{\"Namespace\":\"default\",\"Path\":\"nomad/jobs/tmpl\",\"Items\":{\"greeting\":\"hello\",\"secret\":\"s3cr3t\"}}");
        assertThat(put.status()).isEqualTo(200);
        JsonNode alloc = awaitSingleRunning("tmpl");
        String allocId = alloc.get("ID").asText();
        JsonNode full = nomad.get("/v1/allocation/" + allocId).json();
        int port = full.get("AllocatedResources").get("Shared").get("Ports").get(0).get("Value").asInt();
        assertThat(port).isPositive();
        Path allocDir = dataDir.resolve("alloc").resolve(allocId);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(allocDir.resolve("alloc/data/out.txt")) && Files.size(allocDir.resolve("alloc/data/out.txt")) > 0);
        String instanceId = simulator.instanceIds().get(alloc.get("NodeName").asText());
        assertThat(Files.readString(allocDir.resolve("alloc/data/out.txt")).trim())
                .isEqualTo("hello s3cr3t tmpl.g[0]@" + instanceId + " 0 g main 127.0.0.1:" + port + " dc1 global");
        assertThat(Files.readString(allocDir.resolve("main/local/etc/conf.txt"))).isEqualTo("port=" + port + "\ngreeting=hello\nsecret=s3cr3t\njson=\"hello\"\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(allocDir.resolve("main/secrets/app.env")))).isEqualTo("rw-------");
        assertThat(Files.isDirectory(allocDir.resolve("main/local"))).isTrue();
        nomad.delete("/v1/job/tmpl?purge=true");
    }

    @Test
    void restartPolicyThenFailure()
    {
        nomad.put("/v1/jobs", shellJob("crash", "g", 1, "echo crashing; exit 3", "", ""));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode alloc = nomad.get("/v1/job/crash/allocations").json().get(0);
            assertThat(alloc.get("ClientStatus").asText()).isEqualTo("failed");
            JsonNode task = alloc.get("TaskStates").get("main");
            assertThat(task.get("State").asText()).isEqualTo("dead");
            assertThat(task.get("Failed").asBoolean()).isTrue();
            assertThat(task.get("Restarts").asInt()).isEqualTo(1);
            assertThat(eventTypes(task)).containsSubsequence("Started", "Terminated", "Restarting", "Started", "Terminated", "Not Restarting");
            assertThat(event(task, "Not Restarting").get("DisplayMessage").asText()).isEqualTo("Exceeded allowed attempts 1 in interval 1m0s and mode is \"fail\"");
            assertThat(event(task, "Terminated").get("ExitCode").asInt()).isEqualTo(3);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> nomad.get("/v1/job/crash/deployment").json().get("Status").asText().equals("failed"));
        nomad.delete("/v1/job/crash?purge=true");
    }

    @Test
    void servicesRegisteredInConsulAndDeregisteredBeforeTheKillSignal()
    {
        String group = """
                ,"Networks":[{"DynamicPorts":[{"Label":"http"}]}],"ShutdownDelay":1000000000,
                "Services":[{"Name":"web","PortLabel":"http","Tags":["traefik.enable=true","alloc-${NOMAD_ALLOC_INDEX}"],"Meta":{"k":"v"},
                  "Checks":[{"Name":"alive","Type":"http","Path":"/health","Interval":10000000000,"Timeout":2000000000},{"Type":"tcp","Interval":5000000000}]}]""";
        nomad.put("/v1/jobs", shellJob("svc", "g", 1, "sleep 300", ",\"KillSignal\":\"SIGTERM\"", group));
        JsonNode alloc = awaitSingleRunning("svc");
        String allocId = alloc.get("ID").asText();
        String serviceId = "_nomad-task-" + allocId + "-group-g-web-http";
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consul.calls()).anySatisfy(call -> {
            assertThat(call.method()).isEqualTo("PUT");
            assertThat(call.path()).isEqualTo("/v1/agent/service/register");
            JsonNode body = NomadHttp.MAPPER.readTree(call.body());
            assertThat(body.get("ID").asText()).isEqualTo(serviceId);
            assertThat(body.get("Name").asText()).isEqualTo("web");
            assertThat(body.get("Address").asText()).isEqualTo("127.0.0.1");
            assertThat(body.get("Tags").toString()).isEqualTo("[\"traefik.enable=true\",\"alloc-0\"]");
            assertThat(body.get("Meta").get("k").asText()).isEqualTo("v");
            int port = body.get("Port").asInt();
            assertThat(port).isPositive();
            assertThat(body.get("Checks").get(0).get("HTTP").asText()).isEqualTo("http://127.0.0.1:" + port + "/health");
            assertThat(body.get("Checks").get(0).get("Interval").asText()).isEqualTo("10s");
            assertThat(body.get("Checks").get(1).get("TCP").asText()).isEqualTo("127.0.0.1:" + port);
        }));
        nomad.delete("/v1/job/svc");
        JsonNode task = awaitTaskDead(allocId);
        RecordingConsul.Call deregister = consul.calls().stream()
                .filter(call -> call.path().equals("/v1/agent/service/deregister/" + serviceId)).findFirst().orElseThrow();
        assertThat(deregister.epochNanos()).as("deregistered before the kill signal").isLessThan(event(task, "Killing").get("Time").asLong());
        JsonNode job = nomad.get("/v1/job/svc").json();
        assertThat(job.get("Stop").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> nomad.get("/v1/job/svc").json().get("Status").asText().equals("dead"));
        nomad.delete("/v1/job/svc?purge=true");
    }

    @Test
    void scriptCheckRunsInTheTaskAndFeedsAConsulTtlCheck()
            throws Exception
    {
        String group = """
                ,"Networks":[{"DynamicPorts":[{"Label":"http"}]}],
                "Services":[{"Name":"gated","PortLabel":"http",
                  "Checks":[{"Name":"ready","Type":"script","TaskName":"main","Command":"/bin/sh",
                    "Args":["-c","if test -f ${NOMAD_TASK_DIR}/ready; then echo ready on $NOMAD_PORT_http; else echo not ready; exit 2; fi"],
                    "Interval":200000000,"Timeout":2000000000}]}]""";
        nomad.put("/v1/jobs", shellJob("gate", "g", 1, "sleep 300", "", group));
        JsonNode alloc = awaitSingleRunning("gate");
        String allocId = alloc.get("ID").asText();
        RecordingConsul.Call registration = await().atMost(Duration.ofSeconds(10)).until(() -> consul.calls().stream()
                .filter(call -> call.path().equals("/v1/agent/service/register") && call.body().contains("\"gated\""))
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
        JsonNode registered = NomadHttp.MAPPER.readTree(registration.body());
        JsonNode check = registered.get("Checks").get(0);
        assertThat(check.get("TTL").asText()).as("Nomad registers interval + 31s").isEqualTo("31.2s");
        assertThat(check.has("HTTP")).isFalse();
        String update = "/v1/agent/check/update/" + check.get("CheckID").asText();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consul.calls()).anySatisfy(call -> {
            assertThat(call.path()).isEqualTo(update);
            assertThat(NomadHttp.MAPPER.readTree(call.body()).get("Status").asText()).isEqualTo("critical");
            assertThat(NomadHttp.MAPPER.readTree(call.body()).get("Output").asText()).isEqualTo("not ready\n");
        }));

        java.nio.file.Files.writeString(dataDir.resolve("alloc").resolve(allocId).resolve("main").resolve("local").resolve("ready"), "");
        int port = registered.get("Port").asInt();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consul.calls()).anySatisfy(call -> {
            assertThat(call.path()).isEqualTo(update);
            assertThat(NomadHttp.MAPPER.readTree(call.body()).get("Status").asText()).isEqualTo("passing");
            assertThat(NomadHttp.MAPPER.readTree(call.body()).get("Output").asText()).isEqualTo("ready on " + port + "\n");
        }));
        assertThat(simulator.scriptChecksRunning(allocId)).isEqualTo(1);
        nomad.delete("/v1/job/gate?purge=true");
        awaitTaskDead(allocId);
        // its check's thread ends with its last update: none can come after
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.scriptChecksRunning(allocId) == 0);
        int updates = (int) consul.calls().stream().filter(call -> call.path().equals(update)).count();
        assertThat(consul.calls().stream().filter(call -> call.path().equals(update)).count()).as("no check runs after the service is deregistered").isEqualTo(updates);
    }

    @Test
    void groupScriptCheckMustNameATask()
    {
        String group = """
                ,"Networks":[{"DynamicPorts":[{"Label":"http"}]}],
                "Services":[{"Name":"gated","PortLabel":"http",
                  "Checks":[{"Name":"ready","Type":"script","Command":"/bin/true","Interval":1000000000,"Timeout":1000000000}]}]""";
        NomadHttp.Response response = nomad.put("/v1/jobs", shellJob("gate-bad", "g", 1, "sleep 1", "", group));
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.body()).contains("Service gated check \"ready\" is invalid: script checks in a group service must name a task");
    }

    @Test
    void otherDriversArePlacedButNotRun()
    {
        nomad.put("/v1/jobs", """
                {"Job":{"ID":"dock","Datacenters":["dc1"],"TaskGroups":[{"Name":"g","Tasks":[{"Name":"c","Driver":"docker","Config":{"image":"busybox"}}]}]}}""");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode alloc = nomad.get("/v1/job/dock/allocations").json().get(0);
            assertThat(alloc.get("ClientStatus").asText()).isEqualTo("pending");
            assertThat(event(alloc.get("TaskStates").get("c"), "Driver").get("DisplayMessage").asText())
                    .isEqualTo("nomad-simulator does not run the \"docker\" driver; the task stays pending");
        });
        nomad.delete("/v1/job/dock?purge=true");
    }

    private JsonNode awaitSingleRunning(String job)
    {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            found.clear();
            for (JsonNode alloc : nomad.get("/v1/job/" + job + "/allocations").json()) {
                if (alloc.get("DesiredStatus").asText().equals("run") && alloc.get("ClientStatus").asText().equals("running")) {
                    found.add(alloc);
                }
            }
            assertThat(found).hasSize(1);
            assertThat(simulator.taskPids(found.get(0).get("ID").asText())).containsKey("main");
        });
        return found.get(0);
    }

    private JsonNode awaitTaskDead(String allocId)
    {
        JsonNode[] task = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            task[0] = nomad.get("/v1/allocation/" + allocId).json().get("TaskStates").get("main");
            assertThat(task[0].get("State").asText()).isEqualTo("dead");
        });
        return task[0];
    }

    static List<String> eventTypes(JsonNode task)
    {
        List<String> types = new ArrayList<>();
        task.get("Events").forEach(event -> types.add(event.get("Type").asText()));
        return types;
    }

    static JsonNode event(JsonNode task, String type)
    {
        JsonNode found = null;
        for (JsonNode event : task.get("Events")) {
            if (event.get("Type").asText().equals(type)) {
                found = event;
            }
        }
        assertThat(found).as("event " + type + " in " + eventTypes(task)).isNotNull();
        return found;
    }

}
