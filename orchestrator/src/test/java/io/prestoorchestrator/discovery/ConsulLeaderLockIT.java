package io.prestoorchestrator.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.app.VertxScheduler;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader-lock contract on the embedded Consul simulator (short TTL and lock delay), plus Consul going away: sessions
 * expire, lock delays run and renews fail over HTTP in real time, so this is an integration test (issue 19: unit tests do not
 * wait for time to pass). The decision the lock makes on a failed renew is unit-tested on its own ({@link TestConsulLeaderLock}).
 */
class ConsulLeaderLockIT
        extends LeaderLockContract
{
    private Vertx vertx;
    private WebClient client;
    private ConsulSimulator consul;

    @BeforeEach
    void startConsul()
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        consul = ConsulSimulator.builder().port(0).sessionTtlMin(Duration.ofSeconds(1)).build().startAndWait();
    }

    @AfterEach
    void stopConsul()
            throws Exception
    {
        closeLocks(); // before Consul and the client go away
        consul.close();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static LeaderLockOptions options(String holder)
    {
        return new LeaderLockOptions("leader", holder, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    @Override
    protected LeaderLock newLock(String holder, LeadershipListener listener)
    {
        return new ConsulLeaderLock(vertx, new VertxScheduler(vertx), TestingHashiCorp.consul(client, consul.baseUri(), Optional.empty()), "presto-orchestrator", options(holder), listener);
    }

    @Override
    protected void assertHolds(String what, BooleanSupplier condition)
    {
        // the replicas keep renewing and watching over HTTP: what holds now must still hold a while later
        await(what).during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(condition::getAsBoolean);
    }

    @Override
    protected void invalidateSession(LeaderLock leader)
    {
        String session = ((ConsulLeaderLock) leader).sessionId().orElseThrow();
        try {
            HttpResponse<String> response = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(
                    HttpRequest.newBuilder(URI.create(consul.baseUri() + "/v1/session/destroy/" + session)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void testLockKeyNamesTheHolderAndTheSession()
            throws Exception
    {
        ConsulLeaderLock lock = (ConsulLeaderLock) contender("replica-a", new RecordingLeadershipListener());
        lock.start();
        await().atMost(TAKEOVER).until(lock::isLeader);

        HttpResponse<String> response = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create(consul.baseUri() + "/v1/kv/presto-orchestrator/leader")).build(), HttpResponse.BodyHandlers.ofString());
        var entry = new ObjectMapper().readTree(response.body()).get(0);
        assertThat(entry.get("Session").asText()).isEqualTo(lock.sessionId().orElseThrow());
        String value = new String(java.util.Base64.getDecoder().decode(entry.get("Value").asText()), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new ObjectMapper().readTree(value).get("holder").asText()).isEqualTo("replica-a");

        await(lock.close());
        HttpResponse<String> after = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create(consul.baseUri() + "/v1/kv/presto-orchestrator/leader")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new ObjectMapper().readTree(after.body()).get(0).has("Session")).isFalse();
    }

    /** A Consul restart shorter than the lock delay (less the margin) fails renews but costs no leadership. */
    @Test
    void testConsulAwayShorterThanTheLockDelayKeepsLeadership()
    {
        RecordingLeadershipListener events = new RecordingLeadershipListener();
        // renews every 1 s; held through failed renews for 6 s - 1 s after the last one that worked
        LeaderLock lock = new ConsulLeaderLock(vertx, new VertxScheduler(vertx), TestingHashiCorp.consul(client, consul.baseUri(), Optional.empty()), "presto-orchestrator",
                new LeaderLockOptions("leader", "steady", Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofMillis(200), Duration.ofSeconds(5)), events);
        lock.start();
        await().atMost(TAKEOVER).until(lock::isLeader);

        // down for longer than a renew period: at least one renew fails
        consul.restart(Duration.ofMillis(2500));

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(lock::isLeader);
        assertThat(events.events()).as("leadership events over the restart").hasSize(1);
        assertThat(events.events().get(0)).startsWith("gained");
        await(lock.close());
    }

    @Test
    void testConsulGoneLosesLeadership()
    {
        RecordingLeadershipListener events = new RecordingLeadershipListener();
        LeaderLock lock = contender("alone", events);
        lock.start();
        await().atMost(TAKEOVER).until(lock::isLeader);

        consul.close();

        await().atMost(TAKEOVER).until(() -> !lock.isLeader());
        assertThat(events.events()).hasSize(2);
        assertThat(events.events().get(1)).startsWith("lost: ").contains("renew");
    }
}
