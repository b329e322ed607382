package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request/response contract of the Nomad HTTP API as the public API documentation describes it,
 * written as our own test data. Runs against the simulator always ({@link TestNomadApiContract})
 * and against a real {@code nomad agent -dev} when one is on PATH ({@link NomadApiContractRealAgentIT}).
 * Only shapes and values both must agree on are asserted (no timing, no placement).
 */
abstract class NomadApiContract
{
    /** Base address of the agent under test, e.g. http://127.0.0.1:4646. */
    protected abstract URI baseAddress();

    protected Optional<String> token()
    {
        return Optional.empty();
    }

    private NomadHttp nomad()
    {
        return new NomadHttp(baseAddress(), token());
    }

    private static String uniqueJob()
    {
        return "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String job(String id, int count, String scaling)
    {
        return """
                {"Job":{"ID":"%s","Name":"%s","Type":"service","Datacenters":["*"],"TaskGroups":[{"Name":"cache","Count":%d%s,
                  "Tasks":[{"Name":"redis","Driver":"raw_exec","Config":{"command":"sleep","args":["300"]},
                    "Resources":{"CPU":100,"MemoryMB":64}}]}]}}
                """.formatted(id, id, count, scaling);
    }

    // https://developer.hashicorp.com/nomad/api-docs/status#read-leader-address : a JSON string "ip:port"
    @Test
    void statusLeaderIsAJsonString()
    {
        JsonNode leader = nomad().get("/v1/status/leader").json();
        assertThat(leader.isTextual()).isTrue();
        assertThat(leader.asText()).matches(".+:\\d+");
    }

    // https://developer.hashicorp.com/nomad/api-docs/jobs#create-job : response EvalID, EvalCreateIndex, JobModifyIndex, Warnings
    // https://developer.hashicorp.com/nomad/api-docs/jobs#read-job : the canonicalized job
    @Test
    void registerThenReadJob()
    {
        String id = uniqueJob();
        NomadHttp.Response register = nomad().post("/v1/jobs", job(id, 1, ""));
        assertThat(register.status()).as(register.body()).isEqualTo(200);
        JsonNode response = register.json();
        assertThat(response.get("EvalID").asText()).matches("[0-9a-f-]{36}");
        assertThat(response.get("EvalCreateIndex").asLong()).isPositive();
        assertThat(response.get("JobModifyIndex").asLong()).isPositive();
        assertThat(response.has("Warnings")).isTrue();
        assertThat(register.index()).isPresent();

        NomadHttp.Response read = nomad().get("/v1/job/" + id);
        assertThat(read.index()).isPresent();
        JsonNode job = read.json();
        assertThat(job.get("ID").asText()).isEqualTo(id);
        assertThat(job.get("Namespace").asText()).isEqualTo("default");
        assertThat(job.get("Type").asText()).isEqualTo("service");
        assertThat(job.get("Priority").asInt()).isEqualTo(50);
        assertThat(job.get("Version").asInt()).isZero();
        assertThat(job.get("Stop").asBoolean()).isFalse();
        JsonNode group = job.get("TaskGroups").get(0);
        assertThat(group.get("Count").asInt()).isEqualTo(1);
        assertThat(group.get("RestartPolicy").get("Mode").asText()).isEqualTo("fail");
        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("KillTimeout").asLong()).isEqualTo(5_000_000_000L);
        assertThat(task.get("LogConfig").get("MaxFiles").asInt()).isEqualTo(10);

        JsonNode stubs = nomad().get("/v1/jobs?prefix=" + id).json();
        assertThat(stubs).hasSize(1);
        assertThat(stubs.get(0).get("JobSummary").get("Summary").has("cache")).isTrue();
        nomad().delete("/v1/job/" + id + "?purge=true");
    }

    // https://developer.hashicorp.com/nomad/api-docs/jobs#read-job-scale-status
    // https://developer.hashicorp.com/nomad/api-docs/jobs#scale-task-group
    @Test
    void scaleStatusAndScaleRequest()
    {
        String id = uniqueJob();
        nomad().post("/v1/jobs", job(id, 1, ",\"Scaling\":{\"Min\":0,\"Max\":3,\"Policy\":{\"cooldown\":\"1m\"}}"));
        JsonNode status = nomad().get("/v1/job/" + id + "/scale").json();
        assertThat(status.get("JobID").asText()).isEqualTo(id);
        assertThat(status.get("JobStopped").asBoolean()).isFalse();
        JsonNode group = status.get("TaskGroups").get("cache");
        assertThat(group.get("Desired").asInt()).isEqualTo(1);
        assertThat(group.has("Placed")).isTrue();
        assertThat(group.has("Running")).isTrue();
        assertThat(group.has("Healthy")).isTrue();
        assertThat(group.has("Unhealthy")).isTrue();

        // an error-only scaling event records no count change
        NomadHttp.Response event = nomad().post("/v1/job/" + id + "/scale", "{\"Target\":{\"Group\":\"cache\"},\"Error\":true,\"Message\":\"contract\"}");
        assertThat(event.status()).as(event.body()).isEqualTo(200);
        JsonNode events = nomad().get("/v1/job/" + id + "/scale").json().get("TaskGroups").get("cache").get("Events");
        assertThat(events.get(0).get("Message").asText()).isEqualTo("contract");
        assertThat(events.get(0).get("Error").asBoolean()).isTrue();
        assertThat(events.get(0).get("Count").isNull()).isTrue();

        NomadHttp.Response overMax = nomad().post("/v1/job/" + id + "/scale", "{\"Count\":4,\"Target\":{\"Group\":\"cache\"}}");
        assertThat(overMax.status()).isEqualTo(400);
        assertThat(overMax.body()).contains("group count was greater than scaling policy maximum: 4 > 3");
        nomad().delete("/v1/job/" + id + "?purge=true");
    }

    // https://developer.hashicorp.com/nomad/api-docs/scaling-policies
    @Test
    void scalingPolicyFromGroupScalingBlock()
    {
        String id = uniqueJob();
        nomad().post("/v1/jobs", job(id, 1, ",\"Scaling\":{\"Min\":1,\"Max\":5,\"Policy\":{\"cooldown\":\"1m\"}}"));
        JsonNode list = nomad().get("/v1/scaling/policies?job=" + id).json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("Type").asText()).isEqualTo("horizontal");
        assertThat(list.get(0).get("Target").get("Job").asText()).isEqualTo(id);
        assertThat(list.get(0).get("Target").get("Group").asText()).isEqualTo("cache");
        assertThat(list.get(0).get("Target").get("Namespace").asText()).isEqualTo("default");
        JsonNode policy = nomad().get("/v1/scaling/policy/" + list.get(0).get("ID").asText()).json();
        assertThat(policy.get("Min").asInt()).isEqualTo(1);
        assertThat(policy.get("Max").asInt()).isEqualTo(5);
        assertThat(policy.get("Enabled").asBoolean()).isTrue();
        assertThat(policy.get("Policy").get("cooldown").asText()).isEqualTo("1m");
        nomad().delete("/v1/job/" + id + "?purge=true");
    }

    // https://developer.hashicorp.com/nomad/api-docs/nodes#list-nodes : stubs; Attributes only with os=true
    @Test
    void nodeStubs()
    {
        JsonNode stubs = nomad().get("/v1/nodes").json();
        assertThat(stubs.size()).isPositive();
        JsonNode stub = stubs.get(0);
        for (String field : new String[] {"ID", "Datacenter", "Name", "NodeClass", "NodePool", "Drain", "SchedulingEligibility", "Status", "Drivers"}) {
            assertThat(stub.has(field)).as(field).isTrue();
        }
        assertThat(stub.has("Attributes")).isFalse();
        assertThat(nomad().get("/v1/nodes?os=true").json().get(0).get("Attributes").has("os.name")).isTrue();
        JsonNode node = nomad().get("/v1/node/" + stub.get("ID").asText()).json();
        assertThat(node.get("Attributes").isObject()).isTrue();
        assertThat(node.get("SchedulingEligibility").asText()).isIn("eligible", "ineligible");
    }

    // https://developer.hashicorp.com/nomad/api-docs/variables/variables : create with cas=0, conflict 409, list metadata
    @Test
    void variablesCheckAndSet()
    {
        String path = "nomad/jobs/" + uniqueJob();
        NomadHttp.Response created = nomad().put("/v1/var/" + path + "?cas=0", "{\"Namespace\":\"default\",\"Path\":\"" + path + "\",\"Items\":{\"user\":\"me\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("Items").get("user").asText()).isEqualTo("me");
        assertThat(nomad().put("/v1/var/" + path + "?cas=0", "{\"Items\":{\"user\":\"you\"}}").status()).isEqualTo(409);
        JsonNode listed = nomad().get("/v1/vars?prefix=" + path).json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("Items")).isFalse();
        assertThat(nomad().delete("/v1/var/" + path).status()).as("Nomad 1.6.1 answers a delete with no content").isEqualTo(204);
        assertThat(nomad().get("/v1/var/" + path).status()).isEqualTo(404);
    }

    // https://developer.hashicorp.com/nomad/api-docs#blocking-queries and error responses
    @Test
    void errorsAndBlockingHeaders()
    {
        NomadHttp.Response missing = nomad().get("/v1/job/" + uniqueJob());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("job not found");
        NomadHttp.Response noJob = nomad().post("/v1/jobs", "{}");
        assertThat(noJob.status()).isEqualTo(400);
        assertThat(noJob.body()).contains("Job must be specified");
        NomadHttp.Response list = nomad().get("/v1/jobs");
        long index = list.nomadIndex();
        NomadHttp.Response waited = nomad().get("/v1/jobs?index=" + index + "&wait=100ms");
        assertThat(waited.nomadIndex()).isGreaterThanOrEqualTo(index);
    }
}
