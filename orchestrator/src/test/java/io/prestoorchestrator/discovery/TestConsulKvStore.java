package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.UUID;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** The KV contract against the embedded Consul simulator, plus Consul-only behaviour and error mapping. */
class TestConsulKvStore
        extends KvStoreContract
{
    private static final String TOKEN = "kv-test-management-token";

    private static Vertx vertx;
    private static WebClient client;
    private static ConsulSimulator consul;
    private static ConsulSimulator securedConsul;

    private ConsulKvStore store;

    @BeforeAll
    static void startConsul()
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        securedConsul = ConsulSimulator.builder().port(0).aclToken(TOKEN).build().startAndWait();
    }

    @AfterAll
    static void stopConsul()
            throws Exception
    {
        consul.close();
        securedConsul.close();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void newPrefix()
    {
        store = storeUnder("test-" + UUID.randomUUID());
    }

    @Override
    protected KvStore store()
    {
        return store;
    }

    /** The simulator's clock runs by itself: awaiting a watch waits its time out there. */
    @Override
    protected void elapse(Duration duration) {}

    /** What the contract's watch tests cannot see with a real server's clock: the watch is held at the server, not answered, until a key changes. */
    @Test
    void testWatchIsHeldAtTheServerUntilAKeyChanges()
    {
        await(store.put("clusters/a", "A"));
        KvListing first = await(store.watch("clusters/", 0, Duration.ofSeconds(20)));
        int parked = consul.parkedQueries();
        CompletableFuture<KvListing> next = store.watch("clusters/", first.index(), Duration.ofSeconds(20)).toCompletableFuture();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> consul.parkedQueries() > parked);
        assertThat(next).isNotDone();

        await(store.put("clusters/b", "B"));
        assertThat(await(next, Duration.ofSeconds(5)).entries()).extracting(KvEntry::key).containsExactly("clusters/a", "clusters/b");
        assertThat(consul.parkedQueries()).isEqualTo(parked);
    }

    private static ConsulKvStore storeUnder(String prefix)
    {
        return new ConsulKvStore(TestingHashiCorp.consul(client, consul.baseUri(), Optional.empty()), prefix);
    }

    @Test
    void testPrefixesAreIsolated()
    {
        String shared = "iso-" + UUID.randomUUID();
        ConsulKvStore a = storeUnder(shared + "/a");
        ConsulKvStore ab = storeUnder(shared + "/ab");
        await(a.put("k", "from-a"));
        await(ab.put("k", "from-ab"));

        assertThat(await(a.list(""))).extracting(KvEntry::value).containsExactly("from-a");
        assertThat(await(ab.get("k")).orElseThrow().value()).isEqualTo("from-ab");
    }

    @Test
    void testKeysWithSpacesAndPercentAreEncoded()
    {
        await(store.put("odd/a b%c", "v"));
        assertThat(await(store.list("odd/"))).extracting(KvEntry::key).containsExactly("odd/a b%c");
    }

    @Test
    void testConsulDownIsUnavailableNamingConsul()
    {
        ConsulKvStore down = new ConsulKvStore(TestingHashiCorp.consul(client, TestingHashiCorp.nothingListening(), Optional.empty()), "p");
        assertThat(failure(down.get("a")))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("consul");
                    assertThat(e.unavailable()).isTrue();
                    assertThat(e.getMessage()).contains("Consul").contains("cannot be reached");
                });
        assertThat(failure(down.compareAndSet("a", "v", 0))).isInstanceOf(DependencyException.class);
    }

    @Test
    void testRefusedTokenIsADependencyErrorWithoutTheToken()
    {
        ConsulKvStore wrong = new ConsulKvStore(TestingHashiCorp.consul(client, securedConsul.baseUri(), Optional.of("not-the-token-at-all")), "p");
        assertThat(failure(wrong.put("a", "v")))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("consul");
                    assertThat(e.unavailable()).isFalse();
                    assertThat(e.getMessage()).contains("403").doesNotContain("not-the-token-at-all");
                });

        ConsulKvStore right = new ConsulKvStore(TestingHashiCorp.consul(client, securedConsul.baseUri(), Optional.of(TOKEN)), "p");
        await(right.put("a", "v"));
        assertThat(await(right.get("a")).orElseThrow().value()).isEqualTo("v");
    }
}
