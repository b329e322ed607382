package io.prestoorchestrator.autoscaling;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against answers recorded from a running PrestoDB 0.287 (a coordinator and one worker; src/test/resources/prestodb-0.287). */
class TestClusterStats
{
    @Test
    void idleCoordinatorCountsItsWorkerNotItself()
            throws IOException
    {
        ClusterStats stats = ClusterStats.parse(recorded("cluster-idle.json"));
        assertThat(stats).isEqualTo(new ClusterStats(0, 0, 0, 1));
        assertThat(stats.asCoordinatorMetrics()).isEqualTo(new CoordinatorMetrics(0, 0, 0, 2, 0, 0, 0));
        assertThat(stats.asCoordinatorMetrics().activeWorkers()).isEqualTo(1);
    }

    @Test
    void runningQueriesAreCounted()
            throws IOException
    {
        assertThat(ClusterStats.parse(recorded("cluster-running.json"))).isEqualTo(new ClusterStats(2, 0, 0, 1));
        assertThat(ClusterStats.activeWorkers(recorded("cluster-running.json"))).hasValue(1);
    }

    @Test
    void aTrinoPageOrGarbageIsNamed()
    {
        assertThatThrownBy(() -> ClusterStats.parse("# TYPE trino_execution_name_QueryManager_RunningQueries gauge\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ClusterStats.parse("{\"runningQueries\": 1, \"activeWorkers\": \"two\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockedQueries, queuedQueries, activeWorkers");
        assertThatThrownBy(() -> ClusterStats.parse("[]")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");
        assertThat(ClusterStats.activeWorkers("{\"activeWorkers\": -1}")).isEmpty();
    }

    @Test
    void prestoDbQueryListParsesWithItsUsers()
            throws IOException
    {
        // the same /v1/query shape as Trino's: session.user, state, errorCode, queryStats.endTime
        assertThat(QueryInfo.parseList(recorded("query-after.json")))
                .extracting(QueryInfo::user, QueryInfo::state, query -> query.outcome().orElseThrow())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("alice", "FINISHED", QueryInfo.Outcome.FINISHED),
                        org.assertj.core.groups.Tuple.tuple("bob", "FINISHED", QueryInfo.Outcome.FINISHED),
                        org.assertj.core.groups.Tuple.tuple("carol", "FAILED", QueryInfo.Outcome.FAILED));
        assertThat(QueryInfo.parseList(recorded("query-running.json"))).extracting(QueryInfo::state).containsOnly("RUNNING");
    }

    private static String recorded(String name)
            throws IOException
    {
        try (InputStream in = TestClusterStats.class.getResourceAsStream("/prestodb-0.287/" + name)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }
}
