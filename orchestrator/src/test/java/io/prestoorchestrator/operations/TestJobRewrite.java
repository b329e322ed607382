package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The workers-first rewrite of the rendered job, on the shipped templates, against golden files.
 * After an intended change, regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class TestJobRewrite
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "operations");
    private static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());
    private static final Instant ASKED = Instant.parse("2026-12-07T08:00:00Z");
    private static final String EARLIER_STAMP = "2026-12-01T10:00:00Z";

    private final JobRenderer renderer = new JobRenderer(TEMPLATES);

    @Test
    void testRestartDeploysTheRenderedJobWithItsStampAndTheJobMetaInTheWorkersGroup()
            throws IOException
    {
        Operation restart = Operation.start("op-1", "demo", OperationKind.RESTART.storedName(), Map.of(JobRewrite.RESTART_STAMP, ASKED.toString()), "ops", ASKED);
        ObjectNode rendered = rendered(TestingClusterSpecs.local());
        ObjectNode before = rendered.deepCopy();

        ObjectNode deployable = JobRewrite.deployable(rendered, JobRewrite.stamp(restart, Optional.of(EARLIER_STAMP)));

        assertGolden("restart-deployable.json", deployable);
        assertThat(rendered).as("the input is not changed").isEqualTo(before);
        assertThat(deployable.path("Meta").path(JobRewrite.RESTART_META).asText()).isEqualTo(ASKED.toString());
        assertThat(JobRewrite.group(deployable, JobNames.WORKER_GROUP).path("Meta")).isEqualTo(deployable.path("Meta"));
    }

    @Test
    void testUpgradeRegistersTheNewWorkersUnderTheRunningCoordinator()
            throws IOException
    {
        Operation update = Operation.start("op-2", "demo", OperationKind.UPDATE.storedName(), "ops", ASKED);
        ObjectNode running = JobRewrite.deployable(rendered(TestingClusterSpecs.local()), Optional.of(EARLIER_STAMP));
        // a Meta key an older template set and the new version no longer has
        running.with("Meta").put("orchestrator_retired_key", "old");
        ObjectNode next = JobRewrite.deployable(rendered(upgraded(TestingClusterSpecs.local())), JobRewrite.stamp(update, JobRewrite.restartStamp(running)));
        ObjectNode runningBefore = running.deepCopy();

        ObjectNode phase = JobRewrite.workersFirst(running, next);

        assertGolden("upgrade-workers-first.json", phase);
        assertThat(running).as("the input is not changed").isEqualTo(runningBefore);
        assertThat(JobRewrite.group(phase, JobNames.WORKER_GROUP)).as("the new workers").isEqualTo(JobRewrite.group(next, JobNames.WORKER_GROUP));
        assertThat(JobRewrite.group(phase, JobNames.COORDINATOR_GROUP).path("Tasks")).as("the running coordinator")
                .isEqualTo(JobRewrite.group(running, JobNames.COORDINATOR_GROUP).path("Tasks"));
        assertThat(next.path("Meta").path(JobRewrite.RESTART_META).asText()).as("an update keeps the running restart stamp").isEqualTo(EARLIER_STAMP);
        assertThat(JobRewrite.group(phase, JobNames.COORDINATOR_GROUP).path("Meta").path("orchestrator_retired_key").asText())
                .as("a dropped job Meta key moves to the coordinator group").isEqualTo("old");
        assertThat(phase.path("Meta").has("orchestrator_retired_key")).isFalse();
        assertThat(phase.path("Meta").path("trino_version").asText()).as("kept job Meta keys keep their running values").isEqualTo("476");
    }

    @Test
    void testStamp()
    {
        Operation restart = Operation.start("op-1", "demo", "restart", Map.of(JobRewrite.RESTART_STAMP, ASKED.toString()), "ops", Instant.EPOCH);
        Operation legacyRestart = Operation.start("op-1", "demo", "restart", "ops", Instant.EPOCH);
        Operation update = Operation.start("op-2", "demo", "update", "ops", ASKED);
        Operation resize = Operation.start("op-3", "demo", "resize", "ops", ASKED);

        assertThat(JobRewrite.stamp(restart, Optional.of(EARLIER_STAMP))).contains(ASKED.toString());
        assertThat(JobRewrite.stamp(restart, Optional.empty())).contains(ASKED.toString());
        assertThat(JobRewrite.stamp(legacyRestart, Optional.of(EARLIER_STAMP))).as("stored before the stamp was an input").contains(Instant.EPOCH.toString());
        assertThat(JobRewrite.stamp(update, Optional.of(EARLIER_STAMP))).contains(EARLIER_STAMP);
        assertThat(JobRewrite.stamp(update, Optional.empty())).isEmpty();
        assertThat(JobRewrite.stamp(resize, Optional.of(EARLIER_STAMP))).contains(EARLIER_STAMP);
    }

    @Test
    void testWorkersMeta()
            throws IOException
    {
        ObjectNode job = (ObjectNode) JSON.readTree("""
                {"Meta": {"a": "job", "b": "job"},
                 "TaskGroups": [{"Name": "coordinator"}, {"Name": "workers", "Meta": {"b": "group", "c": "group"}}]}""");
        ObjectNode copied = JobRewrite.withWorkersMeta(job);

        assertThat(JobRewrite.group(copied, "workers").path("Meta")).isEqualTo(JSON.readTree("""
                {"a": "job", "b": "group", "c": "group"}"""));
        assertThat(JobRewrite.group(copied, "coordinator").has("Meta")).isFalse();
        assertThat(JobRewrite.withWorkersMeta((ObjectNode) JSON.readTree("""
                {"TaskGroups": [{"Name": "workers"}]}""")).path("TaskGroups").get(0).path("Meta")).isEqualTo(JSON.createObjectNode());
        assertThat(JobRewrite.withWorkersMeta((ObjectNode) JSON.readTree("""
                {"Meta": {"a": "job"}, "TaskGroups": [{"Name": "coordinator"}]}"""))).isEqualTo(JSON.readTree("""
                {"Meta": {"a": "job"}, "TaskGroups": [{"Name": "coordinator"}]}"""));
    }

    @Test
    void testRestartStamp()
            throws IOException
    {
        assertThat(JobRewrite.restartStamp(JSON.readTree("{\"Meta\": {\"orchestrator_restarted_at\": \"x\"}}"))).contains("x");
        assertThat(JobRewrite.restartStamp(JSON.readTree("{\"Meta\": {\"orchestrator_restarted_at\": 7}}"))).isEmpty();
        assertThat(JobRewrite.restartStamp(JSON.readTree("{\"Meta\": {}}"))).isEmpty();
        assertThat(JobRewrite.restartStamp(JSON.readTree("{}"))).isEmpty();
    }

    @Test
    void testWorkersFirstNeedsARunningCoordinator()
            throws IOException
    {
        ObjectNode next = JobRewrite.deployable(rendered(TestingClusterSpecs.local()), Optional.empty());
        ObjectNode noCoordinator = (ObjectNode) JSON.readTree("{\"Meta\": {}, \"TaskGroups\": [{\"Name\": \"workers\"}]}");
        assertThatThrownBy(() -> JobRewrite.workersFirst(noCoordinator, next))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coordinator");
    }

    private ObjectNode rendered(ClusterSpec spec)
    {
        RenderInputs inputs = new RenderInputs(List.of(TPCH), List.of(), List.of(), "1.2.3", "alice",
                Map.of("TRINO_HOME", "/opt/trino-server-476", "TRINO_470_HOME", "/opt/trino-server-470", "TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25"), Optional.of(18080));
        return renderer.render(spec, inputs).nomadJob();
    }

    private static ClusterSpec upgraded(ClusterSpec spec)
    {
        return new ClusterSpec(spec.name(), spec.flavour(), "470", spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), false, spec.labels());
    }

    private static void assertGolden(String file, JsonNode actual)
            throws IOException
    {
        Path golden = GOLDEN.resolve(file);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, JSON.writeValueAsString(actual) + "\n", UTF_8);
        }
        JsonNode expected = JSON.readTree(Files.readString(golden, UTF_8));
        assertThat(actual).as("rewritten job vs %s (regenerate with -Dgolden.update=true after an intended change)", golden).isEqualTo(expected);
    }
}
