package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestAgentAndCatalog
{
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).nodeName("sim-node").build().startAndWait();
        consul = new ConsulHttp(simulator.baseUri());
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Test
    void registeredServiceAppearsInAgentCatalogAndHealth()
    {
        assertThat(consul.put("/v1/agent/service/register", """
                {"ID": "web-1", "Name": "web", "Tags": ["primary", "v1"], "Port": 8080, "Address": "10.0.0.7",
                 "Meta": {"version": "1.2"}, "EnableTagOverride": true}
                """).status()).isEqualTo(200);

        JsonObject agentService = consul.get("/v1/agent/services").json().getJsonObject("web-1");
        assertThat(agentService.getString("ID")).isEqualTo("web-1");
        assertThat(agentService.getString("Service")).isEqualTo("web");
        assertThat(agentService.getJsonArray("Tags")).containsExactly("primary", "v1");
        assertThat(agentService.getJsonObject("Meta").getString("version")).isEqualTo("1.2");
        assertThat(agentService.getInteger("Port")).isEqualTo(8080);
        assertThat(agentService.getString("Address")).isEqualTo("10.0.0.7");
        assertThat(agentService.getBoolean("EnableTagOverride")).isTrue();
        assertThat(agentService.getJsonObject("Weights")).isEqualTo(new JsonObject().put("Passing", 1).put("Warning", 1));
        assertThat(agentService.getString("Datacenter")).isEqualTo("dc1");

        JsonObject services = consul.get("/v1/catalog/services").json();
        assertThat(services.getJsonArray("web")).containsExactly("primary", "v1");
        assertThat(services.getJsonArray("consul")).isEmpty();

        JsonObject catalogEntry = consul.get("/v1/catalog/service/web").jsonArray().getJsonObject(0);
        assertThat(catalogEntry.getString("Node")).isEqualTo("sim-node");
        assertThat(catalogEntry.getString("Datacenter")).isEqualTo("dc1");
        assertThat(catalogEntry.getString("ServiceID")).isEqualTo("web-1");
        assertThat(catalogEntry.getString("ServiceName")).isEqualTo("web");
        assertThat(catalogEntry.getString("ServiceAddress")).isEqualTo("10.0.0.7");
        assertThat(catalogEntry.getInteger("ServicePort")).isEqualTo(8080);
        assertThat(catalogEntry.getJsonObject("ServiceTaggedAddresses").getJsonObject("lan_ipv4"))
                .isEqualTo(new JsonObject().put("Address", "10.0.0.7").put("Port", 8080));
        assertThat(catalogEntry.getLong("CreateIndex")).isPositive();

        JsonObject healthEntry = consul.get("/v1/health/service/web").jsonArray().getJsonObject(0);
        assertThat(healthEntry.getJsonObject("Node").getString("Node")).isEqualTo("sim-node");
        assertThat(healthEntry.getJsonObject("Service").getString("ID")).isEqualTo("web-1");
        assertThat(healthEntry.getJsonArray("Checks").stream().map(check -> ((JsonObject) check).getString("CheckID")))
                .containsExactly("serfHealth");
    }

    @Test
    void deregistrationRemovesServiceAndItsChecks()
    {
        consul.put("/v1/agent/service/register", """
                {"ID": "gone-1", "Name": "gone", "Port": 1, "Check": {"TTL": "30s"}}
                """);
        assertThat(consul.get("/v1/agent/checks").json().containsKey("service:gone-1")).isTrue();

        assertThat(consul.put("/v1/agent/service/deregister/gone-1", null).status()).isEqualTo(200);

        assertThat(consul.get("/v1/agent/services").json().containsKey("gone-1")).isFalse();
        assertThat(consul.get("/v1/agent/checks").json().containsKey("service:gone-1")).isFalse();
        assertThat(consul.get("/v1/catalog/service/gone").jsonArray()).isEmpty();
        assertThat(consul.get("/v1/catalog/services").json().containsKey("gone")).isFalse();

        ConsulHttp.Response again = consul.put("/v1/agent/service/deregister/gone-1", null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("Unknown service ID \"gone-1\". Ensure that the service ID is passed, not the service name.");
    }

    @Test
    void passingFilterAndTagFilter()
    {
        consul.put("/v1/agent/service/register", """
                {"ID": "api-1", "Name": "api", "Tags": ["blue"], "Port": 1, "Check": {"CheckID": "api-1-ttl", "TTL": "60s", "Status": "passing"}}
                """);
        consul.put("/v1/agent/service/register", """
                {"ID": "api-2", "Name": "api", "Tags": ["green"], "Port": 2, "Check": {"CheckID": "api-2-ttl", "TTL": "60s"}}
                """);

        assertThat(serviceIds(consul.get("/v1/health/service/api").jsonArray())).containsExactly("api-1", "api-2");
        assertThat(serviceIds(consul.get("/v1/health/service/api?passing").jsonArray())).containsExactly("api-1");
        assertThat(serviceIds(consul.get("/v1/health/service/api?passing=1").jsonArray())).containsExactly("api-1");
        assertThat(serviceIds(consul.get("/v1/health/service/api?passing=false").jsonArray())).containsExactly("api-1", "api-2");
        assertThat(serviceIds(consul.get("/v1/health/service/api?tag=green").jsonArray())).containsExactly("api-2");
        assertThat(consul.get("/v1/catalog/service/api?tag=blue").jsonArray()).hasSize(1);

        JsonArray critical = consul.get("/v1/health/state/critical").jsonArray();
        assertThat(critical.stream().map(check -> ((JsonObject) check).getString("CheckID"))).contains("api-2-ttl").doesNotContain("api-1-ttl");
        JsonArray apiChecks = consul.get("/v1/health/checks/api").jsonArray();
        assertThat(apiChecks.stream().map(check -> ((JsonObject) check).getString("Status"))).containsExactlyInAnyOrder("passing", "critical");
        assertThat(consul.get("/v1/health/state/bogus").status()).isEqualTo(400);
    }

    @Test
    void checkRegisteredSeparatelyAsNomadDoes()
    {
        consul.put("/v1/agent/service/register", """
                {"ID": "_nomad-task-abc-group-trino-http", "Name": "trino", "Port": 8080, "Address": "127.0.0.1",
                 "Meta": {"external-source": "nomad"}}
                """);
        ConsulHttp.Response check = consul.put("/v1/agent/check/register", """
                {"ID": "_nomad-check-123", "Name": "service: \\"trino\\" check", "ServiceID": "_nomad-task-abc-group-trino-http",
                 "TTL": "30s", "Status": "passing"}
                """);
        assertThat(check.status()).isEqualTo(200);

        JsonObject entry = consul.get("/v1/health/service/trino").jsonArray().getJsonObject(0);
        assertThat(entry.getJsonArray("Checks").stream().map(c -> ((JsonObject) c).getString("CheckID")))
                .containsExactly("serfHealth", "_nomad-check-123");
        JsonObject agentCheck = consul.get("/v1/agent/checks").json().getJsonObject("_nomad-check-123");
        assertThat(agentCheck.getString("ServiceName")).isEqualTo("trino");
        assertThat(agentCheck.getString("Type")).isEqualTo("ttl");

        ConsulHttp.Response orphan = consul.put("/v1/agent/check/register", """
                {"ID": "orphan", "Name": "orphan", "ServiceID": "no-such-service", "TTL": "30s"}
                """);
        assertThat(orphan.status()).isEqualTo(404);
        assertThat(orphan.body()).isEqualTo("ServiceID \"no-such-service\" does not exist");

        assertThat(consul.put("/v1/agent/check/deregister/_nomad-check-123", null).status()).isEqualTo(200);
        assertThat(consul.get("/v1/agent/checks").json().containsKey("_nomad-check-123")).isFalse();
    }

    @Test
    void unchangedReRegistrationDoesNotMoveTheIndex()
    {
        String body = """
                {"ID": "same-1", "Name": "same", "Port": 9, "Check": {"CheckID": "same-ttl", "TTL": "60s", "Status": "passing"}}
                """;
        consul.put("/v1/agent/service/register", body);
        long before = consul.get("/v1/health/service/same").index();

        consul.put("/v1/agent/service/register", body);

        assertThat(consul.get("/v1/health/service/same").index()).isEqualTo(before);
        consul.put("/v1/agent/service/register", body.replace("\"Port\": 9", "\"Port\": 10"));
        assertThat(consul.get("/v1/health/service/same").index()).isGreaterThan(before);
    }

    @Test
    void singleAgentServiceAndCatalogNode()
    {
        consul.put("/v1/agent/service/register", "{\"ID\": \"one-1\", \"Name\": \"one\", \"Port\": 7}");
        ConsulHttp.Response one = consul.get("/v1/agent/service/one-1");
        assertThat(one.json().getString("Service")).isEqualTo("one");
        assertThat(one.json().getString("ContentHash")).isNotBlank();
        assertThat(one.header("X-Consul-ContentHash")).contains(one.json().getString("ContentHash"));

        ConsulHttp.Response missing = consul.get("/v1/agent/service/none-such");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("unknown service ID: none-such");

        JsonObject node = consul.get("/v1/catalog/node/sim-node").json();
        assertThat(node.getJsonObject("Node").getString("Node")).isEqualTo("sim-node");
        assertThat(node.getJsonObject("Services").getJsonObject("one-1").getInteger("Port")).isEqualTo(7);
        assertThat(node.getJsonObject("Services").containsKey("consul")).isTrue();
        ConsulHttp.Response otherNode = consul.get("/v1/catalog/node/elsewhere");
        assertThat(otherNode.status()).isEqualTo(200);
        assertThat(otherNode.body()).isEmpty();
    }

    @Test
    void statusAndNodeEndpoints()
    {
        assertThat(consul.get("/v1/status/leader").body()).isEqualTo("\"127.0.0.1:8300\"\n");
        assertThat(consul.get("/v1/status/peers").jsonArray()).containsExactly("127.0.0.1:8300");
        assertThat(consul.get("/v1/catalog/datacenters").jsonArray()).containsExactly("dc1");
        JsonObject node = consul.get("/v1/catalog/nodes").jsonArray().getJsonObject(0);
        assertThat(node.getString("Node")).isEqualTo("sim-node");
        assertThat(node.getString("Address")).isEqualTo("127.0.0.1");
        JsonObject self = consul.get("/v1/agent/self").json();
        assertThat(self.getJsonObject("Config").getString("NodeName")).isEqualTo("sim-node");
        assertThat(self.getJsonObject("Config").getString("Datacenter")).isEqualTo("dc1");
        assertThat(consul.get("/v1/agent/members").jsonArray().getJsonObject(0).getString("Name")).isEqualTo("sim-node");
    }

    private static java.util.List<String> serviceIds(JsonArray entries)
    {
        return entries.stream().map(entry -> ((JsonObject) entry).getJsonObject("Service").getString("ID")).sorted().toList();
    }
}
