package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static io.prestoorchestrator.sim.nomad.NomadHttp.shellJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestNomadSimulatorCluster
{
    private static final String TOKEN = "3f0c2a8e-0000-4000-8000-000000000001";

    @TempDir
    static Path dataDir;

    private NomadSimulator simulator;
    private NomadHttp nomad;

    @BeforeAll
    void start()
    {
        simulator = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dataDir)
                .withMinHealthyTime(Duration.ofMillis(200))
                .withAclToken(TOKEN)).start();
        nomad = new NomadHttp(simulator.address(), Optional.of(TOKEN));
    }

    @AfterAll
    void stop()
    {
        simulator.close();
    }

    @Test
    void aclTokenEnforced()
    {
        NomadHttp anonymous = new NomadHttp(simulator.address());
        NomadHttp.Response denied = anonymous.get("/v1/jobs");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("Permission denied");
        NomadHttp.Response unknown = new NomadHttp(simulator.address(), Optional.of("wrong")).get("/v1/nodes");
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.body()).isEqualTo("ACL token not found");
        assertThat(anonymous.put("/v1/jobs", shellJob("acl", "g", 1, "true", "", "")).status()).isEqualTo(403);
        assertThat(nomad.get("/v1/job/acl").status()).as("denied write registered nothing").isEqualTo(404);
        assertThat(anonymous.get("/v1/status/leader").status()).isEqualTo(200);
        assertThat(nomad.get("/v1/jobs").status()).isEqualTo(200);
        assertThat(nomad.get("/v1/agent/self").json().get("config").get("ACL").get("Enabled").asBoolean()).isTrue();
    }

    @Test
    void nodesCarryEc2InstanceIdsAndNomadStubShape()
    {
        JsonNode stubs = nomad.get("/v1/nodes").json();
        assertThat(stubs).hasSize(3);
        assertThat(stubs).allSatisfy(stub -> {
            assertThat(stub.has("Attributes")).as("list stubs carry no attributes by default").isFalse();
            assertThat(stub.has("NodeResources")).isFalse();
            assertThat(stub.get("Datacenter").asText()).isEqualTo("dc1");
            assertThat(stub.get("NodePool").asText()).isEqualTo("default");
            assertThat(stub.get("SchedulingEligibility").asText()).isEqualTo("eligible");
            assertThat(stub.get("Status").asText()).isEqualTo("ready");
        });
        JsonNode withOs = nomad.get("/v1/nodes?os=true").json().get(0);
        assertThat(withOs.get("Attributes").size()).isEqualTo(1);
        assertThat(withOs.get("Attributes").get("os.name").asText()).isNotEmpty();
        assertThat(nomad.get("/v1/nodes?resources=true").json().get(0).get("NodeResources").get("Cpu").get("CpuShares").asInt()).isPositive();

        Set<String> instanceIds = new HashSet<>();
        for (JsonNode stub : stubs) {
            JsonNode node = nomad.get("/v1/node/" + stub.get("ID").asText()).json();
            String instanceId = node.get("Attributes").get("unique.platform.aws.instance-id").asText();
            assertThat(instanceId).matches("i-[0-9a-f]{17}");
            instanceIds.add(instanceId);
            assertThat(node.get("Attributes").get("driver.raw_exec").asText()).isEqualTo("1");
            assertThat(node.get("DrainStrategy").isNull()).isTrue();
            assertThat(node.get("Drain").asBoolean()).isFalse();
            assertThat(simulator.instanceIds()).containsEntry(node.get("Name").asText(), instanceId);
        }
        assertThat(instanceIds).hasSize(3);
    }

    @Test
    void drainMigratesAllocationsThenCompletes()
    {
        nomad.put("/v1/jobs", shellJob("drained", "g", 3, "sleep 300", ",\"KillSignal\":\"SIGTERM\"", ""));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(running("drained")).hasSize(3));
        JsonNode victim = running("drained").iterator().next();
        String nodeId = victim.get("NodeID").asText();

        NomadHttp.Response drain = nomad.post("/v1/node/" + nodeId + "/drain",
                "{\"DrainSpec\":{\"Deadline\":60000000000,\"IgnoreSystemJobs\":false},\"MarkEligible\":false,\"Meta\":{\"reason\":\"test\"}}");
        assertThat(drain.status()).isEqualTo(200);
        assertThat(drain.json().get("NodeModifyIndex").asLong()).isPositive();
        assertThat(drain.json().get("EvalIDs")).hasSize(1);
        JsonNode draining = nomad.get("/v1/node/" + nodeId).json();
        assertThat(draining.get("SchedulingEligibility").asText()).isEqualTo("ineligible");
        assertThat(draining.get("DrainStrategy").get("Deadline").asLong()).isEqualTo(60_000_000_000L);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode old = nomad.get("/v1/allocation/" + victim.get("ID").asText()).json();
            assertThat(old.get("DesiredStatus").asText()).isEqualTo("stop");
            assertThat(old.get("DesiredTransition").get("Migrate").asBoolean()).isTrue();
            assertThat(old.get("ClientStatus").asText()).isEqualTo("complete");
            JsonNode replacement = nomad.get("/v1/allocation/" + old.get("NextAllocation").asText()).json();
            assertThat(replacement.get("Name").asText()).isEqualTo(victim.get("Name").asText());
            assertThat(replacement.get("NodeID").asText()).isNotEqualTo(nodeId);
            assertThat(replacement.get("PreviousAllocation").asText()).isEqualTo(victim.get("ID").asText());
            assertThat(replacement.get("ClientStatus").asText()).isEqualTo("running");
            JsonNode node = nomad.get("/v1/node/" + nodeId).json();
            assertThat(node.get("DrainStrategy").isNull()).isTrue();
            assertThat(node.get("LastDrain").get("Status").asText()).isEqualTo("complete");
            assertThat(node.get("LastDrain").get("Meta").get("reason").asText()).isEqualTo("test");
            assertThat(node.get("SchedulingEligibility").asText()).isEqualTo("ineligible");
        });
        assertThat(running("drained")).hasSize(3).noneSatisfy(alloc -> assertThat(alloc.get("NodeID").asText()).isEqualTo(nodeId));

        NomadHttp.Response eligible = nomad.post("/v1/node/" + nodeId + "/eligibility", "{\"Eligibility\":\"eligible\"}");
        assertThat(eligible.status()).isEqualTo(200);
        assertThat(nomad.get("/v1/node/" + nodeId).json().get("SchedulingEligibility").asText()).isEqualTo("eligible");
        nomad.delete("/v1/job/drained?purge=true");
    }

    @Test
    void eligibilityAndDrainCancel()
    {
        String nodeId = nomad.get("/v1/nodes").json().get(2).get("ID").asText();
        assertThat(nomad.post("/v1/node/" + nodeId + "/eligibility", "{\"Eligibility\":\"ineligible\"}").status()).isEqualTo(200);
        assertThat(nomad.get("/v1/node/" + nodeId).json().get("SchedulingEligibility").asText()).isEqualTo("ineligible");
        NomadHttp.Response invalid = nomad.post("/v1/node/" + nodeId + "/eligibility", "{\"Eligibility\":\"maybe\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("invalid scheduling eligibility");

        // draining an empty node completes at once and leaves it ineligible
        nomad.post("/v1/node/" + nodeId + "/drain", "{\"DrainSpec\":{\"Deadline\":3600000000000},\"Meta\":{}}");
        JsonNode drained = nomad.get("/v1/node/" + nodeId).json();
        assertThat(drained.get("LastDrain").get("Status").asText()).isEqualTo("complete");
        assertThat(drained.get("SchedulingEligibility").asText()).isEqualTo("ineligible");
        assertThat(nomad.post("/v1/node/" + nodeId + "/eligibility", "{\"Eligibility\":\"eligible\"}").status()).isEqualTo(200);

        // a drain still waiting for a slow task refuses eligibility; a null DrainSpec cancels it
        nomad.put("/v1/jobs", shellJob("slowstop", "g", 3, "trap '' INT; while true; do sleep 0.2; done", ",\"KillTimeout\":3000000000", ""));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(running("slowstop")).hasSize(3));
        String busyNode = running("slowstop").iterator().next().get("NodeID").asText();
        nomad.post("/v1/node/" + busyNode + "/drain", "{\"DrainSpec\":{\"Deadline\":3600000000000},\"Meta\":{}}");
        NomadHttp.Response refused = nomad.post("/v1/node/" + busyNode + "/eligibility", "{\"Eligibility\":\"eligible\"}");
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.body()).contains("while it is draining");
        assertThat(nomad.post("/v1/node/" + busyNode + "/drain", "{\"DrainSpec\":null,\"MarkEligible\":true}").status()).isEqualTo(200);
        JsonNode node = nomad.get("/v1/node/" + busyNode).json();
        assertThat(node.get("DrainStrategy").isNull()).isTrue();
        assertThat(node.get("LastDrain").get("Status").asText()).isEqualTo("canceled");
        assertThat(node.get("SchedulingEligibility").asText()).isEqualTo("eligible");
        nomad.delete("/v1/job/slowstop?purge=true");
        assertThat(nomad.post("/v1/node/unknown-node-id/drain", "{\"DrainSpec\":null}").status()).isEqualTo(404);
    }

    @Test
    void scalingPoliciesAsTheAutoscalerReadsThem()
    {
        String scaling = """
                ,"Scaling":{"Min":1,"Max":4,"Enabled":true,"Policy":{"cooldown":"10s","evaluation_interval":"5s",
                  "check":[{"fixed":[{"strategy":[{"fixed-value":[{"value":2}]}]}]}]}}""";
        nomad.put("/v1/jobs", shellJob("scalable", "workers", 1, "sleep 300", "", scaling));
        JsonNode list = nomad.get("/v1/scaling/policies?job=scalable").json();
        assertThat(list).hasSize(1);
        JsonNode stub = list.get(0);
        assertThat(stub.get("Type").asText()).isEqualTo("horizontal");
        assertThat(stub.get("Enabled").asBoolean()).isTrue();
        assertThat(stub.get("Target").get("Namespace").asText()).isEqualTo("default");
        assertThat(stub.get("Target").get("Job").asText()).isEqualTo("scalable");
        assertThat(stub.get("Target").get("Group").asText()).isEqualTo("workers");
        assertThat(nomad.get("/v1/scaling/policies?type=horizontal").json()).anySatisfy(p -> assertThat(p.get("ID").asText()).isEqualTo(stub.get("ID").asText()));
        assertThat(nomad.get("/v1/scaling/policies?type=vertical_cpu").json()).isEmpty();

        JsonNode policy = nomad.get("/v1/scaling/policy/" + stub.get("ID").asText()).json();
        assertThat(policy.get("Min").asLong()).isEqualTo(1);
        assertThat(policy.get("Max").asLong()).isEqualTo(4);
        assertThat(policy.get("Policy").get("check").get(0).get("fixed").get(0).get("strategy").get(0).get("fixed-value").get(0).get("value").asInt()).isEqualTo(2);
        assertThat(policy.get("Policy").get("cooldown").asText()).isEqualTo("10s");
        assertThat(nomad.get("/v1/job/scalable").json().get("TaskGroups").get(0).get("Scaling").get("ID").asText()).isEqualTo(stub.get("ID").asText());

        // the policy keeps its ID across versions; a stopped job's policy is disabled
        nomad.put("/v1/jobs", shellJob("scalable", "workers", 2, "sleep 300", "", scaling));
        assertThat(nomad.get("/v1/scaling/policies?job=scalable").json().get(0).get("ID").asText()).isEqualTo(stub.get("ID").asText());
        nomad.delete("/v1/job/scalable");
        assertThat(nomad.get("/v1/scaling/policy/" + stub.get("ID").asText()).json().get("Enabled").asBoolean()).isFalse();
        nomad.delete("/v1/job/scalable?purge=true");
        NomadHttp.Response gone = nomad.get("/v1/scaling/policy/" + stub.get("ID").asText());
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo("policy not found");
    }

    @Test
    void scalingOneGroupOfATwoGroupJobCompletesItsDeployment()
    {
        String job = """
                {"Job":{"ID":"twogroups","Datacenters":["dc1"],"Update":{"MaxParallel":1,"HealthCheck":"checks","MinHealthyTime":10000000000,"HealthyDeadline":300000000000},
                  "TaskGroups":[
                    {"Name":"coordinator","Count":1,"Tasks":[{"Name":"t","Driver":"raw_exec","Config":{"command":"sleep","args":["300"]}}]},
                    {"Name":"workers","Count":1,"Scaling":{"Min":1,"Max":4,"Enabled":true,"Policy":{}},
                     "Tasks":[{"Name":"t","Driver":"raw_exec","Config":{"command":"sleep","args":["300"]}}]}]}}
                """;
        assertThat(nomad.put("/v1/jobs", job).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> nomad.get("/v1/job/twogroups/deployment").json().get("Status").asText().equals("successful"));
        NomadHttp.Response scaled = nomad.put("/v1/job/twogroups/scale", "{\"Count\":3,\"Target\":{\"Group\":\"workers\"},\"Message\":\"more\"}");
        assertThat(scaled.status()).as(scaled.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode deployment = nomad.get("/v1/job/twogroups/deployment").json();
            assertThat(deployment.get("Status").asText()).as(deployment.toString()).isEqualTo("successful");
            assertThat(deployment.get("TaskGroups").get("workers").get("DesiredTotal").asInt()).isEqualTo(3);
            assertThat(deployment.get("TaskGroups").get("workers").get("HealthyAllocs").asInt()).isEqualTo(3);
        });
        nomad.delete("/v1/job/twogroups?purge=true");
    }

    @Test
    void variablesWithCheckAndSet()
    {
        NomadHttp.Response created = nomad.put("/v1/var/nomad/jobs/vars-test?cas=0", "{\"Items\":{\"a\":\"1\"}}");
        assertThat(created.status()).isEqualTo(200);
        long modifyIndex = created.json().get("ModifyIndex").asLong();
        assertThat(created.json().get("Path").asText()).isEqualTo("nomad/jobs/vars-test");

        JsonNode read = nomad.get("/v1/var/nomad/jobs/vars-test").json();
        assertThat(read.get("Items").get("a").asText()).isEqualTo("1");
        assertThat(read.get("Namespace").asText()).isEqualTo("default");

        NomadHttp.Response conflict = nomad.put("/v1/var/nomad/jobs/vars-test?cas=1", "{\"Items\":{\"a\":\"2\"}}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("ModifyIndex").asLong()).isEqualTo(modifyIndex);
        assertThat(conflict.json().has("Items")).isFalse();
        assertThat(nomad.put("/v1/var/nomad/jobs/vars-test?cas=" + modifyIndex, "{\"Items\":{\"a\":\"2\"}}").status()).isEqualTo(200);

        JsonNode listed = nomad.get("/v1/vars?prefix=nomad/jobs/vars").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("Items")).isFalse();
        assertThat(nomad.put("/v1/var/nomad/jobs/empty", "{\"Items\":{}}").body()).isEqualTo("variable missing required Items object");
        assertThat(nomad.delete("/v1/var/nomad/jobs/vars-test").status()).as("Nomad 1.6.1 answers a delete with no content").isEqualTo(204);
        NomadHttp.Response missing = nomad.get("/v1/var/nomad/jobs/vars-test");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("variable not found");
    }

    private Set<JsonNode> running(String job)
    {
        Set<JsonNode> running = new HashSet<>();
        for (JsonNode alloc : nomad.get("/v1/job/" + job + "/allocations").json()) {
            if (alloc.get("DesiredStatus").asText().equals("run") && alloc.get("ClientStatus").asText().equals("running")) {
                running.add(alloc);
            }
        }
        return running;
    }
}
