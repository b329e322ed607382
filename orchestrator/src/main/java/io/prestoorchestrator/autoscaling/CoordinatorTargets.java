package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.discovery.ServiceCatalog;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.discovery.ServiceHealth.Instance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * The Trino coordinators for Prometheus to scrape, read from Consul and given as Prometheus HTTP
 * service discovery target groups ({@code http_sd_configs}). It selects what production's
 * {@code consul_sd} job does (job-templates/system/prometheus/prometheus.yml.ftl): every instance
 * tagged {@code coordinator} whose service meta names a cluster, and labels it the way that job's
 * relabelling does: {@code cluster}, {@code role} and {@code node}. Every instance is listed
 * whatever its checks say, as {@code consul_sd} lists it; a stopped coordinator shows as
 * {@code up == 0} until Nomad deregisters it.
 */
public final class CoordinatorTargets
{
    public static final String COORDINATOR_TAG = "coordinator";

    private final ServiceCatalog catalog;
    private final ServiceHealth health;

    public CoordinatorTargets(ServiceCatalog catalog, ServiceHealth health)
    {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.health = requireNonNull(health, "health is null");
    }

    /** The target groups, one per coordinator instance, in cluster then address order. */
    public CompletionStage<List<TargetGroup>> coordinators()
    {
        return catalog.services().thenCompose(services -> {
            List<CompletableFuture<List<Instance>>> lookups = services.entrySet().stream()
                    .filter(service -> service.getValue().contains(COORDINATOR_TAG))
                    .map(service -> health.instances(service.getKey()).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                List<TargetGroup> groups = new ArrayList<>();
                for (CompletableFuture<List<Instance>> lookup : lookups) {
                    for (Instance instance : lookup.join()) {
                        String cluster = instance.meta().getOrDefault("cluster", "");
                        if (instance.tags().contains(COORDINATOR_TAG) && !cluster.isEmpty()) {
                            Map<String, String> labels = new TreeMap<>();
                            labels.put("cluster", cluster);
                            labels.put("role", instance.meta().getOrDefault("role", ""));
                            labels.put("node", instance.node());
                            groups.add(new TargetGroup(instance.hostPort(), labels));
                        }
                    }
                }
                groups.sort(Comparator.comparing((TargetGroup group) -> group.labels().get("cluster")).thenComparing(TargetGroup::target));
                return List.copyOf(groups);
            });
        });
    }

    /** One entry of Prometheus's HTTP service discovery answer: {@code {"targets": [target], "labels": labels}}. */
    public record TargetGroup(String target, Map<String, String> labels)
    {
        public TargetGroup
        {
            requireNonNull(target, "target is null");
            labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        }
    }
}
