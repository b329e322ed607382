package io.prestoorchestrator.catalogs;

import io.prestoorchestrator.cluster.CatalogDefinition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCatalogStatements
{
    /** What SSM holds for the references below: none of it may reach a statement. */
    private static final Map<String, String> SSM_VALUES = Map.of(
            "/presto-orchestrator/catalogs/pg/password", "pg-Secret-Value-1",
            "/presto-orchestrator/catalogs/pg/user", "pg-user-value-2");
    private static final CatalogDefinition PG = new CatalogDefinition("pg", "postgresql",
            Map.of("connection-url", "jdbc:postgresql://db:5432/sales"),
            Map.of("connection-password", "ssm:/presto-orchestrator/catalogs/pg/password", "connection-user", "ssm:/presto-orchestrator/catalogs/pg/user"));

    @Test
    void testCreateQuotesNamesAndValues()
    {
        CatalogDefinition catalog = new CatalogDefinition("sales", "tpch", Map.of("tpch.column-naming", "STANDARD", "comment.x", "it's \"quoted\""), Map.of());
        assertThat(CatalogStatements.create(catalog)).isEqualTo(
                "CREATE CATALOG IF NOT EXISTS \"sales\" USING tpch WITH (\"comment.x\" = 'it''s \"quoted\"', \"tpch.column-naming\" = 'STANDARD')");
        assertThat(CatalogStatements.create(new CatalogDefinition("empty", "memory", Map.of(), Map.of()))).isEqualTo("CREATE CATALOG IF NOT EXISTS \"empty\" USING memory");
        assertThat(CatalogStatements.drop("sales")).isEqualTo("DROP CATALOG IF EXISTS \"sales\"");
    }

    /** A secret property is a reference resolved on the node; neither its value nor its SSM name is in the SQL. */
    @Test
    void testSecretsAreEnvironmentReferencesNeverValues()
    {
        String sql = CatalogStatements.create(PG);
        assertThat(sql).isEqualTo("CREATE CATALOG IF NOT EXISTS \"pg\" USING postgresql WITH (\"connection-url\" = 'jdbc:postgresql://db:5432/sales',"
                + " \"connection-password\" = '${ENV:TRINO_CATALOG_PG__CONNECTION_PASSWORD}', \"connection-user\" = '${ENV:TRINO_CATALOG_PG__CONNECTION_USER}')");
        SSM_VALUES.forEach((name, value) -> assertThat(sql).doesNotContain(value).doesNotContain(name));
        assertThat(sql).doesNotContain("ssm:");
        assertThat(CatalogStatements.envNames(PG)).containsExactly(
                Map.entry("connection-password", "TRINO_CATALOG_PG__CONNECTION_PASSWORD"), Map.entry("connection-user", "TRINO_CATALOG_PG__CONNECTION_USER"));
    }

    @Test
    void testWhatSqlCannotExpress()
    {
        assertThat(CatalogStatements.notLive(new CatalogDefinition("h", "hive-hadoop2", Map.of(), Map.of()))).get().asString()
                .contains("connector name 'hive-hadoop2' is not a plain SQL identifier");
        // a plain value must not make Trino read the node's environment
        CatalogDefinition reading = new CatalogDefinition("x", "memory", Map.of("memory.max-data-per-node", "${ENV:AWS_SECRET_ACCESS_KEY}"), Map.of());
        assertThat(CatalogStatements.notLive(reading)).get().asString().contains("contains '${'");
        assertThatThrownBy(() -> CatalogStatements.create(reading)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be created by SQL");
        CatalogDefinition clash = new CatalogDefinition("x", "memory", Map.of(), Map.of("a.b", "ssm:/p/a", "a-b", "ssm:/p/b"));
        assertThat(CatalogStatements.notLive(clash)).get().asString().contains("both map to environment variable TRINO_CATALOG_X__A_B");
        assertThat(CatalogStatements.notLive(PG)).isEmpty();
    }
}
