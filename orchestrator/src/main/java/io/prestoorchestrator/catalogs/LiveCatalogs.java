package io.prestoorchestrator.catalogs;

import io.prestoorchestrator.cluster.CatalogDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Makes a running Trino coordinator serve exactly a cluster's catalogs (issue 18): {@code CREATE
 * CATALOG} for each attached catalog it lacks, {@code DROP CATALOG} for each it serves that is not
 * attached ({@code system} excepted). Idempotent, so a step resumed after a leader change or a
 * retried one changes nothing more; after a rolling restart the coordinator has read its catalog
 * files already and nothing runs. The catalog files in the Nomad Variable must be written first,
 * so that a coordinator that starts meanwhile comes up with the same catalogs.
 */
public final class LiveCatalogs
{
    /** Trino's own catalog, never dropped. */
    static final String SYSTEM = "system";

    private final TrinoCatalogAdmin trino;

    public LiveCatalogs(TrinoCatalogAdmin trino)
    {
        this.trino = requireNonNull(trino, "trino is null");
    }

    /**
     * @param attached the definitions of the cluster's catalogs
     * @return the statements run, in order (none: the coordinator served these catalogs already); no secret value in any
     */
    public CompletionStage<List<String>> reconcile(String coordinatorUrl, List<CatalogDefinition> attached)
    {
        requireNonNull(coordinatorUrl, "coordinatorUrl is null");
        Map<String, CatalogDefinition> wanted = new TreeMap<>();
        attached.forEach(catalog -> wanted.put(catalog.name(), catalog));
        return trino.catalogs(coordinatorUrl).thenCompose(served -> {
            List<String> statements = statements(new TreeSet<>(served), wanted);
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            for (String sql : statements) {
                chain = chain.thenCompose(ignored -> trino.execute(coordinatorUrl, sql));
            }
            return chain.thenApply(ignored -> statements);
        });
    }

    /** What {@link #reconcile} runs: creates first (attached catalogs come before detached ones go), then drops. */
    static List<String> statements(Set<String> served, Map<String, CatalogDefinition> wanted)
    {
        List<String> statements = new ArrayList<>();
        wanted.forEach((name, catalog) -> {
            if (!served.contains(name)) {
                statements.add(CatalogStatements.create(catalog));
            }
        });
        new TreeSet<>(served).forEach(name -> {
            if (!name.equals(SYSTEM) && !wanted.containsKey(name)) {
                statements.add(CatalogStatements.drop(name));
            }
        });
        return statements;
    }
}
