package io.prestoorchestrator.benchmarks;

import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.DataSize;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.JvmSettings;
import io.prestoorchestrator.cluster.QueryMemory;
import io.prestoorchestrator.cluster.Resources;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.render.ConfigParameter;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.render.SecretParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Time to render one cluster job (validation excluded): variable file, Freemarker over the job
 * template and its sub-templates, JSON parse. Templates come from {@code -Dtemplates=DIR}
 * (default {@code job-templates}, relative to the working directory).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar RenderBenchmark -wi 2 -i 3 -f 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark
{
    @Param({"local", "prod"})
    public String environment;

    private JobRenderer renderer;
    private ClusterSpec spec;
    private RenderInputs inputs;

    @Setup
    public void setUp()
    {
        renderer = new JobRenderer(Path.of(System.getProperty("templates", "job-templates")));
        CatalogDefinition tpch = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());
        CatalogDefinition hive = new CatalogDefinition("hive", "hive", Map.of("hive.metastore.uri", "thrift://metastore:9083"),
                Map.of("hive.metastore.password", "ssm:/po/catalogs/hive/password"));
        spec = new ClusterSpec("bench", Flavour.TRINO, "476", Optional.empty(), environment,
                new Resources(4000, 65536), new Workers(4, 2, 20), new Resources(8000, 65536),
                new JvmSettings(DataSize.valueOf("48GB"), 0.3), new QueryMemory(DataSize.valueOf("30GB"), DataSize.valueOf("300GB")),
                List.of("hive", "tpch"), Map.of("query.max-execution-time", "6h"), false, Map.of("team", "bench"));
        inputs = new RenderInputs(List.of(tpch, hive), List.of(new ConfigParameter("log-level", "INFO", 1)),
                List.of(new SecretParameter("hive", "/po/catalogs/hive/password", 1)), "bench", "bench",
                Map.of("TRINO_HOME", "/opt/trino", "TRINO_JAVA_HOME", "/usr/lib/jvm/java-25"), Optional.of(18080));
    }

    @Benchmark
    public RenderedJob render()
    {
        return renderer.render(spec, inputs);
    }
}
