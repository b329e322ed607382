package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several local agents sharing one catalog (one per Nomad client, as in production): each agent's
 * /v1/agent endpoints see, update and deregister only what was registered through it; the catalog
 * and health endpoints of any agent see everything.
 */
class TestAgentScopes
{
    private static ConsulSimulator simulator;
    private static ConsulHttp main;
    private static ConsulHttp first;
    private static ConsulHttp second;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).build().startAndWait();
        main = new ConsulHttp(simulator.baseUri());
        first = new ConsulHttp(simulator.startAgent("agent-1", 0));
        second = new ConsulHttp(simulator.startAgent("agent-2", 0));
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Test
    void eachAgentSeesOnlyItsOwnServicesAndChecks()
    {
        assertThat(first.put("/v1/agent/service/register", """
                {"ID": "_nomad-task-a", "Name": "trino-a", "Port": 1, "Check": {"CheckID": "_nomad-check-a", "TTL": "30s"}}
                """).status()).isEqualTo(200);
        assertThat(second.put("/v1/agent/service/register", """
                {"ID": "_nomad-task-b", "Name": "trino-b", "Port": 2}
                """).status()).isEqualTo(200);

        assertThat(first.get("/v1/agent/services").json().fieldNames()).containsExactly("_nomad-task-a");
        assertThat(second.get("/v1/agent/services").json().fieldNames()).containsExactly("_nomad-task-b");
        assertThat(main.get("/v1/agent/services").json().fieldNames()).doesNotContain("_nomad-task-a", "_nomad-task-b");
        assertThat(first.get("/v1/agent/checks").json().fieldNames()).containsExactly("_nomad-check-a");
        assertThat(second.get("/v1/agent/checks").json().fieldNames()).isEmpty();
        assertThat(second.get("/v1/agent/service/_nomad-task-a").status()).isEqualTo(404);

        // what Nomad's client does with a service its agent lists but it does not know: another agent's stays
        ConsulHttp.Response foreign = second.put("/v1/agent/service/deregister/_nomad-task-a", null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body()).contains("Unknown service ID \"_nomad-task-a\"");
        assertThat(second.put("/v1/agent/check/update/_nomad-check-a", "{\"Status\": \"passing\"}").status()).isEqualTo(404);
        assertThat(first.put("/v1/agent/check/update/_nomad-check-a", "{\"Status\": \"passing\"}").status()).isEqualTo(200);

        // the catalog is shared: every agent (and Traefik, on the main port) sees both
        for (ConsulHttp agent : new ConsulHttp[] {main, first, second}) {
            JsonObject services = agent.get("/v1/catalog/services").json();
            assertThat(services.fieldNames()).contains("trino-a", "trino-b");
        }
        assertThat(main.get("/v1/health/checks/trino-a").jsonArray().getJsonObject(0).getString("Status")).isEqualTo("passing");

        assertThat(first.put("/v1/agent/service/deregister/_nomad-task-a", null).status()).isEqualTo(200);
        assertThat(main.get("/v1/catalog/services").json().fieldNames()).doesNotContain("trino-a").contains("trino-b");
    }
}
