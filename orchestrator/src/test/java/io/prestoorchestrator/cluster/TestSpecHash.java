package io.prestoorchestrator.cluster;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestSpecHash
{
    @Test
    void testStableAndIndependentOfMapOrder()
    {
        ClusterSpec spec = TestingClusterSpecs.prod();
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("spill-enabled", "true");
        reversed.put("query.max-execution-time", "6h");
        ClusterSpec same = new ClusterSpec(spec.name(), spec.flavour(), spec.version(), spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), reversed, spec.allowUnknownProperties(), spec.labels());
        assertThat(SpecHash.of(same)).isEqualTo(SpecHash.of(spec)).matches("sha256:[0-9a-f]{64}");
        assertThat(SpecHash.canonicalJson(spec)).startsWith("{\"allowUnknownProperties\":false,\"autoscaling\":{\"enabled\":false,\"evaluationInterval\":\"10s\",").contains(",\"catalogs\":[\"hive\",\"tpch\"],\"coordinator\":{\"cpuMhz\":4000,");
    }

    @Test
    void testAnyChangeChangesTheHash()
    {
        ClusterSpec spec = TestingClusterSpecs.prod();
        assertThat(SpecHash.of(spec.withWorkers(new Workers(5, 2, 20)))).isNotEqualTo(SpecHash.of(spec));
        assertThat(SpecHash.of(spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, java.util.Optional.empty(), "10s", "30s", "1m", "5m"))))
                .isNotEqualTo(SpecHash.of(spec));
    }

    @Test
    void testDataSize()
    {
        assertThat(DataSize.valueOf("4GB").megabytes()).isEqualTo(4096);
        assertThat(DataSize.valueOf("1536MB").toString()).isEqualTo("1536MB");
        assertThat(DataSize.valueOf("2048MB").toString()).isEqualTo("2GB");
        assertThat(new JvmSettings(DataSize.valueOf("512MB"), 0.3).headroom()).isEqualTo(DataSize.valueOf("154MB"));
    }
}
