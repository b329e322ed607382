package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.prestoorchestrator.sim.nomad.NomadHttp.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Trino 476 coordinator and worker run as raw_exec tasks of one job. Config files come from
 * the tasks' templates (one value from a Nomad variable); {@code bin/launcher run} is the Go airlift
 * launcher, which replaces itself with the JVM, so the task's kill signal reaches Trino. The worker
 * registers in the Consul simulator, is counted active by the coordinator, and a count decrease
 * stops it with SIGTERM delivered to the JVM.
 */
class TrinoWorkerIT
{
    private static final Pattern ACTIVE_NODES = Pattern.compile("(?m)^trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount(?:\\{[^}]*})? ([0-9.eE+]+)");

    @TempDir
    Path dir;

    private ConsulSimulator consul;
    private NomadSimulator simulator;

    @AfterEach
    void cleanUp()
            throws java.io.IOException
    {
        Path allocs = dir.resolve("nomad/alloc");
        if (java.nio.file.Files.isDirectory(allocs)) {
            try (java.util.stream.Stream<Path> logs = java.nio.file.Files.walk(allocs)) {
                for (Path log : logs.filter(p -> p.toString().contains("/alloc/logs/")).filter(java.nio.file.Files::isRegularFile).toList()) {
                    List<String> lines = java.nio.file.Files.readAllLines(log);
                    System.out.println("---- " + log + " (last lines)");
                    lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.out::println);
                }
            }
        }
        if (simulator != null) {
            simulator.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void trinoWorkerStartsRegistersAndStopsOnCountDecrease()
            throws Exception
    {
        Path trinoHome = SetupEnvironment.requiredPath("TRINO_HOME");
        Path javaHome = SetupEnvironment.requiredPath("TRINO_JAVA_HOME");
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(2, "dc1", dir.resolve("nomad"))
                .withMinHealthyTime(Duration.ofSeconds(1))
                .withConsul(consul.baseUri())).start();
        NomadHttp nomad = new NomadHttp(simulator.address());
        assertThat(nomad.put("/v1/var/nomad/jobs/trino", "{\"Items\":{\"environment\":\"simtest\"}}").status()).isEqualTo(200);
        int coordinatorPort = Ports.freePort();
        assertThat(nomad.put("/v1/jobs", job(trinoHome, javaHome, coordinatorPort)).status()).isEqualTo(200);

        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create("http://127.0.0.1:" + coordinatorPort + "/metrics");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).header("X-Trino-User", "admin").build(), HttpResponse.BodyHandlers.ofString());
            Matcher matcher = ACTIVE_NODES.matcher(response.body());
            assertThat(matcher.find()).isTrue();
            assertThat(Double.parseDouble(matcher.group(1))).as("coordinator + worker active").isEqualTo(2.0);
        });

        JsonNode worker = single(nomad, "worker");
        String workerAlloc = worker.get("ID").asText();
        long pid = simulator.taskPids(workerAlloc).get("trino");
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        assertThat(handle.info().command().orElse("")).as("launcher run replaced itself with the JVM").endsWith("/java");
        String serviceId = "_nomad-task-" + workerAlloc + "-group-worker-trino-worker-http";
        JsonNode services = NomadHttp.MAPPER.readTree(http.send(HttpRequest.newBuilder(consul.baseUri().resolve("/v1/agent/services")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(services.has(serviceId)).as(services.toString()).isTrue();
        assertThat(services.get(serviceId).get("Port").asInt()).isEqualTo(worker.get("AllocatedResources") == null
                ? nomad.get("/v1/allocation/" + workerAlloc).json().get("AllocatedResources").get("Shared").get("Ports").get(0).get("Value").asInt()
                : worker.get("AllocatedResources").get("Shared").get("Ports").get(0).get("Value").asInt());

        await().atMost(Duration.ofMinutes(2)).until(() -> nomad.get("/v1/job/trino/deployment").json().get("Status").asText().equals("successful"));
        assertThat(nomad.post("/v1/job/trino/scale", "{\"Count\":0,\"Target\":{\"Group\":\"worker\"},\"Message\":\"scale in\"}").status()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            JsonNode task = nomad.get("/v1/allocation/" + workerAlloc).json().get("TaskStates").get("trino");
            assertThat(task.get("State").asText()).isEqualTo("dead");
            assertThat(TestNomadSimulatorTasks.eventTypes(task)).containsSubsequence("Started", "Killing", "Terminated", "Killed");
            assertThat(TestNomadSimulatorTasks.event(task, "Killing").get("DisplayMessage").asText()).startsWith("Sent SIGTERM.");
            assertThat(TestNomadSimulatorTasks.event(task, "Terminated").get("Signal").asInt()).as("the JVM died of SIGTERM, not SIGKILL").isIn(0, 15);
        });
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        JsonNode after = NomadHttp.MAPPER.readTree(http.send(HttpRequest.newBuilder(consul.baseUri().resolve("/v1/agent/services")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(after.has(serviceId)).isFalse();
    }

    private static JsonNode single(NomadHttp nomad, String group)
    {
        List<JsonNode> found = new java.util.ArrayList<>();
        for (JsonNode alloc : nomad.get("/v1/job/trino/allocations?resources=true").json()) {
            if (alloc.get("TaskGroup").asText().equals(group) && alloc.get("DesiredStatus").asText().equals("run")) {
                found.add(alloc);
            }
        }
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static String job(Path trinoHome, Path javaHome, int coordinatorPort)
    {
        return """
                {"Job":{"ID":"trino","Datacenters":["dc1"],"Type":"service","TaskGroups":[%s,%s]}}
                """.formatted(group("coordinator", trinoHome, javaHome, coordinatorPort, true), group("worker", trinoHome, javaHome, coordinatorPort, false));
    }

    private static String group(String name, Path trinoHome, Path javaHome, int coordinatorPort, boolean coordinator)
    {
        String ports = coordinator
                ? "\"ReservedPorts\":[{\"Label\":\"http\",\"Value\":" + coordinatorPort + "}]"
                : "\"DynamicPorts\":[{\"Label\":\"http\"}]";
        String config = (coordinator ? "coordinator=true\nnode-scheduler.include-coordinator=false\n" : "coordinator=false\n")
                + "http-server.http.port={{ env \"NOMAD_PORT_http\" }}\n"
                + "discovery.uri=http://127.0.0.1:" + coordinatorPort + "\n"
                + "query.max-memory=256MB\nquery.max-memory-per-node=128MB\n";
        String node = "{{ with nomadVar \"nomad/jobs/trino\" }}node.environment={{ .environment }}{{ end }}\n"
                + "node.id={{ env \"NOMAD_ALLOC_ID\" }}\n";
        String jvm = "-server\n-Xmx512M\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n-Djdk.attach.allowAttachSelf=true\n";
        Map<String, String> templates = Map.of("local/etc/config.properties", config, "local/etc/node.properties", node, "local/etc/jvm.config", jvm);
        StringBuilder templateJson = new StringBuilder();
        templates.forEach((dest, body) -> templateJson.append(templateJson.length() == 0 ? "" : ",")
                .append("{\"DestPath\":").append(quote(dest)).append(",\"EmbeddedTmpl\":").append(quote(body)).append("}"));
        return """
                {"Name":"%s","Count":1,"Networks":[{%s}],
                 "RestartPolicy":{"Attempts":0,"Mode":"fail"},
                 "Services":[{"Name":"trino-%s","PortLabel":"http","Tags":["trino"]}],
                 "Tasks":[{"Name":"trino","Driver":"raw_exec","KillSignal":"SIGTERM","KillTimeout":60000000000,
                   "Config":{"command":%s,"args":["run","--etc-dir","${NOMAD_TASK_DIR}/etc","--data-dir","${NOMAD_ALLOC_DIR}/data"]},
                   "Env":{"JAVA_HOME":%s,"PATH":%s},
                   "Templates":[%s]}]}
                """.formatted(name, ports, name, quote(trinoHome.resolve("bin/launcher").toString()), quote(javaHome.toString()),
                quote(javaHome.resolve("bin") + ":/usr/bin:/bin"), templateJson);
    }
}
