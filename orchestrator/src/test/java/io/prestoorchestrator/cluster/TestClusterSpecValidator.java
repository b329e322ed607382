package io.prestoorchestrator.cluster;

import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TestClusterSpecValidator
{
    private static final ClusterSpec VALID = TestingClusterSpecs.local();

    @Test
    void testValidSpecsPass()
    {
        assertThatCode(() -> ClusterSpecValidator.validate(VALID, Set.of("tpch"))).doesNotThrowAnyException();
        assertThatCode(() -> ClusterSpecValidator.validate(TestingClusterSpecs.prod(), Set.of("tpch", "hive"))).doesNotThrowAnyException();
    }

    @Test
    void testName()
    {
        for (String bad : List.of("Demo", "1demo", "demo_1", "demo-", "", "a".repeat(41))) {
            InvalidInputException e = invalid(with(VALID, "name", bad));
            assertThat(e.semantic()).isFalse();
            assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/name");
            assertThat(e.fieldErrors().get(0).message()).contains("must be a DNS label").contains("starting with a letter");
        }
        assertThatCode(() -> ClusterSpecValidator.validate(with(VALID, "name", "a" + "b".repeat(39)))).doesNotThrowAnyException();
    }

    @Test
    void testVersionImageEnvironment()
    {
        assertThat(invalid(with(VALID, "version", " ")).fieldErrors()).extracting(FieldError::field).containsExactly("/version");
        assertThat(invalid(with(VALID, "image", "Bad Image")).fieldErrors()).extracting(FieldError::field).containsExactly("/image");
        assertThat(invalid(with(VALID, "environment", "../etc")).fieldErrors()).extracting(FieldError::field).containsExactly("/environment");
    }

    @Test
    void testResources()
    {
        ClusterSpec spec = new ClusterSpec("demo", Flavour.TRINO, "476", Optional.empty(), "local", new Resources(10, 1024), VALID.workers(),
                new Resources(500, 100), VALID.jvm(), VALID.queryMemory(), List.of(), Map.of(), false, Map.of());
        InvalidInputException e = invalid(spec);
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/coordinator/cpuMhz", "/workerResources/memoryMb");
        assertThat(e.fieldErrors().get(0).message()).isEqualTo("cpuMhz is 10: set at least 100");
    }

    @Test
    void testCountOutsideMinMax()
    {
        InvalidInputException e = invalid(VALID.withWorkers(new Workers(5, 1, 4)));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/workers/count",
                "count (5) must lie within min..max (1..4): set /workers/count between them, or move the bounds"));
    }

    @Test
    void testZeroWorkersAreAllowedWithAndWithoutAutoscaling()
    {
        Autoscaling on = new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "5m");
        assertThatCode(() -> ClusterSpecValidator.validate(VALID.withWorkers(new Workers(0, 0, 4)))).doesNotThrowAnyException();
        assertThatCode(() -> ClusterSpecValidator.validate(VALID.withWorkers(new Workers(1, 0, 4)).withAutoscaling(on))).doesNotThrowAnyException();
        assertThatCode(() -> ClusterSpecValidator.validate(VALID.withWorkers(new Workers(0, 0, 4)).withAutoscaling(on))).doesNotThrowAnyException();
    }

    @Test
    void testMinAboveMax()
    {
        InvalidInputException e = invalid(VALID.withWorkers(new Workers(3, 3, 2)));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/workers/max", "max (2) is below min (3): raise /workers/max to at least 3 or lower /workers/min"));
    }

    @Test
    void testNegativeWorkersAreStructural()
    {
        InvalidInputException e = invalid(VALID.withWorkers(new Workers(-1, -1, 0)));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/workers/min", "/workers/max", "/workers/count");
    }

    @Test
    void testQueryMemoryMustFitHeapWithHeadroom()
    {
        ClusterSpec spec = withMemory(new JvmSettings(DataSize.valueOf("4GB"), 0.3), new QueryMemory(DataSize.valueOf("6GB"), DataSize.valueOf("20GB")), 16384);
        InvalidInputException e = invalid(spec);
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/queryMemory/maxPerNode",
                "query.max-memory-per-node (6GB) plus headroom (30% of heap) must fit jvm heap (4GB): raise /jvm/heap to at least 8778MB "
                        + "or lower /queryMemory/maxPerNode to at most 2867MB"));
        // the suggested fixes really fix it
        assertThatCode(() -> ClusterSpecValidator.validate(withMemory(new JvmSettings(DataSize.valueOf("8778MB"), 0.3), spec.queryMemory(), 16384)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ClusterSpecValidator.validate(withMemory(spec.jvm(), new QueryMemory(DataSize.valueOf("2867MB"), DataSize.valueOf("20GB")), 16384)))
                .doesNotThrowAnyException();
        assertThat(ClusterSpecValidator.problems(withMemory(spec.jvm(), new QueryMemory(DataSize.valueOf("2868MB"), DataSize.valueOf("20GB")), 16384), null))
                .extracting(ClusterSpecValidator.Problem::field).containsExactly("/queryMemory/maxPerNode");
    }

    @Test
    void testClusterQueryMemoryBelowPerNode()
    {
        InvalidInputException e = invalid(withMemory(VALID.jvm(), new QueryMemory(DataSize.valueOf("256MB"), DataSize.valueOf("128MB")), 1024));
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/queryMemory/max",
                "query.max-memory (128MB) is below query.max-memory-per-node (256MB): raise /queryMemory/max to at least 256MB or lower /queryMemory/maxPerNode"));
    }

    @Test
    void testHeapMustFitTaskMemory()
    {
        InvalidInputException e = invalid(withMemory(VALID.jvm(), VALID.queryMemory(), 600));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/coordinator/memoryMb", "/workerResources/memoryMb");
        assertThat(e.fieldErrors().get(0).message()).isEqualTo("jvm heap (512MB) plus 20% of the task memory for the JVM's own use must fit memoryMb (600): "
                + "raise /coordinator/memoryMb to at least 640 or lower /jvm/heap to at most 480MB");
    }

    @Test
    void testHeadroomFractionRange()
    {
        InvalidInputException e = invalid(withMemory(new JvmSettings(DataSize.valueOf("512MB"), 0.95), VALID.queryMemory(), 1024));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/jvm/heapHeadroomFraction");
    }

    @Test
    void testUnknownPropertyRejectedUnlessAllowed()
    {
        ClusterSpec spec = withProperties(Map.of("query.max-exection-time", "1h"), false);
        InvalidInputException e = invalid(spec);
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/properties/query.max-exection-time",
                "query.max-exection-time is not a known Trino config property: check the spelling, or set /allowUnknownProperties to true to pass it through"));
        assertThatCode(() -> ClusterSpecValidator.validate(withProperties(Map.of("query.max-exection-time", "1h"), true))).doesNotThrowAnyException();
    }

    @Test
    void testManagedAndSecretPropertiesRejectedEvenWhenUnknownAllowed()
    {
        InvalidInputException e = invalid(withProperties(Map.of("query.max-memory-per-node", "1GB", "internal-communication.shared-secret", "abc", "x/y", "1"), true));
        assertThat(e.fieldErrors()).extracting(FieldError::field)
                .containsExactly("/properties/x~1y", "/properties/internal-communication.shared-secret", "/properties/query.max-memory-per-node");
        assertThat(e.fieldErrors().get(1).message()).contains("looks like a secret").doesNotContain("abc");
        assertThat(e.fieldErrors().get(2).message()).isEqualTo("query.max-memory-per-node cannot be overridden: set /queryMemory/maxPerNode instead");
    }

    @Test
    void testPropertyValueOnOneLine()
    {
        assertThat(invalid(withProperties(Map.of("query.max-execution-time", "1h\ncoordinator=true"), false)).fieldErrors())
                .extracting(FieldError::field).containsExactly("/properties/query.max-execution-time");
    }

    @Test
    void testCatalogs()
    {
        ClusterSpec spec = withCatalogs(List.of("tpch", "Hive", "tpch", "iceberg"));
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> ClusterSpecValidator.validate(spec, Set.of("tpch", "hive")));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/catalogs/1", "/catalogs/2", "/catalogs/3");
        assertThat(e.fieldErrors().get(2).message()).isEqualTo("catalog 'iceberg' does not exist: create it under /v1/catalogs first, or remove it; known catalogs are [hive, tpch]");
    }

    @Test
    void testUnknownCatalogAloneIs422()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> ClusterSpecValidator.validate(withCatalogs(List.of("iceberg")), Set.of("tpch")));
        assertThat(e.semantic()).isTrue();
    }

    @Test
    void testLabels()
    {
        ClusterSpec spec = new ClusterSpec("demo", Flavour.TRINO, "476", Optional.empty(), "local", VALID.coordinator(), VALID.workers(), VALID.workerResources(),
                VALID.jvm(), VALID.queryMemory(), List.of(), Map.of(), false, Map.of("bad key", "v", "ok", "x".repeat(300)));
        assertThat(invalid(spec).fieldErrors()).extracting(FieldError::field).containsExactly("/labels/bad key", "/labels/ok");
    }

    @Test
    void testAllProblemsAtOnceStructuralMakes400()
    {
        ClusterSpec spec = new ClusterSpec("Bad_Name", Flavour.TRINO, "476", Optional.empty(), "local", new Resources(500, 1024), new Workers(9, 1, 4),
                new Resources(500, 1024), new JvmSettings(DataSize.valueOf("512MB"), 0.3), new QueryMemory(DataSize.valueOf("1GB"), DataSize.valueOf("2GB")),
                List.of("nope"), Map.of("unknown.key", "1"), false, Map.of());
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> ClusterSpecValidator.validate(spec, Set.of()));
        assertThat(e.semantic()).as("one structural problem makes it 400").isFalse();
        assertThat(e.getMessage()).isEqualTo("cluster spec is invalid: 5 problems");
        assertThat(e.fieldErrors()).extracting(FieldError::field)
                .containsExactly("/name", "/workers/count", "/queryMemory/maxPerNode", "/catalogs/0", "/properties/unknown.key");
    }

    private static InvalidInputException invalid(ClusterSpec spec)
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> ClusterSpecValidator.validate(spec));
        assertThat(e).as("expected the spec to be invalid").isNotNull();
        return e;
    }

    @Test
    void testAutoscalingDefaultsAreValidAndTunedForInteractiveTrino()
    {
        Autoscaling defaults = VALID.autoscaling();
        assertThat(defaults).isEqualTo(Autoscaling.DEFAULTS);
        assertThat(defaults.enabled()).isFalse();
        assertThat(defaults.signal()).isEqualTo(Autoscaling.Signal.WORKERS_NEEDED);
        assertThat(defaults.evaluationInterval()).isEqualTo("10s");
        assertThat(defaults.scaleInDelay()).isEqualTo("5m");
        assertThatCode(() -> ClusterSpecValidator.validate(VALID.withAutoscaling(enabled(defaults)))).doesNotThrowAnyException();
        assertThatCode(() -> ClusterSpecValidator.validate(VALID.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(65.0), "15s", "1m", "2m", "0s"))))
                .doesNotThrowAnyException();
    }

    @Test
    void testAutoscalingDurations()
    {
        InvalidInputException e = invalid(VALID.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10 seconds", "0s", "90000s", "-1m")));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field)
                .containsExactly("/autoscaling/evaluationInterval", "/autoscaling/scaleOutCooldown", "/autoscaling/scaleInCooldown", "/autoscaling/scaleInDelay");
        assertThat(e.fieldErrors().get(0).message()).isEqualTo("'10 seconds' is not a duration (use a number with ms, s, m, h or d, e.g. 30s)");
        // a zero cooldown would be replaced by the agent's default (5m): refused
        assertThat(e.fieldErrors().get(1).message()).isEqualTo("0s is out of range: set from 1s to 1d");
        assertThat(e.fieldErrors().get(2).message()).isEqualTo("90000s is out of range: set from 1s to 1d");
    }

    @Test
    void testAutoscalingTargetOnlyForCpu()
    {
        InvalidInputException e = invalid(VALID.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.of(70.0), "10s", "30s", "1m", "5m")));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/autoscaling/target");
        assertThat(e.fieldErrors().get(0).message()).contains("target applies to signal cpu only").contains("remove /autoscaling/target or set /autoscaling/signal to cpu");

        InvalidInputException range = invalid(VALID.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(150.0), "10s", "30s", "1m", "5m")));
        assertThat(range.semantic()).isFalse();
        assertThat(range.fieldErrors()).extracting(FieldError::field).containsExactly("/autoscaling/target");
        assertThat(range.fieldErrors().get(0).message()).isEqualTo("target is 150.0: set the percent of allocated CPU to hold, above 0 and at most 100, e.g. 70");
    }

    @Test
    void testAutoscalingDefaultsAndMergeThroughDocuments()
    {
        ClusterSpec created = ClusterDocuments.create(ClusterDocuments.parseObject("{\"name\":\"a\",\"autoscaling\":{\"enabled\":true,\"scaleInDelay\":\"10m\"}}"));
        assertThat(created.autoscaling()).isEqualTo(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "10m"));
        ClusterSpec patched = ClusterDocuments.patch(created, ClusterDocuments.parseObject("{\"autoscaling\":{\"signal\":\"cpu\",\"target\":60}}"));
        assertThat(patched.autoscaling()).isEqualTo(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(60.0), "10s", "30s", "1m", "10m"));
        // back to workers-needed: the target is removed with null (merge patch)
        ClusterSpec back = ClusterDocuments.patch(patched, ClusterDocuments.parseObject("{\"autoscaling\":{\"signal\":\"workers-needed\",\"target\":null}}"));
        assertThat(back.autoscaling().target()).isEmpty();
        assertThat(ClusterDocuments.create(ClusterDocuments.parseObject("{\"name\":\"b\"}")).autoscaling()).isEqualTo(Autoscaling.DEFAULTS);
    }

    @Test
    void testAutoscalingBoundsAreTheWorkersBounds()
    {
        for (String bound : List.of("min", "max")) {
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                    () -> ClusterDocuments.create(ClusterDocuments.parseObject("{\"name\":\"a\",\"autoscaling\":{\"" + bound + "\":3}}")));
            assertThat(e).isNotNull();
            assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/autoscaling/" + bound);
            assertThat(e.fieldErrors().get(0).message()).isEqualTo("the autoscaler's bounds are the worker group's: set /workers/" + bound + " instead");
        }
        InvalidInputException signal = catchThrowableOfType(InvalidInputException.class,
                () -> ClusterDocuments.create(ClusterDocuments.parseObject("{\"name\":\"a\",\"autoscaling\":{\"signal\":\"memory\"}}")));
        assertThat(signal).isNotNull();
        assertThat(signal.fieldErrors()).extracting(FieldError::field).containsExactly("/autoscaling/signal");
        assertThat(signal.fieldErrors().get(0).message()).contains("unknown signal 'memory', expected one of workers-needed, cpu");
    }

    @Test
    void testStoredSpecWithoutAutoscalingReadsAsDefaults()
            throws Exception
    {
        com.fasterxml.jackson.databind.node.ObjectNode stored = ClusterJson.MAPPER.valueToTree(VALID);
        stored.remove("autoscaling");
        assertThat(ClusterJson.MAPPER.treeToValue(stored, ClusterSpec.class).autoscaling()).isEqualTo(Autoscaling.DEFAULTS);
        ClusterSpec enabled = VALID.withAutoscaling(enabled(Autoscaling.DEFAULTS));
        assertThat(ClusterJson.MAPPER.readValue(ClusterJson.MAPPER.writeValueAsString(enabled), ClusterSpec.class)).isEqualTo(enabled);
    }

    private static Autoscaling enabled(Autoscaling a)
    {
        return new Autoscaling(true, a.signal(), a.target(), a.evaluationInterval(), a.scaleOutCooldown(), a.scaleInCooldown(), a.scaleInDelay());
    }

    private static ClusterSpec with(ClusterSpec s, String field, String value)
    {
        return new ClusterSpec(
                field.equals("name") ? value : s.name(), s.flavour(),
                field.equals("version") ? value : s.version(),
                field.equals("image") ? Optional.of(value) : s.image(),
                field.equals("environment") ? value : s.environment(),
                s.coordinator(), s.workers(), s.workerResources(), s.jvm(), s.queryMemory(), s.catalogs(), s.properties(), s.allowUnknownProperties(), s.labels());
    }

    private static ClusterSpec withMemory(JvmSettings jvm, QueryMemory queryMemory, int memoryMb)
    {
        ClusterSpec s = VALID;
        return new ClusterSpec(s.name(), s.flavour(), s.version(), s.image(), s.environment(), new Resources(500, memoryMb), s.workers(), new Resources(500, memoryMb),
                jvm, queryMemory, s.catalogs(), s.properties(), false, s.labels());
    }

    private static ClusterSpec withProperties(Map<String, String> properties, boolean allowUnknown)
    {
        ClusterSpec s = VALID;
        return new ClusterSpec(s.name(), s.flavour(), s.version(), s.image(), s.environment(), s.coordinator(), s.workers(), s.workerResources(),
                s.jvm(), s.queryMemory(), s.catalogs(), properties, allowUnknown, s.labels());
    }

    private static ClusterSpec withCatalogs(List<String> catalogs)
    {
        ClusterSpec s = VALID;
        return new ClusterSpec(s.name(), s.flavour(), s.version(), s.image(), s.environment(), s.coordinator(), s.workers(), s.workerResources(),
                s.jvm(), s.queryMemory(), catalogs, s.properties(), false, s.labels());
    }
}
