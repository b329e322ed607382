package io.prestoorchestrator.catalogs;

import io.prestoorchestrator.cluster.CatalogDefinition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLiveCatalogs
{
    private static final String COORDINATOR = "http://127.0.0.1:18080";
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of(), Map.of());
    private static final CatalogDefinition SALES = new CatalogDefinition("sales", "tpch", Map.of("tpch.column-naming", "STANDARD"), Map.of());
    private static final CatalogDefinition PG = new CatalogDefinition("pg", "postgresql", Map.of(), Map.of("connection-password", "ssm:/presto-orchestrator/pg/password"));

    /** A coordinator that serves catalogs and applies the statements it is sent, as Trino would. */
    private static final class FakeCoordinator
            implements TrinoCatalogAdmin
    {
        final Set<String> served = new TreeSet<>(Set.of("system"));
        final List<String> statements = new ArrayList<>();
        String refuse = "";

        @Override
        public CompletionStage<Set<String>> catalogs(String coordinatorUrl)
        {
            assertThat(coordinatorUrl).isEqualTo(COORDINATOR);
            return CompletableFuture.completedFuture(Set.copyOf(served));
        }

        @Override
        public CompletionStage<Void> execute(String coordinatorUrl, String sql)
        {
            statements.add(sql);
            if (!refuse.isEmpty() && sql.contains(refuse)) {
                return CompletableFuture.failedFuture(new IllegalStateException("Trino refused: Access Denied"));
            }
            String name = sql.replaceFirst("^(CREATE|DROP) CATALOG IF (NOT )?EXISTS \"([^\"]+)\".*", "$3");
            if (sql.startsWith("CREATE")) {
                served.add(name);
            }
            else {
                served.remove(name);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void testCreatesWhatIsMissingAndDropsWhatIsNotAttached()
    {
        FakeCoordinator trino = new FakeCoordinator();
        trino.served.add("tpch");
        LiveCatalogs live = new LiveCatalogs(trino);
        List<String> run = live.reconcile(COORDINATOR, List.of(SALES, PG)).toCompletableFuture().join();
        assertThat(run).containsExactly(
                "CREATE CATALOG IF NOT EXISTS \"pg\" USING postgresql WITH (\"connection-password\" = '${ENV:TRINO_CATALOG_PG__CONNECTION_PASSWORD}')",
                "CREATE CATALOG IF NOT EXISTS \"sales\" USING tpch WITH (\"tpch.column-naming\" = 'STANDARD')",
                "DROP CATALOG IF EXISTS \"tpch\"");
        assertThat(trino.statements).isEqualTo(run);
        assertThat(trino.served).containsExactly("pg", "sales", "system");
        assertThat(String.join("\n", run)).doesNotContain("ssm:").doesNotContain("/presto-orchestrator/pg/password");

        // again: the coordinator serves them already, nothing runs
        assertThat(live.reconcile(COORDINATOR, List.of(SALES, PG)).toCompletableFuture().join()).isEmpty();
        assertThat(trino.statements).hasSize(3);
    }

    @Test
    void testNeverDropsSystem()
    {
        FakeCoordinator trino = new FakeCoordinator();
        assertThat(new LiveCatalogs(trino).reconcile(COORDINATOR, List.of()).toCompletableFuture().join()).isEmpty();
        assertThat(trino.served).containsExactly("system");
    }

    @Test
    void testStopsAtTheFirstRefusal()
    {
        FakeCoordinator trino = new FakeCoordinator();
        trino.refuse = "\"pg\"";
        assertThatThrownBy(() -> new LiveCatalogs(trino).reconcile(COORDINATOR, List.of(TPCH, PG)).toCompletableFuture().join())
                .hasRootCauseMessage("Trino refused: Access Denied");
        assertThat(trino.statements).containsExactly(
                "CREATE CATALOG IF NOT EXISTS \"pg\" USING postgresql WITH (\"connection-password\" = '${ENV:TRINO_CATALOG_PG__CONNECTION_PASSWORD}')");
    }
}
