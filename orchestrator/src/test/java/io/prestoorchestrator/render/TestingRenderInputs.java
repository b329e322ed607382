package io.prestoorchestrator.render;

import io.prestoorchestrator.cluster.CatalogDefinition;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class TestingRenderInputs
{
    static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();
    static final String HIVE_PASSWORD = "hunter2-Sup3rSecret";
    static final String LDAP_PASSWORD = "ldap-Pa55word-value";

    static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());
    static final CatalogDefinition HIVE = new CatalogDefinition("hive", "hive",
            Map.of("hive.metastore.uri", "thrift://metastore.internal:9083", "hive.metastore.username", "trino"),
            Map.of("hive.metastore.password", "ssm:/presto-orchestrator/catalogs/hive/metastore-password"));

    private TestingRenderInputs() {}

    static RenderInputs local()
    {
        return new RenderInputs(
                List.of(TPCH),
                List.of(),
                List.of(),
                "1.2.3",
                "alice",
                Map.of("TRINO_HOME", "/opt/trino-server-476", "TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25"),
                Optional.of(18080));
    }

    static RenderInputs prod()
    {
        return new RenderInputs(
                List.of(TPCH, HIVE),
                List.of(new ConfigParameter("log-level", "WARN", 3)),
                List.of(
                        new SecretParameter("hive-metastore-password", "/presto-orchestrator/catalogs/hive/metastore-password", 7),
                        new SecretParameter("ldap-password", "/presto-orchestrator/adhoc/ldap-password", 2)),
                "1.2.3",
                "alice",
                Map.of(),
                Optional.empty());
    }
}
