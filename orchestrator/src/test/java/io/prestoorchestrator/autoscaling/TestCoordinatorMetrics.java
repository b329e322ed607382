package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.testing.TrinoFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against /metrics text captured from a real Trino 476 coordinator (include-coordinator, 2 queries at a time). */
class TestCoordinatorMetrics
{
    static String resource(String name)
    {
        return TrinoFixtures.text(name);
    }

    @Test
    void testBusyCoordinator()
    {
        CoordinatorMetrics metrics = CoordinatorMetrics.parse(resource("metrics-busy.txt"));
        assertThat(metrics).isEqualTo(new CoordinatorMetrics(2, 4, 0, 1, 0, 0, 0));
        assertThat(metrics.activeWorkers()).isZero();
    }

    @Test
    void testIdleCoordinator()
    {
        assertThat(CoordinatorMetrics.parse(resource("metrics-idle.txt"))).isEqualTo(new CoordinatorMetrics(0, 0, 0, 1, 0, 0, 0));
    }

    @Test
    void testWorkersAndLabels()
    {
        String text = resource("metrics-idle.txt")
                .replace("trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount 1.0", "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount{node=\"c\"} 4.0")
                .replace("trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount 0.0", "trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount 2.0")
                .replace("trino_execution_name_QueryManager_FullyBlockedQueries 0.0", "trino_execution_name_QueryManager_FullyBlockedQueries 1.0");
        CoordinatorMetrics metrics = CoordinatorMetrics.parse(text);
        assertThat(metrics.activeWorkers()).isEqualTo(3);
        assertThat(metrics.drainingNodes()).isEqualTo(2);
        assertThat(metrics.fullyBlockedQueries()).isEqualTo(1);
    }

    @Test
    void testSimilarNamesAreNotMistaken()
    {
        // TYPE lines and longer names sharing a prefix must not be read as the sample
        String text = "trino_execution_name_QueryManager_RunningQueriesTotal 9\n" + resource("metrics-busy.txt");
        assertThat(CoordinatorMetrics.parse(text).runningQueries()).isEqualTo(2);
    }

    @Test
    void testActiveWorkersAloneForTheReadinessProbe()
    {
        assertThat(CoordinatorMetrics.activeWorkers(resource("metrics-busy.txt"))).hasValue(0);
        assertThat(CoordinatorMetrics.activeWorkers("trino_metadata_name_DiscoveryNodeManager_ActiveNodeCountTotal 9\n"
                + "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount{node=\"c\"} 3.0\n")).hasValue(2);
        assertThat(CoordinatorMetrics.activeWorkers("trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount NaN\n")).isEmpty();
        assertThat(CoordinatorMetrics.activeWorkers("trino_execution_name_QueryManager_RunningQueries 1.0\n")).isEmpty();
        assertThat(CoordinatorMetrics.activeWorkers(null)).isEmpty();
    }

    @Test
    void testMissingMetricsAreNamed()
    {
        String text = resource("metrics-idle.txt").lines()
                .filter(line -> !line.contains("QueuedQueries") && !line.contains("ActiveNodeCount"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThatThrownBy(() -> CoordinatorMetrics.parse(text))
                .hasMessage("the coordinator's /metrics lacks trino_execution_name_QueryManager_QueuedQueries, trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount (is it a Trino 476 coordinator?)");
        assertThatThrownBy(() -> CoordinatorMetrics.parse("")).hasMessageContaining("empty body");
        assertThatThrownBy(() -> CoordinatorMetrics.parse(resource("metrics-idle.txt").replace("RunningQueries 0.0", "RunningQueries NaN")))
                .hasMessageContaining("trino_execution_name_QueryManager_RunningQueries = NaN, not a count");
    }
}
