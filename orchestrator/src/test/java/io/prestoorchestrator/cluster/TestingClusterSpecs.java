package io.prestoorchestrator.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Valid specs to start tests from. */
public final class TestingClusterSpecs
{
    private TestingClusterSpecs() {}

    /** The local demo cluster: 1 coordinator, 2 workers, 512MB heaps. */
    public static ClusterSpec local()
    {
        return new ClusterSpec(
                "demo",
                Flavour.TRINO,
                "476",
                Optional.empty(),
                "local",
                new Resources(500, 1024),
                new Workers(2, 1, 4),
                new Resources(500, 1024),
                new JvmSettings(DataSize.valueOf("512MB"), 0.3),
                new QueryMemory(DataSize.valueOf("256MB"), DataSize.valueOf("512MB")),
                List.of("tpch"),
                Map.of("query.max-execution-time", "1h"),
                false,
                Map.of("team", "data-platform"));
    }

    /** A production-sized cluster with a secret-bearing catalog. */
    public static ClusterSpec prod()
    {
        return new ClusterSpec(
                "adhoc",
                Flavour.TRINO,
                "476",
                Optional.empty(),
                "prod",
                new Resources(4000, 65536),
                new Workers(4, 2, 20),
                new Resources(8000, 65536),
                new JvmSettings(DataSize.valueOf("48GB"), 0.3),
                new QueryMemory(DataSize.valueOf("30GB"), DataSize.valueOf("300GB")),
                List.of("hive", "tpch"),
                Map.of("query.max-execution-time", "6h", "spill-enabled", "true"),
                false,
                Map.of("team", "analytics", "cost-center", "cc-42"));
    }

    /** {@code spec} on another engine and version. */
    public static ClusterSpec withFlavour(ClusterSpec spec, Flavour flavour, String version)
    {
        return new ClusterSpec(spec.name(), flavour, version, spec.image(), spec.environment(), spec.coordinator(), spec.workers(), spec.workerResources(), spec.jvm(),
                spec.queryMemory(), spec.catalogs(), spec.properties(), spec.allowUnknownProperties(), spec.labels(), spec.autoscaling(), spec.rollout());
    }
}
