package io.prestoorchestrator.catalogs;

import io.prestoorchestrator.catalogs.CatalogChangePlan.Action;
import io.prestoorchestrator.catalogs.CatalogChangePlan.Path;
import io.prestoorchestrator.catalogs.CatalogChangePlan.Step;
import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.Flavour;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestCatalogChangePlan
{
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of(), Map.of());
    private static final CatalogDefinition SALES = new CatalogDefinition("sales", "tpch", Map.of("tpch.column-naming", "STANDARD"), Map.of());
    private static final CatalogDefinition PG = new CatalogDefinition("pg", "postgresql", Map.of("connection-url", "jdbc:postgresql://db/x"),
            Map.of("connection-password", "ssm:/presto-orchestrator/pg/password"));
    private static final Map<String, CatalogDefinition> DEFINITIONS = Map.of("tpch", TPCH, "sales", SALES, "pg", PG);

    @Test
    void testAttachAndDetachWithoutSecretsAreLive()
    {
        CatalogChangePlan plan = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of("tpch"), List.of("sales"), DEFINITIONS);
        assertThat(plan.steps()).containsExactly(
                new Step("sales", Action.ATTACH, Path.LIVE, Optional.of("CREATE CATALOG IF NOT EXISTS \"sales\" USING tpch WITH (\"tpch.column-naming\" = 'STANDARD')"),
                        CatalogChangePlan.ATTACH_LIVE),
                new Step("tpch", Action.DETACH, Path.LIVE, Optional.of("DROP CATALOG IF EXISTS \"tpch\""), CatalogChangePlan.DETACH_LIVE));
        assertThat(plan.live()).isTrue();
        assertThat(plan.needsRestart()).isFalse();
        assertThat(plan.lines()).containsExactly("attach sales: live, " + CatalogChangePlan.ATTACH_LIVE, "detach tpch: live, " + CatalogChangePlan.DETACH_LIVE);
    }

    /** The API's plan answer (openapi.yaml: {@code sql} is a string when present): a restart step has no {@code sql} at all, not null. */
    @Test
    void testARestartStepLeavesSqlOutOfItsJson()
    {
        CatalogChangePlan plan = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of("tpch"), List.of("tpch", "pg", "sales"), DEFINITIONS);
        JsonNode steps = ClusterJson.MAPPER.valueToTree(plan).path("steps");
        assertThat(steps.path(0).path("path").asText()).isEqualTo("restart");
        assertThat(steps.path(0).has("sql")).as(steps.toString()).isFalse();
        assertThat(steps.path(1).path("sql").isTextual()).as(steps.toString()).isTrue();
    }

    @Test
    void testNoCatalogChange()
    {
        CatalogChangePlan plan = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of("tpch", "sales"), List.of("sales", "tpch"), DEFINITIONS);
        assertThat(plan.changes()).isFalse();
        assertThat(plan.live()).isFalse();
        assertThat(plan.needsRestart()).isFalse();
        assertThat(CatalogChangePlan.ofDefinitionChange(Flavour.TRINO, SALES, SALES).changes()).isFalse();
    }

    /** Secrets ride in every node's environment, fixed when the process starts: attach and detach both restart. */
    @Test
    void testCatalogWithSecretsRestarts()
    {
        CatalogChangePlan attach = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of("tpch"), List.of("tpch", "pg", "sales"), DEFINITIONS);
        assertThat(attach.steps()).extracting(Step::catalog, Step::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple("pg", Path.RESTART), org.assertj.core.groups.Tuple.tuple("sales", Path.LIVE));
        assertThat(attach.steps().get(0).why()).isEqualTo(CatalogChangePlan.SECRETS).contains("${ENV:...}");
        assertThat(attach.steps().get(0).sql()).isEmpty();
        assertThat(attach.live()).isFalse();
        assertThat(attach.needsRestart()).isTrue();

        CatalogChangePlan detach = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of("pg"), List.of(), DEFINITIONS);
        assertThat(detach.steps()).extracting(Step::path).containsExactly(Path.RESTART);
    }

    @Test
    void testPropertyChangeRestartsUntilBlueGreen()
    {
        CatalogDefinition changed = new CatalogDefinition("sales", "tpch", Map.of("tpch.column-naming", "SIMPLIFIED"), Map.of());
        CatalogChangePlan plan = CatalogChangePlan.ofDefinitionChange(Flavour.TRINO, SALES, changed);
        assertThat(plan.steps()).containsExactly(new Step("sales", Action.CHANGE, Path.RESTART, Optional.empty(), CatalogChangePlan.NO_ALTER));
        assertThat(plan.lines()).containsExactly("change sales: restart, needs a restart until blue-green lands: Trino 476 has no ALTER CATALOG,"
                + " and DROP + CREATE leaves a moment in which queries on the catalog fail");
    }

    /** Against the catalog files a cluster runs with: attached, detached, and a file that changed (a property change). */
    @Test
    void testAgainstTheDeployedFiles()
    {
        Map<String, String> deployed = Map.of("tpch", "connector.name=tpch\n", "sales", "connector.name=tpch\ntpch.column-naming=STANDARD\n");
        Map<String, String> wanted = Map.of("sales", "connector.name=tpch\ntpch.column-naming=SIMPLIFIED\n", "pg", "connector.name=postgresql\n");
        CatalogChangePlan plan = CatalogChangePlan.ofDeployed(Flavour.TRINO, deployed, wanted, DEFINITIONS);
        assertThat(plan.steps()).extracting(Step::catalog, Step::action, Step::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple("pg", Action.ATTACH, Path.RESTART),
                org.assertj.core.groups.Tuple.tuple("tpch", Action.DETACH, Path.LIVE),
                org.assertj.core.groups.Tuple.tuple("sales", Action.CHANGE, Path.RESTART));
        assertThat(plan.path()).isEqualTo("restart");
        assertThat(CatalogChangePlan.ofDeployed(Flavour.TRINO, deployed, deployed, DEFINITIONS).path()).isEqualTo("none");
        assertThat(CatalogChangePlan.ofDeployed(Flavour.TRINO, Map.of(), Map.of("sales", "x"), DEFINITIONS).path()).isEqualTo("live");
    }

    @Test
    void testPrestoDbAlwaysRestarts()
    {
        CatalogChangePlan plan = CatalogChangePlan.ofAttachments(Flavour.PRESTODB, List.of("tpch"), List.of("sales"), DEFINITIONS);
        assertThat(plan.steps()).extracting(Step::path).containsExactly(Path.RESTART, Path.RESTART);
        assertThat(plan.steps()).extracting(Step::why).containsOnly(CatalogChangePlan.PRESTODB);
        assertThat(CatalogChangePlan.ofDefinitionChange(Flavour.PRESTODB, SALES, TPCH).steps()).extracting(Step::why).containsExactly(CatalogChangePlan.PRESTODB);
    }

    @Test
    void testConnectorSqlCannotNameRestarts()
    {
        CatalogDefinition legacy = new CatalogDefinition("legacy", "hive-hadoop2", Map.of(), Map.of());
        CatalogChangePlan plan = CatalogChangePlan.ofAttachments(Flavour.TRINO, List.of(), List.of("legacy"), Map.of("legacy", legacy));
        assertThat(plan.steps()).extracting(Step::path).containsExactly(Path.RESTART);
        assertThat(plan.steps().get(0).why()).contains("not a plain SQL identifier").endsWith("it changes with a rolling restart");
    }
}
