package io.prestoorchestrator.cluster;

import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.RenderedJob;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What {@link ClusterService}'s deploy does for live catalogs (issue 18), kept out of it. */
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
}
