package io.prestoorchestrator.routing;

import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.KvEntry;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPublicRoutes
{
    private final InMemoryKvStore kv = new InMemoryKvStore();
    private final PublicRoutes routes = new PublicRoutes(kv);

    @Test
    void testFirstRouteOfAClusterTakesNewQueriesAndNamesItsSidesServiceAndPin()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();

        assertThat(keys()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "http/routers/trino-demo-blue-public/priority", "2",
                "http/routers/trino-demo-blue-public/service", "trino-demo-blue@consulcatalog",
                "http/routers/trino-demo-blue-public/middlewares/0", "trino-demo-blue-pin@consulcatalog",
                "http/routers/trino-demo-blue-public/entrypoints/0", "web",
                "http/routers/trino-demo-blue-public/rule", "Host(`demo.trino.localhost`)"));
        assertThat(routes.active("demo").toCompletableFuture().join()).contains("blue");
    }

    @Test
    void testNewSideIsWrittenInactiveAndOneWriteSwitchesToIt()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo", "green", "demo.trino.localhost", "web").toCompletableFuture().join();
        assertThat(routes.active("demo").toCompletableFuture().join()).as("the new side waits for the switch").contains("blue");
        assertThat(keys()).containsEntry("http/routers/trino-demo-green-public/priority", "1");

        Map<String, String> before = keys();
        assertThat(routes.activate("demo", "green").toCompletableFuture().join()).isTrue();
        Map<String, String> after = keys();
        after.keySet().retainAll(before.keySet());
        Map<String, String> changed = new TreeMap<>(after);
        changed.entrySet().removeIf(entry -> entry.getValue().equals(before.get(entry.getKey())));
        assertThat(changed).as("the switch is one key").containsExactly(Map.entry("http/routers/trino-demo-green-public/priority", "3"));
        assertThat(routes.active("demo").toCompletableFuture().join()).contains("green");

        assertThat(routes.activate("demo", "green").toCompletableFuture().join()).as("already active: nothing written").isFalse();
        // and back again, as the next blue-green does
        assertThat(routes.activate("demo", "blue").toCompletableFuture().join()).isTrue();
        assertThat(routes.active("demo").toCompletableFuture().join()).contains("blue");
    }

    @Test
    void testEnsuringAnExistingRouteKeepsItsPriority()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo", "green", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.activate("demo", "green").toCompletableFuture().join();

        routes.ensure("demo", "green", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();

        assertThat(routes.active("demo").toCompletableFuture().join()).contains("green");
    }

    @Test
    void testRemovingASideLeavesTheOtherAndRemoveAllLeavesNothing()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo", "green", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.activate("demo", "green").toCompletableFuture().join();

        routes.remove("demo", "blue").toCompletableFuture().join();
        assertThat(keys().keySet()).allMatch(key -> key.startsWith("http/routers/trino-demo-green-public/"));
        assertThat(routes.active("demo").toCompletableFuture().join()).contains("green");

        routes.removeAll("demo").toCompletableFuture().join();
        assertThat(keys()).isEmpty();
        assertThat(routes.active("demo").toCompletableFuture().join()).isEmpty();
    }

    @Test
    void testClustersWhoseNamesShareAPrefixDoNotSeeEachOthersRoutes()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo-x", "green", "demo-x.trino.localhost", "web").toCompletableFuture().join();

        assertThat(routes.routes("demo").toCompletableFuture().join()).extracting(PublicRoutes.Route::side).containsExactly("blue");
        assertThat(routes.routes("demo-x").toCompletableFuture().join()).extracting(PublicRoutes.Route::side).containsExactly("green");
        routes.removeAll("demo").toCompletableFuture().join();
        assertThat(routes.active("demo-x").toCompletableFuture().join()).contains("green");
    }

    @Test
    void testARouterWithoutItsRuleIsNotActiveAndCannotBeSwitchedTo()
    {
        kv.put("http/routers/trino-demo-green-public/priority", "9").toCompletableFuture().join();
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();

        assertThat(routes.active("demo").toCompletableFuture().join()).as("Traefik leaves a router without a rule out").isEqualTo(Optional.of("blue"));
        assertThatThrownBy(() -> routes.activate("demo", "green").toCompletableFuture().join())
                .hasMessageContaining("has no complete public router for side green");
    }

    /** Issue 23: every cluster's active side from one listing, as the one for that cluster says. */
    @Test
    void testActiveSidesOfEveryClusterFromOneListing()
    {
        routes.ensure("demo", "blue", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.ensure("demo", "green", "demo.trino.localhost", "web").toCompletableFuture().join();
        routes.activate("demo", "green").toCompletableFuture().join();
        routes.ensure("demo-x", "blue", "demo-x.trino.localhost", "web").toCompletableFuture().join();
        // a router without its rule is left out, as Traefik leaves it out
        kv.put("http/routers/trino-half-blue-public/priority", "9").toCompletableFuture().join();

        var sides = routes.activeSides(0, java.time.Duration.ofSeconds(1)).toCompletableFuture().join();
        assertThat(sides.value()).containsExactly(Map.entry("demo", "green"), Map.entry("demo-x", "blue"));
        assertThat(sides.index()).isPositive();
        for (String cluster : sides.value().keySet()) {
            assertThat(routes.active(cluster).toCompletableFuture().join()).contains(sides.value().get(cluster));
        }
        assertThat(routes.active("half").toCompletableFuture().join()).isEmpty();
    }

    private Map<String, String> keys()
    {
        Map<String, String> all = new TreeMap<>();
        for (KvEntry entry : kv.list("").toCompletableFuture().join()) {
            all.put(entry.key(), entry.value());
        }
        return all;
    }
}
