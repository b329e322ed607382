package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proof by the real nomad-autoscaler (built by scripts/setup.sh): its Nomad policy source reads the
 * job's group scaling block from the simulator, the fixed-value strategy decides (no APM query
 * needed), and its Nomad target scales the group through the simulator's scale endpoint; the
 * simulator places and stops allocations (highest index first).
 */
class NomadAutoscalerIT
{
    @TempDir
    Path dir;

    private NomadSimulator simulator;
    private Process autoscaler;

    @AfterEach
    void cleanUp()
            throws Exception
    {
        if (autoscaler != null) {
            autoscaler.destroy();
            if (!autoscaler.waitFor(20, TimeUnit.SECONDS)) {
                autoscaler.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void autoscalerScalesAGroupThroughTheSimulator()
            throws Exception
    {
        Path binary = SetupEnvironment.requiredPath("NOMAD_AUTOSCALER_BIN");
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dir.resolve("nomad")).withMinHealthyTime(Duration.ofMillis(300))).start();
        NomadHttp nomad = new NomadHttp(simulator.address());
        assertThat(nomad.put("/v1/jobs", job(1, 3)).status()).isEqualTo(200);

        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path log = dir.resolve("autoscaler.log");
        autoscaler = new ProcessBuilder(binary.toString(), "agent",
                "-nomad-address=" + simulator.address(),
                "-http-bind-address=127.0.0.1",
                "-http-bind-port=" + Ports.freePort(),
                "-plugin-dir=" + plugins,
                "-policy-default-evaluation-interval=2s",
                "-policy-default-cooldown=2s",
                "-log-level=debug")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(autoscaler.isAlive()).as("autoscaler alive; log:\n" + Files.readString(log)).isTrue();
                JsonNode group = nomad.get("/v1/job/auto/scale").json().get("TaskGroups").get("workers");
                assertThat(group.get("Desired").asInt()).isEqualTo(3);
                assertThat(group.get("Running").asInt()).isEqualTo(3);
                assertThat(group.get("Events").get(0).get("Message").asText()).isEqualTo("scaling up because fixed value is 3");
            });
            // wait for the scale-up deployment to finish, then change the policy's fixed value: the autoscaler scales in
            await().atMost(Duration.ofSeconds(30)).until(() -> !nomad.get("/v1/job/auto/deployment").json().get("Status").asText().equals("running"));
            assertThat(nomad.put("/v1/jobs", job(3, 2)).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                List<String> running = new ArrayList<>();
                List<String> stopped = new ArrayList<>();
                for (JsonNode alloc : nomad.get("/v1/job/auto/allocations").json()) {
                    (alloc.get("DesiredStatus").asText().equals("run") ? running : stopped).add(alloc.get("Name").asText());
                }
                assertThat(running).containsExactlyInAnyOrder("auto.workers[0]", "auto.workers[1]");
                assertThat(stopped).contains("auto.workers[2]");
            });
        }
        catch (AssertionError | RuntimeException e) {
            System.out.println("nomad-autoscaler log:\n" + Files.readString(log));
            throw e;
        }
        Map<String, Long> requests = simulator.requestCounts("Go-http-client");
        System.out.println("endpoints nomad-autoscaler called on the simulator: " + requests.keySet());
        assertThat(requests).containsKeys("GET /v1/scaling/policies", "GET /v1/job/auto/scale", "PUT /v1/job/auto/scale");
        assertThat(requests.keySet()).anyMatch(key -> key.startsWith("GET /v1/scaling/policy/"));
    }

    private static String job(int count, int fixedValue)
    {
        return """
                {"Job":{"ID":"auto","Datacenters":["dc1"],"TaskGroups":[{"Name":"workers","Count":%d,
                  "Scaling":{"Min":1,"Max":5,"Enabled":true,"Policy":{"evaluation_interval":"2s","cooldown":"2s",
                    "check":[{"fixed":[{"strategy":[{"fixed-value":[{"value":%d}]}]}]}]}},
                  "Tasks":[{"Name":"t","Driver":"raw_exec","Config":{"command":"sleep","args":["600"]}}]}]}}
                """.formatted(count, fixedValue);
    }
}
