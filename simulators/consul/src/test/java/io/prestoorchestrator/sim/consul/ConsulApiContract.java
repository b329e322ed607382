package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What any Consul agent's HTTP API must do for this project, built from the request/response
 * examples of the public Consul API documentation (rewritten as our own test data; each test names
 * its page). Subclasses supply the address of a simulator or of a real {@code consul agent -dev}.
 * Every test uses fresh names, so the suite can share one agent.
 */
abstract class ConsulApiContract
{
    private ConsulHttp consul;
    private String suffix;

    /**
     * Base address of the agent under test, e.g. http://127.0.0.1:8500.
     */
    protected abstract URI consulAddress();

    @BeforeEach
    final void connect()
    {
        consul = new ConsulHttp(consulAddress());
        suffix = UUID.randomUUID().toString().substring(0, 8);
    }

    private String unique(String name)
    {
        return name + "-" + suffix;
    }

    private String nodeName()
    {
        return consul.get("/v1/agent/self").json().getJsonObject("Config").getString("NodeName");
    }

    // https://developer.hashicorp.com/consul/api-docs/status
    @Test
    void statusLeaderAndPeers()
    {
        ConsulHttp.Response leader = consul.get("/v1/status/leader");
        assertThat(leader.status()).isEqualTo(200);
        String address = new io.vertx.core.json.JsonArray("[" + leader.body() + "]").getString(0);
        assertThat(address).matches("[0-9a-f.:\\[\\]]+:\\d+");
        assertThat(consul.get("/v1/status/peers").jsonArray()).contains(address);
    }

    // https://developer.hashicorp.com/consul/api-docs/agent/service (Register Service sample payload; the
    // sample's script check is replaced by an HTTP check because agents refuse scripts by default)
    // https://developer.hashicorp.com/consul/api-docs/agent/service (List Services sample response)
    @Test
    void registerServiceThenListItOnTheAgent()
    {
        String id = unique("redis1");
        String name = unique("redis");
        ConsulHttp.Response register = consul.put("/v1/agent/service/register?replace-existing-checks=true", """
                {"ID": "%s", "Name": "%s", "Tags": ["primary", "v1"], "Address": "127.0.0.1", "Port": 8000,
                 "Meta": {"redis_version": "4.0"}, "EnableTagOverride": false,
                 "Check": {"DeregisterCriticalServiceAfter": "90m", "HTTP": "http://127.0.0.1:1/health", "Interval": "10s", "Timeout": "5s"},
                 "Weights": {"Passing": 10, "Warning": 1}}
                """.formatted(id, name));
        assertThat(register.status()).as(register.body()).isEqualTo(200);
        assertThat(register.body()).isEmpty();

        JsonObject service = consul.get("/v1/agent/services").json().getJsonObject(id);
        assertThat(service.getString("ID")).isEqualTo(id);
        assertThat(service.getString("Service")).isEqualTo(name);
        assertThat(service.getJsonArray("Tags")).containsExactly("primary", "v1");
        assertThat(service.getJsonObject("Meta")).isEqualTo(new JsonObject().put("redis_version", "4.0"));
        assertThat(service.getInteger("Port")).isEqualTo(8000);
        assertThat(service.getString("Address")).isEqualTo("127.0.0.1");
        assertThat(service.getBoolean("EnableTagOverride")).isFalse();
        assertThat(service.getJsonObject("Weights")).isEqualTo(new JsonObject().put("Passing", 10).put("Warning", 1));
        assertThat(service.getString("Datacenter")).isNotBlank();

        // https://developer.hashicorp.com/consul/api-docs/agent/service (Get Service Configuration: the
        // definition plus ContentHash, also sent as X-Consul-ContentHash)
        ConsulHttp.Response single = consul.get("/v1/agent/service/" + id);
        assertThat(single.json().getString("ID")).isEqualTo(id);
        assertThat(single.json().getInteger("Port")).isEqualTo(8000);
        assertThat(single.header("X-Consul-ContentHash")).contains(single.json().getString("ContentHash"));

        // https://developer.hashicorp.com/consul/api-docs/agent/check (List Checks): the generated check ID and name
        JsonObject check = consul.get("/v1/agent/checks").json().getJsonObject("service:" + id);
        assertThat(check.getString("Name")).isEqualTo("Service '" + name + "' check");
        assertThat(check.getString("ServiceID")).isEqualTo(id);
        assertThat(check.getString("ServiceName")).isEqualTo(name);
        assertThat(check.getString("Status")).isIn("critical", "passing", "warning");
        assertThat(check.getString("Type")).isEqualTo("http");

        assertThat(consul.put("/v1/agent/service/deregister/" + id, null).status()).isEqualTo(200);
        assertThat(consul.get("/v1/agent/services").json().containsKey(id)).isFalse();
    }

    // https://developer.hashicorp.com/consul/api-docs/catalog (List Services, List Nodes for Service)
    @Test
    void catalogViewsOfARegisteredService()
    {
        String id = unique("web1");
        String name = unique("web");
        consul.put("/v1/agent/service/register", """
                {"ID": "%s", "Name": "%s", "Tags": ["tacos"], "Address": "10.1.10.12", "Port": 5000}
                """.formatted(id, name));

        JsonObject services = consul.get("/v1/catalog/services").json();
        assertThat(services.getJsonArray(name)).containsExactly("tacos");
        assertThat(services.containsKey("consul")).isTrue();

        ConsulHttp.Response nodes = consul.get("/v1/catalog/service/" + name);
        assertThat(nodes.index()).isPositive();
        JsonObject entry = nodes.jsonArray().getJsonObject(0);
        assertThat(entry.fieldNames()).contains("ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta", "CreateIndex", "ModifyIndex",
                "ServiceAddress", "ServiceEnableTagOverride", "ServiceID", "ServiceName", "ServicePort", "ServiceMeta", "ServiceTags", "ServiceWeights");
        assertThat(entry.getString("Node")).isEqualTo(nodeName());
        assertThat(entry.getString("ServiceID")).isEqualTo(id);
        assertThat(entry.getString("ServiceName")).isEqualTo(name);
        assertThat(entry.getString("ServiceAddress")).isEqualTo("10.1.10.12");
        assertThat(entry.getInteger("ServicePort")).isEqualTo(5000);
        assertThat(entry.getJsonArray("ServiceTags")).containsExactly("tacos");
        assertThat(entry.getJsonObject("ServiceWeights")).isEqualTo(new JsonObject().put("Passing", 1).put("Warning", 1));

        JsonArray datacenters = consul.get("/v1/catalog/datacenters").jsonArray();
        assertThat(datacenters).contains(entry.getString("Datacenter"));
        consul.put("/v1/agent/service/deregister/" + id, null);
    }

    // https://developer.hashicorp.com/consul/api-docs/health (List Service Instances for Service, passing filter,
    // List Checks for Service, List Checks in State)
    @Test
    void healthOfAServiceWithATtlCheck()
    {
        String id = unique("redis");
        consul.put("/v1/agent/service/register", """
                {"ID": "%1$s", "Name": "%1$s", "Tags": ["primary"], "Port": 8000, "Check": {"CheckID": "%1$s-ttl", "TTL": "60s"}}
                """.formatted(id));

        JsonObject entry = consul.get("/v1/health/service/" + id).jsonArray().getJsonObject(0);
        assertThat(entry.fieldNames()).contains("Node", "Service", "Checks");
        assertThat(entry.getJsonObject("Node").fieldNames()).contains("ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta");
        assertThat(entry.getJsonObject("Service").getString("ID")).isEqualTo(id);
        assertThat(entry.getJsonObject("Service").getJsonArray("Tags")).containsExactly("primary");
        List<String> checkIds = entry.getJsonArray("Checks").stream().map(check -> ((JsonObject) check).getString("CheckID")).toList();
        assertThat(checkIds).contains("serfHealth", id + "-ttl");
        JsonObject ttlCheck = entry.getJsonArray("Checks").stream().map(JsonObject.class::cast)
                .filter(check -> check.getString("CheckID").equals(id + "-ttl")).findFirst().orElseThrow();
        assertThat(ttlCheck.getString("Status")).isEqualTo("critical");
        assertThat(ttlCheck.getJsonArray("ServiceTags")).containsExactly("primary");
        assertThat(ttlCheck.fieldNames()).contains("Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID", "ServiceName", "ServiceTags");

        assertThat(consul.get("/v1/health/service/" + id + "?passing").jsonArray()).isEmpty();
        assertThat(consul.get("/v1/health/state/critical").jsonArray().stream().map(check -> ((JsonObject) check).getString("CheckID")))
                .contains(id + "-ttl");

        // https://developer.hashicorp.com/consul/api-docs/agent/check (TTL Check Pass with ?note, TTL Check Update)
        assertThat(consul.put("/v1/agent/check/pass/" + id + "-ttl?note=ready", null).status()).isEqualTo(200);
        assertThat(consul.get("/v1/health/service/" + id + "?passing").jsonArray()).hasSize(1);
        JsonObject passed = consul.get("/v1/health/checks/" + id).jsonArray().getJsonObject(0);
        assertThat(passed.getString("Status")).isEqualTo("passing");
        assertThat(passed.getString("Output")).isEqualTo("ready");

        assertThat(consul.put("/v1/agent/check/update/" + id + "-ttl", "{\"Status\": \"warning\", \"Output\": \"slow\"}").status()).isEqualTo(200);
        JsonObject warned = consul.get("/v1/health/checks/" + id).jsonArray().getJsonObject(0);
        assertThat(warned.getString("Status")).isEqualTo("warning");
        assertThat(warned.getString("Output")).isEqualTo("slow");
        consul.put("/v1/agent/service/deregister/" + id, null);
    }

    // https://developer.hashicorp.com/consul/api-docs/kv (Read Key metadata response, Keys response, Raw response,
    // Create/Update Key with flags and cas, Delete Key)
    @Test
    void keyValueStore()
    {
        String prefix = unique("contract") + "/web/";
        assertThat(consul.put("/v1/kv/" + prefix + "foo?flags=42", "test").text()).isEqualTo("true");
        consul.put("/v1/kv/" + prefix + "bar", "bar");
        consul.put("/v1/kv/" + prefix + "subdir/baz", "baz");

        ConsulHttp.Response read = consul.get("/v1/kv/" + prefix + "foo");
        assertThat(read.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonObject entry = read.jsonArray().getJsonObject(0);
        assertThat(entry.fieldNames()).contains("CreateIndex", "ModifyIndex", "LockIndex", "Key", "Flags", "Value");
        assertThat(entry.getString("Key")).isEqualTo(prefix + "foo");
        assertThat(entry.getString("Value")).isEqualTo(Base64.getEncoder().encodeToString("test".getBytes(UTF_8))).isEqualTo("dGVzdA==");
        assertThat(entry.getLong("Flags")).isEqualTo(42);
        assertThat(entry.getLong("LockIndex")).isZero();
        assertThat(read.index()).isGreaterThanOrEqualTo(entry.getLong("ModifyIndex"));

        assertThat(consul.get("/v1/kv/" + prefix + "?keys&separator=/").jsonArray())
                .containsExactly(prefix + "bar", prefix + "foo", prefix + "subdir/");
        assertThat(consul.get("/v1/kv/" + prefix + "?recurse").jsonArray()).hasSize(3);

        ConsulHttp.Response raw = consul.get("/v1/kv/" + prefix + "foo?raw");
        assertThat(raw.body()).isEqualTo("test");
        assertThat(raw.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));

        long modifyIndex = entry.getLong("ModifyIndex");
        assertThat(consul.put("/v1/kv/" + prefix + "foo?cas=0", "x").text()).isEqualTo("false");
        assertThat(consul.put("/v1/kv/" + prefix + "foo?cas=" + modifyIndex, "updated").text()).isEqualTo("true");
        assertThat(consul.put("/v1/kv/" + prefix + "foo?cas=" + modifyIndex, "stale").text()).isEqualTo("false");
        assertThat(consul.delete("/v1/kv/" + prefix + "foo?cas=0").text()).isEqualTo("false");

        assertThat(consul.delete("/v1/kv/" + prefix + "foo").text()).isEqualTo("true");
        ConsulHttp.Response missing = consul.get("/v1/kv/" + prefix + "foo");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.index()).isPositive();
        assertThat(consul.delete("/v1/kv/" + prefix + "?recurse").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/" + prefix + "?recurse").status()).isEqualTo(404);
    }

    // https://developer.hashicorp.com/consul/api-docs/session (Create Session sample payload with this agent's node
    // and its serfHealth check, Read Session sample response, Renew Session, Delete Session)
    @Test
    void sessionLifecycle()
    {
        ConsulHttp.Response created = consul.put("/v1/session/create", """
                {"LockDelay": "15s", "Name": "my-service-lock", "Node": "%s", "Checks": ["serfHealth"], "Behavior": "release", "TTL": "30s"}
                """.formatted(nodeName()));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().getString("ID");
        assertThat(created.json().fieldNames()).containsExactly("ID");

        JsonObject info = consul.get("/v1/session/info/" + id).jsonArray().getJsonObject(0);
        assertThat(info.getString("ID")).isEqualTo(id);
        assertThat(info.getString("Name")).isEqualTo("my-service-lock");
        assertThat(info.getString("Node")).isEqualTo(nodeName());
        assertThat(info.getLong("LockDelay")).isEqualTo(15_000_000_000L);
        assertThat(info.getString("Behavior")).isEqualTo("release");
        assertThat(info.getString("TTL")).isEqualTo("30s");
        assertThat(info.getJsonArray("NodeChecks")).containsExactly("serfHealth");
        assertThat(info.fieldNames()).contains("ServiceChecks", "CreateIndex", "ModifyIndex");

        assertThat(consul.put("/v1/session/renew/" + id, null).jsonArray().getJsonObject(0).getString("ID")).isEqualTo(id);
        assertThat(consul.get("/v1/session/list").jsonArray().stream().map(s -> ((JsonObject) s).getString("ID"))).contains(id);
        assertThat(consul.put("/v1/session/destroy/" + id, null).text()).isEqualTo("true");
        assertThat(consul.get("/v1/session/info/" + id).jsonArray()).isEmpty();
    }

    // https://developer.hashicorp.com/consul/api-docs/kv (acquire / release parameters)
    @Test
    void locksWithAcquireAndRelease()
    {
        String key = unique("contract") + "/leader";
        String first = consul.put("/v1/session/create", "{\"LockDelay\": \"0s\"}").json().getString("ID");
        String second = consul.put("/v1/session/create", "{\"LockDelay\": \"0s\"}").json().getString("ID");

        assertThat(consul.put("/v1/kv/" + key + "?acquire=" + first, "me").text()).isEqualTo("true");
        JsonObject held = consul.get("/v1/kv/" + key).jsonArray().getJsonObject(0);
        assertThat(held.getString("Session")).isEqualTo(first);
        assertThat(held.getLong("LockIndex")).isEqualTo(1);
        assertThat(consul.put("/v1/kv/" + key + "?acquire=" + second, "you").text()).isEqualTo("false");
        assertThat(consul.put("/v1/kv/" + key + "?release=" + first, "me").text()).isEqualTo("true");
        JsonObject released = consul.get("/v1/kv/" + key).jsonArray().getJsonObject(0);
        assertThat(released.containsKey("Session")).isFalse();
        assertThat(released.getLong("LockIndex")).isEqualTo(1);
        assertThat(consul.put("/v1/kv/" + key + "?acquire=" + second, "you").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/" + key).jsonArray().getJsonObject(0).getLong("LockIndex")).isEqualTo(2);

        consul.put("/v1/session/destroy/" + first, null);
        consul.put("/v1/session/destroy/" + second, null);
        consul.delete("/v1/kv/" + key);
    }

    // https://developer.hashicorp.com/consul/api-docs/features/blocking
    @Test
    void blockingQueryWaitsForAChange()
    {
        String key = unique("contract") + "/blocking";
        consul.put("/v1/kv/" + key, "one");
        ConsulHttp.Response first = consul.get("/v1/kv/" + key);
        long index = first.index();

        ConsulHttp.Response timedOut = consul.get("/v1/kv/" + key + "?index=" + index + "&wait=1s");
        assertThat(timedOut.status()).isEqualTo(200);
        assertThat(timedOut.index()).isEqualTo(index);

        CompletableFuture<ConsulHttp.Response> parked = consul.sendAsync("GET", "/v1/kv/" + key + "?index=" + index + "&wait=30s", null);
        consul.put("/v1/kv/" + key, "two");
        ConsulHttp.Response changed = parked.join();
        assertThat(changed.index()).isGreaterThan(index);
        assertThat(changed.jsonArray().getJsonObject(0).getString("Value")).isEqualTo(Base64.getEncoder().encodeToString("two".getBytes(UTF_8)));
        assertThat(changed.header("X-Consul-KnownLeader")).contains("true");
        consul.delete("/v1/kv/" + key);
    }

    // Error answers of the agent's HTTP layer (text/plain bodies), as Consul's agent/http.go and
    // agent/agent_endpoint.go produce them.
    @Test
    void errorAnswers()
    {
        ConsulHttp.Response unknownField = consul.put("/v1/agent/service/register", "{\"Name\": \"x\", \"Nmae\": \"y\"}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body()).isEqualTo("Request decode failed: json: unknown field \"Nmae\"");

        ConsulHttp.Response noName = consul.put("/v1/agent/service/register", "{\"Port\": 1}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).isEqualTo("Missing service name");

        ConsulHttp.Response wrongMethod = consul.get("/v1/agent/service/register");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.body()).isEqualTo("method GET not allowed");

        ConsulHttp.Response unknownPath = consul.get("/v1/no/such/endpoint");
        assertThat(unknownPath.status()).isEqualTo(404);

        ConsulHttp.Response badWait = consul.get("/v1/catalog/services?wait=abc");
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.body()).isEqualTo("Invalid wait time");

        ConsulHttp.Response unknownCheck = consul.put("/v1/agent/check/pass/" + unique("nope"), null);
        assertThat(unknownCheck.status()).isEqualTo(404);
    }
}
