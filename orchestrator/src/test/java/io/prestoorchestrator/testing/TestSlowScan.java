package io.prestoorchestrator.testing;

import io.prestoorchestrator.testing.TrinoStatements.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestSlowScan
{
    private static final String COORDINATOR = "http://127.0.0.1:1";
    private static final String SCAN = SlowScan.query(Duration.ofSeconds(40));

    @Test
    void testAScanThatSucceedsRunsOnce()
    {
        Statements statements = new Statements(Map.of(SCAN, List.of(ok(SCAN))));
        assertThat(SlowScan.run(COORDINATOR, SCAN, statements::run).succeeded()).isTrue();
        assertThat(statements.sent).containsExactly(SCAN);
    }

    @Test
    void testAScanWithoutItsTableMakesTheTableAndRunsAgain()
    {
        Outcome missing = failed(SCAN, "TABLE_NOT_FOUND: line 1:36: Table 'slow.default.pages_40s' does not exist");
        Statements statements = new Statements(Map.of(SCAN, List.of(missing, ok(SCAN)), SlowScan.create(40), List.of(ok(SlowScan.create(40)))));
        assertThat(SlowScan.run(COORDINATOR, SCAN, statements::run).succeeded()).isTrue();
        assertThat(statements.sent).containsExactly(SCAN, SlowScan.create(40), SCAN);
        assertThat(SlowScan.create(40)).contains("slow.default.pages_40s", "pages_per_split = 40", "page_processing_delay = '1s'");
    }

    @Test
    void testEveryOtherFailureCounts()
    {
        for (String error : List.of("TABLE_NOT_FOUND: line 1:22: Table 'tpch.tiny.nosuch' does not exist", "REMOTE_HOST_GONE: a worker went away")) {
            Statements statements = new Statements(Map.of(SCAN, List.of(failed(SCAN, error))));
            assertThat(SlowScan.run(COORDINATOR, SCAN, statements::run).error()).contains(error);
            assertThat(statements.sent).containsExactly(SCAN);
        }
        String other = "SELECT * FROM tpch.tiny.nosuch";
        Statements statements = new Statements(Map.of(other, List.of(failed(other, "TABLE_NOT_FOUND: line 1:15: Table 'tpch.tiny.nosuch' does not exist"))));
        assertThat(SlowScan.run(COORDINATOR, other, statements::run).succeeded()).isFalse();
        assertThat(statements.sent).containsExactly(other);
    }

    @Test
    void testATableThatCannotBeMadeIsTheOutcome()
    {
        Outcome missing = failed(SCAN, "TABLE_NOT_FOUND: line 1:36: Table 'slow.default.pages_40s' does not exist");
        Outcome refused = failed(SlowScan.create(40), "CATALOG_NOT_FOUND: Catalog 'slow' not found");
        Statements statements = new Statements(Map.of(SCAN, List.of(missing), SlowScan.create(40), List.of(refused)));
        assertThat(SlowScan.run(COORDINATOR, SCAN, statements::run)).isEqualTo(refused);
        assertThat(statements.sent).containsExactly(SCAN, SlowScan.create(40));
    }

    private static Outcome ok(String sql)
    {
        return new Outcome(sql, 0, 1, Optional.empty(), 1);
    }

    private static Outcome failed(String sql, String error)
    {
        return new Outcome(sql, 0, 1, Optional.of(error), 0);
    }

    /** Answers each statement with its next scripted outcome and records what was sent. */
    private static final class Statements
    {
        private final Map<String, List<Outcome>> answers;
        private final List<String> sent = new ArrayList<>();

        Statements(Map<String, List<Outcome>> answers)
        {
            this.answers = answers;
        }

        Outcome run(String sql)
        {
            long earlier = sent.stream().filter(sql::equals).count();
            sent.add(sql);
            return answers.get(sql).get((int) earlier);
        }
    }
}
