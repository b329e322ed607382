package io.prestoorchestrator.routing;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.follow.Indexed;

import java.time.Duration;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * The public host of each cluster, as routers of Traefik's Consul KV provider (issue 18). Each side of a
 * cluster ({@code blue}, {@code green}) has its own router on the same public rule, naming that side's
 * Consul Catalog service and its pinning middleware (both declared by the side's coordinator in the job's
 * tags, so they exist only while its readiness gate passes); the router with the highest priority takes
 * new queries. A switch is then one KV write (a priority), never two keys that could name different sides
 * for a moment. Keys, under Traefik's root key (the store's prefix):
 * <pre>
 * http/routers/trino-&lt;cluster&gt;-&lt;side&gt;-public/priority
 * http/routers/trino-&lt;cluster&gt;-&lt;side&gt;-public/service         trino-&lt;cluster&gt;-&lt;side&gt;@consulcatalog
 * http/routers/trino-&lt;cluster&gt;-&lt;side&gt;-public/middlewares/0   trino-&lt;cluster&gt;-&lt;side&gt;-pin@consulcatalog
 * http/routers/trino-&lt;cluster&gt;-&lt;side&gt;-public/entrypoints/0   the route entry point
 * http/routers/trino-&lt;cluster&gt;-&lt;side&gt;-public/rule            Host(`&lt;cluster&gt;.&lt;domain&gt;`)
 * </pre>
 * A router without a rule is invalid and Traefik leaves it out, so the rule is written last and deleted
 * first; the priority is written first, so a new router never takes traffic before its priority says so.
 * The routes live in Consul: Traefik keeps routing while the orchestrator is down.
 */
public final class PublicRoutes
{
    private static final String ROUTERS = "http/routers/";
    private static final String SUFFIX = "-public";
    /** An inactive side's priority; the active one's is always higher (Traefik reads 0 as "by rule length"). */
    static final int INACTIVE = 1;

    private final KvStore traefik;

    /** @param traefik Consul KV under Traefik's root key ({@code --providers.consul.rootKey}) */
    public PublicRoutes(KvStore traefik)
    {
        this.traefik = requireNonNull(traefik, "traefik is null");
    }

    /** One side's public router as stored. */
    public record Route(String cluster, String side, int priority, Optional<String> rule)
    {
        public Route
        {
            requireNonNull(cluster, "cluster is null");
            requireNonNull(side, "side is null");
            requireNonNull(rule, "rule is null");
        }

        /** Whether Traefik can use it: a router without a rule is left out. */
        public boolean complete()
        {
            return rule.isPresent();
        }
    }

    /** The public routers of {@code cluster}, the one taking new queries first. */
    public CompletionStage<List<Route>> routes(String cluster)
    {
        return traefik.list(ROUTERS + JobNames.jobId(cluster) + "-").thenApply(entries -> byCluster(entries).getOrDefault(cluster, List.of()));
    }

    /**
     * Issue 23: every cluster's active side ({@link #active}) from one blocking query on the routers
     * (Consul's {@code GET /v1/kv/<traefik root>/http/routers/?recurse&index=N}); clusters with no
     * complete router are left out.
     */
    public CompletionStage<Indexed<Map<String, String>>> activeSides(long index, Duration wait)
    {
        return traefik.watch(ROUTERS, index, wait).thenApply(listing -> {
            Map<String, String> sides = new TreeMap<>();
            byCluster(listing.entries()).forEach((cluster, routes) -> routes.stream().filter(Route::complete).findFirst().ifPresent(route -> sides.put(cluster, route.side())));
            return new Indexed<>(sides, listing.index());
        });
    }

    /**
     * The routers among {@code entries} (keys under the store's prefix), by cluster, the one taking new queries first. Public
     * for tests that read Traefik's KV as a client would ({@code FaultInjectionIT}): one reading of the layout.
     */
    public static Map<String, List<Route>> byCluster(List<KvEntry> entries)
    {
        // router trino-<cluster>-<side>-public: cluster names may contain '-', sides do not
        Map<String, Map<String, Integer>> priorities = new TreeMap<>();
        Map<String, Map<String, String>> rules = new TreeMap<>();
        String jobPrefix = JobNames.jobId("");
        for (KvEntry entry : entries) {
            if (!entry.key().startsWith(ROUTERS)) {
                continue;
            }
            String rest = entry.key().substring(ROUTERS.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String router = rest.substring(0, slash);
            if (!router.startsWith(jobPrefix) || !router.endsWith(SUFFIX)) {
                continue;
            }
            String named = router.substring(0, router.length() - SUFFIX.length());
            int dash = named.lastIndexOf('-');
            if (dash <= jobPrefix.length()) {
                continue;
            }
            String cluster = named.substring(jobPrefix.length(), dash);
            String side = named.substring(dash + 1);
            String field = rest.substring(slash + 1);
            priorities.computeIfAbsent(cluster, ignored -> new TreeMap<>()).putIfAbsent(side, 0);
            if (field.equals("priority")) {
                priorities.get(cluster).put(side, parsePriority(entry.value()));
            }
            else if (field.equals("rule")) {
                rules.computeIfAbsent(cluster, ignored -> new TreeMap<>()).put(side, entry.value());
            }
        }
        Map<String, List<Route>> routes = new TreeMap<>();
        priorities.forEach((cluster, sides) -> routes.put(cluster, sides.entrySet().stream()
                .map(side -> new Route(cluster, side.getKey(), side.getValue(), Optional.ofNullable(rules.getOrDefault(cluster, Map.of()).get(side.getKey()))))
                .sorted(Comparator.comparingInt(Route::priority).reversed().thenComparing(Route::side))
                .toList()));
        return routes;
    }

    /** The side taking new queries: the complete router with the highest priority. */
    public CompletionStage<Optional<String>> active(String cluster)
    {
        return routes(cluster).thenApply(routes -> routes.stream().filter(Route::complete).findFirst().map(Route::side));
    }

    /**
     * Makes sure {@code side} has a public router for {@code host} on {@code entrypoint}. A new router
     * takes new queries at once when the cluster has no other complete one (a create, a start), and is
     * written inactive otherwise (the new side of a blue-green switch, until {@link #activate}).
     * An existing router keeps its priority; its other keys are written again (idempotent).
     */
    public CompletionStage<Void> ensure(String cluster, String side, String host, String entrypoint)
    {
        String router = ROUTERS + routerName(cluster, side) + "/";
        return routes(cluster).thenCompose(routes -> {
            Optional<Route> existing = routes.stream().filter(route -> route.side().equals(side)).findFirst();
            boolean othersRoute = routes.stream().anyMatch(route -> !route.side().equals(side) && route.complete());
            int priority = existing.filter(route -> route.priority() > 0).map(Route::priority)
                    .orElse(othersRoute ? INACTIVE : highest(routes) + 1);
            String service = JobNames.jobId(cluster) + "-" + side;
            return traefik.put(router + "priority", Integer.toString(priority))
                    .thenCompose(ignored -> traefik.put(router + "service", service + "@consulcatalog"))
                    .thenCompose(ignored -> traefik.put(router + "middlewares/0", service + "-pin@consulcatalog"))
                    .thenCompose(ignored -> traefik.put(router + "entrypoints/0", entrypoint))
                    .thenCompose(ignored -> traefik.put(router + "rule", "Host(`" + host + "`)"));
        });
    }

    /**
     * New queries go to {@code side} from this write on: its priority is raised above every other
     * router of the cluster, in one key. Nothing is written when it is already the highest.
     *
     * @return whether this call switched
     */
    public CompletionStage<Boolean> activate(String cluster, String side)
    {
        return routes(cluster).thenCompose(routes -> {
            Route target = routes.stream().filter(route -> route.side().equals(side) && route.complete()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("cluster " + cluster + " has no complete public router for side " + side + ": ensure it first"));
            int others = routes.stream().filter(route -> !route.side().equals(side)).mapToInt(Route::priority).max().orElse(0);
            if (target.priority() > others) {
                return CompletableFuture.completedFuture(false);
            }
            return traefik.put(ROUTERS + routerName(cluster, side) + "/priority", Integer.toString(others + 1)).thenApply(ignored -> true);
        });
    }

    /** Removes {@code side}'s public router: its rule first (Traefik then leaves it out), then the rest. */
    public CompletionStage<Void> remove(String cluster, String side)
    {
        String router = ROUTERS + routerName(cluster, side) + "/";
        return traefik.delete(router + "rule")
                .thenCompose(ignored -> traefik.list(router))
                .thenCompose(rest -> {
                    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
                    for (KvEntry entry : rest) {
                        String key = entry.key().substring(entry.key().indexOf(router));
                        chain = chain.thenCompose(ignored -> traefik.delete(key));
                    }
                    return chain;
                });
    }

    /** Removes every public router of {@code cluster}: its public host answers 404 once Traefik reads it. */
    public CompletionStage<Void> removeAll(String cluster)
    {
        return routes(cluster).thenCompose(routes -> {
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            for (Route route : routes) {
                chain = chain.thenCompose(ignored -> remove(cluster, route.side()));
            }
            return chain;
        });
    }

    /** The KV router of {@code side}'s public route. */
    public static String routerName(String cluster, String side)
    {
        return JobNames.jobId(cluster) + "-" + side + SUFFIX;
    }

    private static int highest(List<Route> routes)
    {
        return routes.stream().mapToInt(Route::priority).max().orElse(INACTIVE);
    }

    private static int parsePriority(String value)
    {
        try {
            return Integer.parseInt(value.strip());
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }
}
