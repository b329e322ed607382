package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.autoscaling.QueryInfo.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static io.prestoorchestrator.autoscaling.TestCoordinatorMetrics.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against GET /v1/query captured from a real Trino 476 coordinator: 5 TPC-H queries, one failed, one cancelled, then 3 more. */
class TestQueryInfo
{
    @Test
    void testDuringLoad()
    {
        List<QueryInfo> queries = QueryInfo.parseList(resource("v1-query-during-load.json"));
        assertThat(queries).hasSize(10);
        Map<String, Long> states = queries.stream().collect(Collectors.groupingBy(QueryInfo::state, Collectors.counting()));
        assertThat(states).isEqualTo(Map.of("FINISHED", 5L, "FAILED", 2L, "RUNNING", 2L, "QUEUED", 1L));
        assertThat(queries).filteredOn(query -> query.outcome().isEmpty()).extracting(QueryInfo::user).containsOnly("erin");
        assertThat(queries).filteredOn(query -> query.state().equals("RUNNING")).allSatisfy(query -> assertThat(query.endTime()).isEmpty());
    }

    @Test
    void testOutcomes()
    {
        Map<String, QueryInfo> byId = QueryInfo.parseList(resource("v1-query-after-load.json")).stream()
                .collect(Collectors.toMap(QueryInfo::queryId, query -> query));
        QueryInfo failed = byId.get("20261122_034143_00000_cis9j");
        assertThat(failed.user()).isEqualTo("carol");
        assertThat(failed.outcome()).contains(Outcome.FAILED);
        assertThat(failed.errorType()).contains("USER_ERROR");
        assertThat(failed.errorName()).contains("TABLE_NOT_FOUND");
        assertThat(failed.endTime()).contains(Instant.parse("2026-11-22T03:41:43.848Z"));

        QueryInfo cancelled = byId.get("20261122_034143_00003_cis9j");
        assertThat(cancelled.user()).isEqualTo("dave");
        assertThat(cancelled.state()).isEqualTo("FAILED");
        assertThat(cancelled.outcome()).contains(Outcome.CANCELLED);

        QueryInfo finished = byId.get("20261122_034326_00009_cis9j");
        assertThat(finished.user()).isEqualTo("erin");
        assertThat(finished.outcome()).contains(Outcome.FINISHED);
        assertThat(finished.errorType()).isEmpty();
        assertThat(finished.errorName()).isEmpty();

        Map<Optional<Outcome>, Long> outcomes = byId.values().stream().collect(Collectors.groupingBy(QueryInfo::outcome, Collectors.counting()));
        assertThat(outcomes).isEqualTo(Map.of(Optional.of(Outcome.FINISHED), 8L, Optional.of(Outcome.FAILED), 1L, Optional.of(Outcome.CANCELLED), 1L));
    }

    @Test
    void testBadAnswers()
    {
        assertThatThrownBy(() -> QueryInfo.parseList("<html>")).hasMessageStartingWith("the coordinator's /v1/query answered with something that is not JSON");
        assertThatThrownBy(() -> QueryInfo.parseList("{\"message\":\"x\"}")).hasMessage("the coordinator's /v1/query answered with object, not a JSON array");
        assertThatThrownBy(() -> QueryInfo.parseList("[{\"state\":\"FINISHED\"}]")).hasMessageStartingWith("the coordinator's /v1/query lists a query without queryId or state");
        assertThatThrownBy(() -> QueryInfo.parseList("[{\"queryId\":\"q\",\"state\":\"FINISHED\",\"queryStats\":{\"endTime\":\"yesterday\"}}]"))
                .hasMessage("the coordinator's /v1/query has query q with endTime 'yesterday', not an ISO-8601 instant");
        assertThat(QueryInfo.parseList("[]")).isEmpty();
    }
}
