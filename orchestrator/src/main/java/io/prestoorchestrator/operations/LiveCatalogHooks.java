package io.prestoorchestrator.operations;

import io.prestoorchestrator.catalogs.CatalogChangePlan;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.RenderedJob;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What {@link DeployWorkflow} (and {@link ClusterService}'s catalog plan) does for live catalogs (issue 18), kept out of them. */
final class LiveCatalogHooks
{
    private LiveCatalogHooks() {}

    /**
     * Writes a Trino cluster's catalog files to their Nomad Variable. Before every register: the
     * coordinator's with-catalogs.sh template waits for the Variable, and a coordinator that starts
     * writes these files before Trino reads them. Nothing for PrestoDB (its files are in the job).
     */
    static CompletionStage<Void> writeBundle(NomadJobs nomad, RenderedJob rendered)
    {
        return rendered.catalogBundle()
                .map(bundle -> nomad.putVariable(bundle.path(), bundle.items(), OptionalLong.empty()).thenApply(written -> (Void) null))
                .orElseGet(() -> CompletableFuture.completedFuture(null));
    }

    /** The coordinator to run the catalog statements on, and the definitions of the catalogs the spec attaches. */
    record Attached(String coordinatorUrl, List<CatalogDefinition> catalogs) {}

    static Attached attached(ClusterSpec spec, List<CatalogDefinition> all, Optional<String> coordinatorUrl)
    {
        String url = coordinatorUrl.orElseThrow(() -> new IllegalStateException("cluster " + spec.name() + " has no coordinator address to change its catalogs on"));
        return new Attached(url, all.stream().filter(catalog -> spec.catalogs().contains(catalog.name())).toList());
    }

    /**
     * The catalog part of a plan: what the spec's catalogs, as rendered now, change against the
     * catalog files the cluster runs with (its catalog Variable). Nothing for PrestoDB (its catalog
     * files are in the job: Nomad's plan shows them) or before the Variable was first written.
     */
    static CatalogChangePlan plan(ClusterSpec spec, RenderedJob rendered, Optional<io.prestoorchestrator.nomad.StoredVariable> deployed, List<CatalogDefinition> all)
    {
        if (rendered.catalogBundle().isEmpty() || deployed.isEmpty()) {
            return new CatalogChangePlan(List.of());
        }
        java.util.Map<String, String> running = new java.util.TreeMap<>();
        deployed.get().items().forEach((item, text) -> {
            if (item.endsWith(".properties")) {
                running.put(item.substring(0, item.length() - ".properties".length()), text);
            }
        });
        java.util.Map<String, CatalogDefinition> definitions = new java.util.HashMap<>();
        all.forEach(catalog -> definitions.put(catalog.name(), catalog));
        return CatalogChangePlan.ofDeployed(spec.flavour(), running, rendered.catalogBundle().get().files(), definitions);
    }
}
