package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TestBlockingQueries
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
    void healthQueryBlocksUntilItsServiceChanges()
    {
        long index = consul.get("/v1/health/service/blocker").index();
        CompletableFuture<ConsulHttp.Response> parked = park("/v1/health/service/blocker?index=" + index + "&wait=60s");

        // a write to another service moves the global index but not this query's
        consul.put("/v1/agent/service/register", "{\"Name\": \"bystander\", \"Port\": 1}");
        consul.put("/v1/kv/bystander", "x");
        assertThat(consul.get("/v1/catalog/services").index()).isGreaterThan(index);
        assertThat(parked).isNotDone();

        consul.put("/v1/agent/service/register", "{\"ID\": \"blocker-1\", \"Name\": \"blocker\", \"Port\": 1}");

        ConsulHttp.Response answer = parked.join();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.index()).isGreaterThan(index);
        assertThat(answer.jsonArray()).hasSize(1);
    }

    @Test
    void hashBasedBlockingOnOneAgentService()
    {
        consul.put("/v1/agent/service/register", "{\"ID\": \"hashed-1\", \"Name\": \"hashed\", \"Port\": 1}");
        String hash = consul.get("/v1/agent/service/hashed-1").json().getString("ContentHash");
        ConsulHttp.Response unchanged = consul.get("/v1/agent/service/hashed-1?hash=" + hash + "&wait=500ms");
        assertThat(unchanged.json().getString("ContentHash")).isEqualTo(hash);

        CompletableFuture<ConsulHttp.Response> parked = park("/v1/agent/service/hashed-1?hash=" + hash + "&wait=60s");
        consul.put("/v1/agent/service/register", "{\"ID\": \"hashed-1\", \"Name\": \"hashed\", \"Port\": 2}");

        ConsulHttp.Response changed = parked.join();
        assertThat(changed.json().getInteger("Port")).isEqualTo(2);
        assertThat(changed.json().getString("ContentHash")).isNotEqualTo(hash);

        CompletableFuture<ConsulHttp.Response> gone = park("/v1/agent/service/hashed-1?hash=" + changed.json().getString("ContentHash") + "&wait=60s");
        consul.put("/v1/agent/service/deregister/hashed-1", null);
        assertThat(gone.join().status()).isEqualTo(404);
    }

    @Test
    void waitExpiryAnswersWithTheSameIndex()
    {
        ConsulHttp.Response first = consul.get("/v1/catalog/nodes");
        ConsulHttp.Response second = consul.get("/v1/catalog/nodes?index=" + first.index() + "&wait=1s");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.index()).isEqualTo(first.index());
        assertThat(second.jsonArray()).isEqualTo(first.jsonArray());
    }

    @Test
    void staleIndexAnswersAtOnce()
    {
        consul.put("/v1/kv/stale/a", "1");
        ConsulHttp.Response answer = consul.get("/v1/kv/stale/a?index=1&wait=5m");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.index()).isGreaterThan(1);
    }

    @Test
    void kvKeyQueryWakesOnlyForItsKey()
    {
        consul.put("/v1/kv/watched/key", "v1");
        long index = consul.get("/v1/kv/watched/key").index();
        CompletableFuture<ConsulHttp.Response> parked = park("/v1/kv/watched/key?index=" + index + "&wait=60s");
        consul.put("/v1/kv/watched/other", "noise");
        assertThat(parked).isNotDone();

        consul.put("/v1/kv/watched/key", "v2");

        ConsulHttp.Response answer = parked.join();
        assertThat(answer.index()).isGreaterThan(index);
        assertThat(answer.jsonArray().getJsonObject(0).getString("Value")).isEqualTo("djI=");
    }

    @Test
    void recursiveKvQueryWakesOnDeleteUnderPrefix()
    {
        consul.put("/v1/kv/tree/a", "1");
        consul.put("/v1/kv/tree/b", "2");
        long index = consul.get("/v1/kv/tree/?recurse").index();
        CompletableFuture<ConsulHttp.Response> parked = consul.sendAsync("GET", "/v1/kv/tree/?recurse&index=" + index + "&wait=60s", null);

        consul.delete("/v1/kv/tree/a");

        ConsulHttp.Response answer = parked.join();
        assertThat(answer.index()).isGreaterThan(index);
        assertThat(answer.jsonArray()).hasSize(1);
    }

    @Test
    void checkStatusChangeWakesHealthQuery()
    {
        consul.put("/v1/agent/service/register", """
                {"ID": "flappy-1", "Name": "flappy", "Port": 1, "Check": {"CheckID": "flappy-ttl", "TTL": "60s"}}
                """);
        long index = consul.get("/v1/health/service/flappy?passing").index();
        CompletableFuture<ConsulHttp.Response> parked = consul.sendAsync("GET", "/v1/health/service/flappy?passing&index=" + index, null);

        consul.put("/v1/agent/check/pass/flappy-ttl", null);

        await().atMost(Duration.ofSeconds(30)).until(parked::isDone);
        assertThat(parked.join().jsonArray()).hasSize(1);
    }

    @Test
    void sessionListBlocksUntilASessionIsCreated()
    {
        long index = consul.get("/v1/session/list").index();
        CompletableFuture<ConsulHttp.Response> parked = consul.sendAsync("GET", "/v1/session/list?index=" + index + "&wait=60s", null);
        assertThat(parked).isNotDone();

        String id = consul.put("/v1/session/create", "{\"Name\": \"watcher\"}").json().getString("ID");

        assertThat(parked.join().jsonArray().stream().map(session -> ((io.vertx.core.json.JsonObject) session).getString("ID"))).contains(id);
    }

    /**
     * Sends a blocking read and waits until the simulator has parked it, so that writes made next
     * happen while it waits (a write that lands first moves the index and answers it at once).
     */
    private static CompletableFuture<ConsulHttp.Response> park(String pathAndQuery)
    {
        int before = simulator.parkedQueries();
        CompletableFuture<ConsulHttp.Response> parked = consul.sendAsync("GET", pathAndQuery, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> simulator.parkedQueries() > before);
        return parked;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/catalog/services", "/v1/catalog/nodes", "/v1/catalog/service/x", "/v1/health/service/x",
            "/v1/health/checks/x", "/v1/health/state/any", "/v1/health/node/x", "/v1/session/list", "/v1/session/info/x", "/v1/kv/?recurse"})
    void everyBlockingReadCarriesConsulHeaders(String path)
    {
        ConsulHttp.Response response = consul.get(path);
        assertThat(response.index()).isPositive();
        assertThat(response.header("X-Consul-KnownLeader")).contains("true");
        assertThat(response.header("X-Consul-LastContact")).contains("0");
    }

    @Test
    void badBlockingParametersAreRejected()
    {
        ConsulHttp.Response badWait = consul.get("/v1/catalog/services?index=1&wait=forever");
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.body()).isEqualTo("Invalid wait time");
        ConsulHttp.Response badIndex = consul.get("/v1/catalog/services?index=-3");
        assertThat(badIndex.status()).isEqualTo(400);
        assertThat(badIndex.body()).isEqualTo("Invalid index");
        ConsulHttp.Response conflict = consul.get("/v1/catalog/services?stale&consistent");
        assertThat(conflict.status()).isEqualTo(400);
        assertThat(conflict.body()).isEqualTo("Cannot specify ?stale with ?consistent, conflicting semantics.");
    }
}
