package io.prestoorchestrator.catalogs;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/** SQL on a Trino coordinator as the orchestrator's own Trino user, the only one its access control lets manage catalogs. */
public interface TrinoCatalogAdmin
{
    /** The catalogs the coordinator serves ({@code system.metadata.catalogs}), {@code system} included. */
    CompletionStage<Set<String>> catalogs(String coordinatorUrl);

    /** Runs one statement to its end; fails with Trino's error ({@code errorName: message}). */
    CompletionStage<Void> execute(String coordinatorUrl, String sql);
}
