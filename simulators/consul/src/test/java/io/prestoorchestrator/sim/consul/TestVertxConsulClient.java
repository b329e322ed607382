package io.prestoorchestrator.sim.consul;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.consul.CheckOptions;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.ext.consul.KeyValue;
import io.vertx.ext.consul.KeyValueOptions;
import io.vertx.ext.consul.MaintenanceOptions;
import io.vertx.ext.consul.ServiceEntry;
import io.vertx.ext.consul.ServiceEntryList;
import io.vertx.ext.consul.ServiceOptions;
import io.vertx.ext.consul.SessionBehavior;
import io.vertx.ext.consul.SessionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator proven by the client library the orchestrator uses: io.vertx:vertx-consul-client.
 */
class TestVertxConsulClient
{
    private static final String TOKEN = "vertx-client-token";

    private static Vertx vertx;
    private static ConsulSimulator simulator;
    private static ConsulClient client;

    @BeforeAll
    static void start()
    {
        vertx = Vertx.vertx();
        simulator = ConsulSimulator.builder().port(0).aclToken(TOKEN).build().startAndWait();
        client = ConsulClient.create(vertx, new ConsulClientOptions()
                .setHost("127.0.0.1")
                .setPort(simulator.port())
                .setAclToken(TOKEN)
                .setTimeout(Duration.ofSeconds(30).toMillis()));
    }

    @AfterAll
    static void stop()
    {
        client.close();
        simulator.close();
        await(vertx.close());
    }

    @Test
    void leaderAndPeers()
    {
        // vertx-consul-client 5.0.7 trims the body and then cuts two characters for the quotes, so it loses
        // the address's last digit against any Consul (its leaderStatus() must not be used as an address)
        assertThat(await(client.leaderStatus())).isEqualTo("127.0.0.1:830");
        assertThat(await(client.peersStatus())).containsExactly("127.0.0.1:8300");
        assertThat(await(client.catalogDatacenters())).containsExactly("dc1");
    }

    @Test
    void registerServiceWithCheckAndReadItBack()
    {
        await(client.registerService(new ServiceOptions()
                .setId("trino-c1-coordinator")
                .setName("trino-c1")
                .setTags(List.of("traefik.enable=true", "role=coordinator"))
                .setAddress("127.0.0.1")
                .setPort(8080)
                .setMeta(java.util.Map.of("cluster", "c1"))
                .setCheckOptions(new CheckOptions().setId("trino-c1-ttl").setName("trino ttl").setTtl("30s"))));

        assertThat(await(client.localServices()).stream().map(service -> service.getId())).contains("trino-c1-coordinator");
        assertThat(await(client.catalogServices()).getList().stream().map(service -> service.getName())).contains("trino-c1");
        assertThat(await(client.catalogServiceNodes("trino-c1")).getList()).singleElement()
                .satisfies(service -> {
                    assertThat(service.getPort()).isEqualTo(8080);
                    assertThat(service.getTags()).contains("role=coordinator");
                    assertThat(service.getMeta()).containsEntry("cluster", "c1");
                });

        assertThat(await(client.healthServiceNodes("trino-c1", true)).getList()).isEmpty();
        await(client.passCheckWithNote("trino-c1-ttl", "up"));
        ServiceEntryList passing = await(client.healthServiceNodes("trino-c1", true));
        assertThat(passing.getList()).singleElement().satisfies(entry -> {
            assertThat(entry.getService().getId()).isEqualTo("trino-c1-coordinator");
            assertThat(entry.aggregatedStatus()).isEqualTo(CheckStatus.PASSING);
        });
        assertThat(await(client.localChecks()).stream().filter(check -> check.getId().equals("trino-c1-ttl")))
                .singleElement().satisfies(check -> assertThat(check.getOutput()).isEqualTo("up"));

        await(client.maintenanceService(new MaintenanceOptions().setId("trino-c1-coordinator").setEnable(true).setReason("draining")));
        assertThat(await(client.healthServiceNodes("trino-c1", true)).getList()).isEmpty();
        await(client.maintenanceService(new MaintenanceOptions().setId("trino-c1-coordinator").setEnable(false)));
        assertThat(await(client.healthServiceNodes("trino-c1", true)).getList()).hasSize(1);

        await(client.deregisterService("trino-c1-coordinator"));
        assertThat(await(client.catalogServiceNodes("trino-c1")).getList()).isEmpty();
    }

    @Test
    void blockingHealthQuery()
    {
        ServiceEntryList initial = await(client.healthServiceNodes("watched", false));
        Future<ServiceEntryList> parked = client.healthServiceNodesWithOptions("watched", false,
                new io.vertx.ext.consul.ServiceQueryOptions().setBlockingOptions(new BlockingQueryOptions().setIndex(initial.getIndex()).setWait("30s")));
        await(client.registerService(new ServiceOptions().setName("watched").setId("watched-1").setPort(1)));
        ServiceEntryList changed = await(parked);
        assertThat(changed.getIndex()).isGreaterThan(initial.getIndex());
        assertThat(changed.getList()).extracting(ServiceEntry::getService).extracting(service -> service.getId()).containsExactly("watched-1");
    }

    @Test
    void keyValueCasAndBlocking()
    {
        assertThat(await(client.putValue("orchestrator/clusters/c1", "{\"state\":\"RUNNING\"}"))).isTrue();
        KeyValue value = await(client.getValue("orchestrator/clusters/c1"));
        assertThat(value.getValue()).isEqualTo("{\"state\":\"RUNNING\"}");
        assertThat(value.getModifyIndex()).isPositive();

        assertThat(await(client.putValueWithOptions("orchestrator/clusters/c1", "stale", new KeyValueOptions().setCasIndex(value.getModifyIndex() + 100)))).isFalse();
        assertThat(await(client.putValueWithOptions("orchestrator/clusters/c1", "fresh", new KeyValueOptions().setCasIndex(value.getModifyIndex())))).isTrue();

        KeyValue current = await(client.getValue("orchestrator/clusters/c1"));
        Future<KeyValue> parked = client.getValueWithOptions("orchestrator/clusters/c1", new BlockingQueryOptions().setIndex(current.getModifyIndex()).setWait("30s"));
        await(client.putValue("orchestrator/clusters/c1", "newer"));
        assertThat(await(parked).getValue()).isEqualTo("newer");

        assertThat(await(client.getValues("orchestrator/")).getList()).hasSize(1);
        assertThat(await(client.getKeys("orchestrator/"))).containsExactly("orchestrator/clusters/c1");
        await(client.deleteValues("orchestrator/"));
        assertThat(await(client.getValues("orchestrator/")).getList()).isNullOrEmpty();
    }

    @Test
    void leaderLockWithSession()
    {
        String session = await(client.createSessionWithOptions(new SessionOptions()
                .setName("orchestrator-leader").setTtl(30).setLockDelay(0).setBehavior(SessionBehavior.DELETE)));
        String other = await(client.createSessionWithOptions(new SessionOptions().setLockDelay(0)));

        assertThat(await(client.putValueWithOptions("locks/leader", "me", new KeyValueOptions().setAcquireSession(session)))).isTrue();
        assertThat(await(client.putValueWithOptions("locks/leader", "other", new KeyValueOptions().setAcquireSession(other)))).isFalse();
        assertThat(await(client.getValue("locks/leader")).getSession()).isEqualTo(session);
        assertThat(await(client.infoSession(session)).getNode()).isEqualTo(simulator.config().nodeName());
        assertThat(await(client.renewSession(session)).getId()).isEqualTo(session);

        await(client.destroySession(session));
        // Behavior "delete": the lock key goes away with the session
        assertThat(await(client.getValue("locks/leader")).getKey()).isNull();
        assertThat(await(client.putValueWithOptions("locks/leader", "other", new KeyValueOptions().setAcquireSession(other)))).isTrue();
        await(client.destroySession(other));
    }

    private static <T> T await(Future<T> future)
    {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            throw new AssertionError("Consul client call failed: " + e, e);
        }
    }
}
