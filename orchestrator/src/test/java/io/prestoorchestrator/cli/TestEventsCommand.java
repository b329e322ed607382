package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.testing.TestingStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static io.prestoorchestrator.cli.TestingCli.createAndStop;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code events} against an in-process orchestrator ({@link TestingCli#stack}); {@code --follow}
 * with a pause that changes the cluster between two polls instead of sleeping.
 */
class TestEventsCommand
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static TestingStack stack;

    @BeforeAll
    static void start()
            throws Exception
    {
        stack = TestingCli.stack(temp);
        createAndStop(stack, "ev-list");
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        stack.close();
    }

    @Test
    void testOneLinePerEventOldestFirst()
            throws Exception
    {
        List<JsonNode> events = events("ev-list");
        assertThat(types(events)).containsSubsequence("create-requested", "create-failed", "stop-requested", "stopped");

        TestingCli.Result result = api("events", "ev-list");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSameSizeAs(events);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode event = events.get(i);
            String at = Instant.parse(event.get("at").asText()).truncatedTo(ChronoUnit.SECONDS).toString();
            assertThat(lines.get(i)).startsWith(at + "  " + event.get("type").asText() + " ")
                    .endsWith("  " + event.get("actor").asText() + " ".repeat(Math.max(0, 10 - event.get("actor").asText().length())) + "  " + event.get("message").asText());
        }
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  stop-requested {9}ops {9}Stop requested by ops"));
    }

    @Test
    void testTypeAndSinceSelectEvents()
            throws Exception
    {
        TestingCli.Result typed = api("events", "ev-list", "--type", "stopped", "--type", "create-*");
        assertThat(typed.exitCode()).as(typed.toString()).isEqualTo(0);
        assertThat(typesOf(typed.out())).isNotEmpty().allSatisfy(type -> assertThat(type).matches("stopped|create-.*")).contains("stopped", "create-requested", "create-failed");

        // from the stop on, by its timestamp (the API's events are kept in order)
        List<JsonNode> events = events("ev-list");
        JsonNode stopRequested = events.stream().filter(event -> event.get("type").asText().equals("stop-requested")).findFirst().orElseThrow();
        List<String> fromStop = events.stream().filter(event -> !Instant.parse(event.get("at").asText()).isBefore(Instant.parse(stopRequested.get("at").asText())))
                .map(event -> event.get("type").asText()).toList();
        TestingCli.Result since = api("events", "ev-list", "--since", stopRequested.get("at").asText());
        assertThat(since.exitCode()).as(since.toString()).isEqualTo(0);
        assertThat(typesOf(since.out())).isEqualTo(fromStop).contains("stop-requested", "stopped").doesNotContain("create-requested");

        // a duration counts back from the clock: an hour from now, the last 30 minutes hold nothing
        CliSystem later = new CliSystem(Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC), interval -> false, TestingTerminal.pipe(""));
        TestingCli.Result none = TestingCli.api(stack, later, "events", "ev-list", "--since", "30m");
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(0);
        assertThat(none.out()).isEqualTo("No events for cluster ev-list match --since/--type\n");
        TestingCli.Result all = TestingCli.api(stack, later, "events", "ev-list", "--since", "2h");
        assertThat(typesOf(all.out())).isEqualTo(types(events("ev-list")));
    }

    @Test
    void testJsonIsOneEventPerLineAsTheApiAnswers()
            throws Exception
    {
        TestingCli.Result result = api("events", "ev-list", "--json");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        List<JsonNode> printed = new ArrayList<>();
        for (String line : result.out().lines().toList()) {
            printed.add(JSON.readTree(line));
        }
        assertThat(printed).isEqualTo(events("ev-list"));
        assertThat(printed).allSatisfy(event -> assertThat(event.get("cluster").asText()).isEqualTo("ev-list"));
    }

    @Test
    void testFollowPrintsEachNewEventOnceWithoutSleeping()
            throws Exception
    {
        createAndStop(stack, "ev-follow");
        List<Duration> pauses = new ArrayList<>();
        CliSystem system = new CliSystem(Clock.systemUTC(), interval -> {
            pauses.add(interval);
            if (pauses.size() == 1) {
                // between two polls the spec changes (the cluster is stopped: no Nomad), which records events
                HttpResponse<String> scaled = unchecked(() -> stack.call("PATCH", "/v1/clusters/ev-follow", "{\"workers\":{\"count\":3}}"));
                assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(202);
                assertThat(unchecked(() -> stack.awaitOperation(scaled, Duration.ofMinutes(1))).getString("state")).isEqualTo("SUCCEEDED");
                return true;
            }
            return false;
        }, TestingTerminal.pipe(""));

        TestingCli.Result result = TestingCli.api(stack, system, "events", "ev-follow", "--follow", "--poll-interval", "5s");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(pauses).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
        List<String> types = types(events("ev-follow"));
        assertThat(types).endsWith("update-spec-requested", "spec-updated").containsSubsequence("create-requested", "stop-requested", "stopped");
        // every event once, in order: the ones there at the first poll, then the new ones
        assertThat(typesOf(result.out())).isEqualTo(types);
        assertThat(result.out()).containsPattern("  spec-updated +ops +Spec updated while stopped\n$");
    }

    @Test
    void testFollowEndsWhenTheClusterIsDeleted()
            throws Exception
    {
        createAndStop(stack, "ev-gone");
        List<Duration> pauses = new ArrayList<>();
        CliSystem system = new CliSystem(Clock.systemUTC(), interval -> {
            pauses.add(interval);
            HttpResponse<String> deleted = unchecked(() -> stack.call("DELETE", "/v1/clusters/ev-gone", null));
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
            assertThat(unchecked(() -> stack.awaitOperation(deleted, Duration.ofMinutes(1))).getString("state")).isEqualTo("SUCCEEDED");
            return true;
        }, TestingTerminal.pipe(""));

        TestingCli.Result result = TestingCli.api(stack, system, "events", "ev-gone", "--follow");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(pauses).containsExactly(Duration.ofSeconds(2));
        assertThat(result.out()).contains("  stop-requested ").endsWith("\nCluster ev-gone no longer exists: no more events\n");
    }

    @Test
    void testProblemsAndBadOptions()
    {
        TestingCli.Result missing = api("events", "ghost");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");

        // following a cluster that does not exist fails at once, as without --follow
        TestingCli.Result followMissing = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), "events", "ghost", "--follow");
        assertThat(followMissing.exitCode()).isEqualTo(1);
        assertThat(followMissing.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");

        TestingCli.Result badSince = api("events", "ev-list", "--since", "yesterday");
        assertThat(badSince.exitCode()).isEqualTo(2);
        assertThat(badSince.err()).isEqualTo("error: --since 'yesterday' is neither a duration (10m, 2h, 1d) nor an ISO-8601 timestamp (2026-12-07T01:55:00Z)\n");
    }

    private static TestingCli.Result api(String... args)
    {
        return TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), args);
    }

    private static List<JsonNode> events(String cluster)
            throws Exception
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + cluster + "/events", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(events::add);
        return events;
    }

    private static List<String> types(List<JsonNode> events)
    {
        return events.stream().map(event -> event.get("type").asText()).toList();
    }

    /** The type column of each line the command printed. */
    private static List<String> typesOf(String out)
    {
        return out.lines().map(line -> line.split(" +")[1]).toList();
    }

    private static <T> T unchecked(Callable<T> call)
    {
        try {
            return call.call();
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
