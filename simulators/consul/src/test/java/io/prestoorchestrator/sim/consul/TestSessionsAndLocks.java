package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TestSessionsAndLocks
{
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;

    @BeforeAll
    static void start()
    {
        // session_ttl_min is a real Consul agent setting; lowering it keeps the expiry tests short
        simulator = ConsulSimulator.builder().port(0).nodeName("lock-node").sessionTtlMin(Duration.ofSeconds(1)).build().startAndWait();
        consul = new ConsulHttp(simulator.baseUri());
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Test
    void createInfoRenewListDestroy()
    {
        ConsulHttp.Response created = consul.put("/v1/session/create", "{\"Name\": \"leader-lock\", \"TTL\": \"30s\"}");
        assertThat(created.status()).isEqualTo(200);
        String id = created.json().getString("ID");
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

        JsonObject info = consul.get("/v1/session/info/" + id).jsonArray().getJsonObject(0);
        assertThat(info.getString("Name")).isEqualTo("leader-lock");
        assertThat(info.getString("Node")).isEqualTo("lock-node");
        assertThat(info.getString("Behavior")).isEqualTo("release");
        assertThat(info.getString("TTL")).isEqualTo("30s");
        assertThat(info.getLong("LockDelay")).isEqualTo(Duration.ofSeconds(15).toNanos());
        assertThat(info.getJsonArray("NodeChecks")).containsExactly("serfHealth");

        JsonArray renewed = consul.put("/v1/session/renew/" + id, null).jsonArray();
        assertThat(renewed.getJsonObject(0).getString("ID")).isEqualTo(id);
        assertThat(consul.get("/v1/session/list").jsonArray().stream().map(s -> ((JsonObject) s).getString("ID"))).contains(id);
        assertThat(consul.get("/v1/session/node/lock-node").jsonArray().stream().map(s -> ((JsonObject) s).getString("ID"))).contains(id);

        assertThat(consul.put("/v1/session/destroy/" + id, null).text()).isEqualTo("true");
        assertThat(consul.get("/v1/session/info/" + id).jsonArray()).isEmpty();
        ConsulHttp.Response renewGone = consul.put("/v1/session/renew/" + id, null);
        assertThat(renewGone.status()).isEqualTo(404);
        assertThat(renewGone.body()).isEqualTo("Session id '" + id + "' not found");
    }

    @Test
    void acquireAndRelease()
    {
        String first = session("{\"LockDelay\": \"0s\"}");
        String second = session("{\"LockDelay\": \"0s\"}");

        assertThat(consul.put("/v1/kv/locks/leader?acquire=" + first, "first").text()).isEqualTo("true");
        JsonObject held = consul.get("/v1/kv/locks/leader").jsonArray().getJsonObject(0);
        assertThat(held.getString("Session")).isEqualTo(first);
        assertThat(held.getLong("LockIndex")).isEqualTo(1);

        assertThat(consul.put("/v1/kv/locks/leader?acquire=" + second, "second").text()).isEqualTo("false");
        assertThat(consul.put("/v1/kv/locks/leader?release=" + second, "").text()).isEqualTo("false");
        assertThat(consul.put("/v1/kv/locks/leader?acquire=" + first, "again").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/locks/leader").jsonArray().getJsonObject(0).getLong("LockIndex")).isEqualTo(1);

        assertThat(consul.put("/v1/kv/locks/leader?release=" + first, "released").text()).isEqualTo("true");
        JsonObject released = consul.get("/v1/kv/locks/leader").jsonArray().getJsonObject(0);
        assertThat(released.containsKey("Session")).isFalse();
        assertThat(released.getLong("LockIndex")).isEqualTo(1);

        assertThat(consul.put("/v1/kv/locks/leader?acquire=" + second, "second").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/locks/leader").jsonArray().getJsonObject(0).getLong("LockIndex")).isEqualTo(2);

        ConsulHttp.Response unknown = consul.put("/v1/kv/locks/other?acquire=00000000-0000-0000-0000-000000000000", "x");
        assertThat(unknown.status()).isEqualTo(500);
        assertThat(unknown.body()).isEqualTo("invalid session \"00000000-0000-0000-0000-000000000000\"");
    }

    @Test
    void plainWriteKeepsTheLockHolder()
    {
        String owner = session("{}");
        consul.put("/v1/kv/locks/kept?acquire=" + owner, "a");
        consul.put("/v1/kv/locks/kept", "b");
        assertThat(consul.get("/v1/kv/locks/kept").jsonArray().getJsonObject(0).getString("Session")).isEqualTo(owner);
    }

    @Test
    void expiryReleasesOrDeletesPerBehavior()
    {
        String releasing = session("{\"TTL\": \"1s\", \"LockDelay\": \"0s\", \"Behavior\": \"release\"}");
        String deleting = session("{\"TTL\": \"1s\", \"LockDelay\": \"0s\", \"Behavior\": \"delete\"}");
        assertThat(consul.put("/v1/kv/expiry/released?acquire=" + releasing, "r").text()).isEqualTo("true");
        assertThat(consul.put("/v1/kv/expiry/deleted?acquire=" + deleting, "d").text()).isEqualTo("true");

        // Consul invalidates an unrenewed session between TTL and 2 x TTL
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(consul.get("/v1/session/info/" + releasing).jsonArray()).isEmpty();
            assertThat(consul.get("/v1/session/info/" + deleting).jsonArray()).isEmpty();
        });
        JsonObject released = consul.get("/v1/kv/expiry/released").jsonArray().getJsonObject(0);
        assertThat(released.containsKey("Session")).isFalse();
        assertThat(consul.get("/v1/kv/expiry/released?raw").body()).isEqualTo("r");
        assertThat(consul.get("/v1/kv/expiry/deleted").status()).isEqualTo(404);
    }

    @Test
    void lockDelayBlocksReacquisitionAfterInvalidation()
    {
        String holder = session("{\"LockDelay\": \"5s\"}");
        String waiter = session("{\"LockDelay\": \"0s\"}");
        consul.put("/v1/kv/delayed?acquire=" + holder, "x");
        consul.put("/v1/session/destroy/" + holder, null);

        assertThat(consul.put("/v1/kv/delayed?acquire=" + waiter, "y").text()).isEqualTo("false");
        await().atMost(Duration.ofSeconds(30)).until(() -> consul.put("/v1/kv/delayed?acquire=" + waiter, "y").text().equals("true"));
    }

    @Test
    void sessionTiedToCheckDiesWhenCheckGoesCritical()
    {
        consul.put("/v1/agent/service/register", """
                {"ID": "guarded-1", "Name": "guarded", "Port": 1, "Check": {"CheckID": "guard", "TTL": "60s", "Status": "passing"}}
                """);
        String id = session("{\"ServiceChecks\": [{\"ID\": \"guard\"}], \"LockDelay\": \"0s\"}");
        consul.put("/v1/kv/guarded?acquire=" + id, "x");

        consul.put("/v1/agent/check/fail/guard", null);

        assertThat(consul.get("/v1/session/info/" + id).jsonArray()).isEmpty();
        assertThat(consul.get("/v1/kv/guarded").jsonArray().getJsonObject(0).containsKey("Session")).isFalse();
        ConsulHttp.Response refused = consul.put("/v1/session/create", "{\"ServiceChecks\": [{\"ID\": \"guard\"}]}");
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.body()).isEqualTo("Check 'guard' is in critical state");
    }

    @Test
    void invalidSessionRequests()
    {
        ConsulHttp.Response shortTtl = consul.put("/v1/session/create", "{\"TTL\": \"500ms\"}");
        assertThat(shortTtl.status()).isEqualTo(500);
        assertThat(shortTtl.body()).startsWith("Invalid Session TTL '500000000', must be between [1s=24h0m0s]");
        ConsulHttp.Response badBehavior = consul.put("/v1/session/create", "{\"Behavior\": \"explode\"}");
        assertThat(badBehavior.status()).isEqualTo(500);
        assertThat(badBehavior.body()).isEqualTo("Invalid Behavior setting 'explode'");
        ConsulHttp.Response badTtl = consul.put("/v1/session/create", "{\"TTL\": \"soon\"}");
        assertThat(badTtl.status()).isEqualTo(500);
        assertThat(badTtl.body()).isEqualTo("Session TTL 'soon' invalid: time: invalid duration \"soon\"");
        ConsulHttp.Response missingCheck = consul.put("/v1/session/create", "{\"NodeChecks\": [\"nope\"]}");
        assertThat(missingCheck.status()).isEqualTo(500);
        assertThat(missingCheck.body()).isEqualTo("Missing check 'nope' registration");
        ConsulHttp.Response unknownField = consul.put("/v1/session/create", "{\"Colour\": \"red\"}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body()).isEqualTo("Request decode failed: json: unknown field \"Colour\"");
    }

    private static String session(String body)
    {
        ConsulHttp.Response created = consul.put("/v1/session/create", body);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return created.json().getString("ID");
    }
}
