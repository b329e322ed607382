package io.prestoorchestrator.autoscaling;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.prestoorchestrator.autoscaling.TestCoordinatorMetrics.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCountedQueries
{
    private static final Instant NOW = Instant.parse("2026-11-22T03:44:00Z");

    @Test
    void testEachQueryIsCountedOnceAcrossScrapes()
    {
        CountedQueries ledger = CountedQueries.empty();
        List<QueryInfo> first = ledger.admit(QueryInfo.parseList(resource("v1-query-during-load.json")), NOW);
        assertThat(first).hasSize(7).allSatisfy(query -> assertThat(query.outcome()).isPresent());
        assertThat(ledger.admit(QueryInfo.parseList(resource("v1-query-during-load.json")), NOW)).as("the same list again").isEmpty();
        List<QueryInfo> second = ledger.admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW);
        assertThat(second).extracting(QueryInfo::queryId)
                .containsExactlyInAnyOrder("20261122_034326_00007_cis9j", "20261122_034326_00008_cis9j", "20261122_034326_00009_cis9j");
        assertThat(ledger.admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW)).isEmpty();
        assertThat(ledger.size()).isEqualTo(10);
    }

    @Test
    void testRestartFromThePersistedFormCountsNothingAgain()
    {
        CountedQueries before = CountedQueries.empty();
        before.admit(QueryInfo.parseList(resource("v1-query-during-load.json")), NOW);
        CountedQueries restarted = CountedQueries.fromJson(before.toJson());
        // the queries that ended before the restart are not counted again; those that ended since are
        assertThat(restarted.admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW)).extracting(QueryInfo::user)
                .containsExactly("erin", "erin", "erin");
        assertThat(CountedQueries.fromJson(restarted.toJson()).admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW)).isEmpty();
    }

    @Test
    void testWithoutPersistedStateARestartWouldCountAgain()
    {
        // the control: what the persisted ledger prevents
        CountedQueries before = CountedQueries.empty();
        before.admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW);
        assertThat(CountedQueries.empty().admit(QueryInfo.parseList(resource("v1-query-after-load.json")), NOW)).hasSize(10);
    }

    @Test
    void testPersistedFormKeepsTheLastWindowAndAWatermark()
    {
        CountedQueries ledger = CountedQueries.empty();
        List<QueryInfo> queries = new ArrayList<>();
        Instant start = NOW.minus(Duration.ofMinutes(10));
        for (int i = 0; i < 600; i++) {
            queries.add(finished("q" + i, start.plusSeconds(i)));
        }
        assertThat(ledger.admit(queries, NOW)).hasSize(600);
        CountedQueries restored = CountedQueries.fromJson(ledger.toJson());
        // queries ended in the last 2 minutes before the newest are kept by id; the older ones are under the watermark
        assertThat(restored.size()).isEqualTo(120);
        assertThat(restored.countedUntil()).isEqualTo(start.plusSeconds(599).minus(CountedQueries.PERSISTED_WINDOW));
        assertThat(restored.admit(queries, NOW)).isEmpty();
        assertThat(restored.admit(List.of(finished("late", start.plusSeconds(600))), NOW)).hasSize(1);
        assertThat(restored.admit(List.of(finished("old-but-new-id", start.plusSeconds(100))), NOW)).as("ended under the watermark: seen before").isEmpty();
    }

    @Test
    void testPersistedIdsAreCapped()
    {
        CountedQueries ledger = CountedQueries.empty();
        List<QueryInfo> queries = new ArrayList<>();
        for (int i = 0; i < CountedQueries.MAX_PERSISTED_IDS + 500; i++) {
            queries.add(finished("q" + i, NOW.minusMillis(10 * i)));
        }
        ledger.admit(queries, NOW);
        CountedQueries restored = CountedQueries.fromJson(ledger.toJson());
        assertThat(restored.size()).isLessThanOrEqualTo(CountedQueries.MAX_PERSISTED_IDS);
        assertThat(restored.admit(queries, NOW)).isEmpty();
    }

    @Test
    void testPruneMovesTheWatermark()
    {
        CountedQueries ledger = CountedQueries.empty();
        ledger.admit(List.of(finished("old", NOW.minus(Duration.ofHours(2))), finished("recent", NOW.minusSeconds(30))), NOW);
        ledger.prune(NOW, Duration.ofHours(1));
        assertThat(ledger.size()).isEqualTo(1);
        assertThat(ledger.countedUntil()).isEqualTo(NOW.minus(Duration.ofHours(2)));
        assertThat(ledger.admit(List.of(finished("old", NOW.minus(Duration.ofHours(2)))), NOW)).isEmpty();
    }

    @Test
    void testRunningQueriesAreNotCountedUntilTheyEnd()
    {
        CountedQueries ledger = CountedQueries.empty();
        QueryInfo running = new QueryInfo("q1", "u", "RUNNING", Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(ledger.admit(List.of(running), NOW)).isEmpty();
        assertThat(ledger.admit(List.of(finished("q1", NOW)), NOW)).hasSize(1);
    }

    @Test
    void testUnreadableStateIsRefused()
    {
        assertThatThrownBy(() -> CountedQueries.fromJson("{}")).hasMessageStartingWith("counted queries must be an object with countedUntil and queries");
        assertThat(CountedQueries.tryFromJson("not json")).isEmpty();
    }

    private static QueryInfo finished(String id, Instant ended)
    {
        return new QueryInfo(id, "u", "FINISHED", Optional.empty(), Optional.empty(), Optional.of(ended));
    }
}
