package io.prestoorchestrator.sim.consul;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

class TestKv
{
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).build().startAndWait();
        consul = new ConsulHttp(simulator.baseUri());
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Test
    void putGetWithFlagsRawAndIndexes()
    {
        ConsulHttp.Response put = consul.put("/v1/kv/app/config?flags=42", "hello");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text()).isEqualTo("true");

        ConsulHttp.Response get = consul.get("/v1/kv/app/config");
        JsonObject entry = get.jsonArray().getJsonObject(0);
        assertThat(entry.getString("Key")).isEqualTo("app/config");
        assertThat(entry.getString("Value")).isEqualTo(Base64.getEncoder().encodeToString("hello".getBytes(UTF_8)));
        assertThat(entry.getLong("Flags")).isEqualTo(42);
        assertThat(entry.getLong("LockIndex")).isZero();
        assertThat(entry.containsKey("Session")).isFalse();
        assertThat(entry.getLong("CreateIndex")).isEqualTo(entry.getLong("ModifyIndex"));
        assertThat(get.index()).isGreaterThanOrEqualTo(entry.getLong("ModifyIndex"));

        consul.put("/v1/kv/app/config", "world");
        JsonObject updated = consul.get("/v1/kv/app/config").jsonArray().getJsonObject(0);
        assertThat(updated.getLong("CreateIndex")).isEqualTo(entry.getLong("CreateIndex"));
        assertThat(updated.getLong("ModifyIndex")).isGreaterThan(entry.getLong("ModifyIndex"));
        assertThat(updated.getLong("Flags")).isZero();

        ConsulHttp.Response raw = consul.get("/v1/kv/app/config?raw");
        assertThat(raw.body()).isEqualTo("world");

        consul.put("/v1/kv/app/empty", "");
        assertThat(consul.get("/v1/kv/app/empty").jsonArray().getJsonObject(0).getValue("Value")).isNull();
    }

    @Test
    void missingKeyIs404WithIndex()
    {
        ConsulHttp.Response missing = consul.get("/v1/kv/no/such/key");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEmpty();
        assertThat(missing.index()).isPositive();
        assertThat(consul.get("/v1/kv/no/such/?recurse").status()).isEqualTo(404);
        assertThat(consul.get("/v1/kv/no/such/?keys").status()).isEqualTo(404);
    }

    @Test
    void recurseKeysAndSeparator()
    {
        consul.put("/v1/kv/web/foo", "1");
        consul.put("/v1/kv/web/bar", "2");
        consul.put("/v1/kv/web/subdir/baz", "3");

        assertThat(consul.get("/v1/kv/web/?recurse").jsonArray().stream().map(e -> ((JsonObject) e).getString("Key")))
                .containsExactly("web/bar", "web/foo", "web/subdir/baz");
        assertThat(consul.get("/v1/kv/web/?keys").jsonArray()).containsExactly("web/bar", "web/foo", "web/subdir/baz");
        assertThat(consul.get("/v1/kv/web/?keys&separator=/").jsonArray()).containsExactly("web/bar", "web/foo", "web/subdir/");

        assertThat(consul.delete("/v1/kv/web/?recurse").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/web/?recurse").status()).isEqualTo(404);
    }

    @Test
    void checkAndSet()
    {
        assertThat(consul.put("/v1/kv/cas/key?cas=0", "first").text()).isEqualTo("true");
        assertThat(consul.put("/v1/kv/cas/key?cas=0", "again").text()).isEqualTo("false");
        long modifyIndex = consul.get("/v1/kv/cas/key").jsonArray().getJsonObject(0).getLong("ModifyIndex");

        assertThat(consul.put("/v1/kv/cas/key?cas=" + (modifyIndex + 1000), "wrong").text()).isEqualTo("false");
        assertThat(consul.put("/v1/kv/cas/key?cas=" + modifyIndex, "second").text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/cas/key?raw").body()).isEqualTo("second");

        long newIndex = consul.get("/v1/kv/cas/key").jsonArray().getJsonObject(0).getLong("ModifyIndex");
        assertThat(consul.delete("/v1/kv/cas/key?cas=" + modifyIndex).text()).isEqualTo("false");
        assertThat(consul.get("/v1/kv/cas/key").status()).isEqualTo(200);
        assertThat(consul.delete("/v1/kv/cas/key?cas=" + newIndex).text()).isEqualTo("true");
        assertThat(consul.get("/v1/kv/cas/key").status()).isEqualTo(404);
        assertThat(consul.put("/v1/kv/cas/gone?cas=5", "x").text()).isEqualTo("false");
    }

    @Test
    void refusals()
    {
        ConsulHttp.Response conflicting = consul.put("/v1/kv/x?cas=0&acquire=abc", "v");
        assertThat(conflicting.status()).isEqualTo(400);
        assertThat(conflicting.body()).startsWith("Conflicting flags: ");

        ConsulHttp.Response noKey = consul.put("/v1/kv/", "v");
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body()).isEqualTo("Missing key name");

        ConsulHttp.Response tooLarge = consul.put("/v1/kv/big", "x".repeat(512 * 1024 + 1));
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(consul.get("/v1/kv/big").status()).isEqualTo(404);

        ConsulHttp.Response badCas = consul.put("/v1/kv/x?cas=abc", "v");
        assertThat(badCas.status()).isEqualTo(400);
        assertThat(consul.send("POST", "/v1/kv/x", "v").status()).isEqualTo(405);
    }
}
