package io.prestoorchestrator.autoscaling;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.prestoorchestrator.autoscaling.TestCoordinatorMetrics.resource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code presto_orchestrator_*} metric the system job templates query (the nomad-autoscaler
 * pool policies) is one the orchestrator exports, under the name Prometheus sees.
 */
class TestSignalNameAgreement
{
    private static final Pattern METRIC = Pattern.compile("presto_orchestrator_[a-z_]+");

    @Test
    void testTemplatesQueryExportedNames()
            throws Exception
    {
        Set<String> queried = new TreeSet<>();
        Path system = Path.of("../job-templates/system").toAbsolutePath().normalize();
        try (var files = Files.walk(system)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                queried.addAll(metricNames(file));
            }
        }
        assertThat(queried).as("metrics queried under " + system).contains("presto_orchestrator_cluster_workers_needed");

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ClusterRecord record = new ClusterRecord(TestingClusterSpecs.local(), ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.empty(), Instant.EPOCH, Instant.EPOCH, "test");
        ServiceHealth services = service -> CompletableFuture.completedFuture(List.of(
                new ServiceHealth.Instance("c", "n", "127.0.0.1", 8080, List.of(), Map.of(), List.of())));
        CoordinatorClient coordinator = new CoordinatorClient()
        {
            @Override
            public CompletionStage<String> clusterStats(String coordinatorUrl)
            {
                return CompletableFuture.failedFuture(new IllegalStateException("not a PrestoDB coordinator"));
            }

            @Override
            public CompletionStage<String> metrics(String coordinatorUrl)
            {
                return CompletableFuture.completedFuture(resource("metrics-busy.txt"));
            }

            @Override
            public CompletionStage<String> queries(String coordinatorUrl)
            {
                return CompletableFuture.completedFuture(resource("v1-query-after-load.json"));
            }

            @Override
            public CompletionStage<String> waitingQueries(String coordinatorUrl)
            {
                return CompletableFuture.completedFuture("[]");
            }
        };
        new AutoscalingCollector(() -> CompletableFuture.completedFuture(List.of(record)), services, coordinator, new InMemoryKvStore(), () -> true, registry, registry,
                AutoscalingConfig.DEFAULTS, Clock.systemUTC()).pollAll().toCompletableFuture().get();
        Set<String> exported = new TreeSet<>();
        Matcher matcher = Pattern.compile("(?m)^(presto_orchestrator_[a-z_]+)\\{").matcher(registry.scrape());
        while (matcher.find()) {
            exported.add(matcher.group(1));
        }
        assertThat(exported).containsAll(queried);
    }

    private static Set<String> metricNames(Path file)
            throws IOException
    {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(Files.readString(file));
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
