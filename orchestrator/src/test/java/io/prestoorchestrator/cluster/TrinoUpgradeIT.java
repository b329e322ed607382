package io.prestoorchestrator.cluster;

import io.prestoorchestrator.testing.PublicUrlLoad;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.prestoorchestrator.testing.TraefikStack;
import io.prestoorchestrator.testing.TrinoStatements;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.prestoorchestrator.testing.TestingStack.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18: an upgrade from Trino 470 to 476 under load, on real Trino (both versions installed side by side: 470 by
 * {@code scripts/setup.sh --trino-470}, a 965 MB download, so this class is opt-in: pom.xml {@code it.upgrade.exclude},
 * {@code scripts/test.sh --trino-470}), real Nomad 1.6.1 and real Traefik. A cluster created on 470 (the local profile
 * runs the installation of its spec's version, {@code vars/local.yaml trino_homes}) is PATCHed to 476 while TPC-H Q1 on
 * sf10 (two, 20 s apart) and a short query every 0.5 s run through Traefik on its public host, and the public URL is
 * probed every 0.5 s ({@link PublicUrlLoad}). The version change needs new processes, so it goes blue-green: every query
 * succeeds, the public URL answers at every sample, the new side answers {@code /v1/info} with 476, and the old side's
 * 470 worker drained itself with DRAINING (470 has it) when it stopped. A version with no installation is refused before
 * anything changes.
 */
class TrinoUpgradeIT
{
    private static final String CLUSTER = "upgrade";
    private static final String JOB = "trino-upgrade";
    private static final String DOMAIN = "upgrade.localhost";
    private static final String USER = "upgrade-it";

    private static TraefikStack stacked;
    private static TestingStack stack;

    @BeforeAll
    static void start()
            throws Exception
    {
        TestingEnvironment.require("TRINO_HOME", "TRINO_JAVA_HOME", "TRAEFIK_BIN");
        if (System.getenv("TRINO_470_HOME") == null || System.getenv("TRINO_470_HOME").isEmpty()) {
            throw new IllegalStateException("TRINO_470_HOME is not set: Trino 470 is not installed. Run scripts/setup.sh --trino-470 (a 965 MB download once), "
                    + "then source ~/.cache/presto-orchestrator/env.sh (scripts/test.sh --trino-470 does both)");
        }
        stacked = TraefikStack.start(DOMAIN, TestingFiles.quickReplacementTemplates(), Path.of("target", "trino-upgrade-it"));
        stack = stacked.stack();
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (stacked != null) {
            stacked.close();
        }
    }

    @Test
    void testUpgradeFrom470To476LosesNoQueryAndThePublicUrlAlwaysAnswers()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"version\":\"470\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertSucceeded(stack.awaitOperation(created, Duration.ofMinutes(5)));
        HttpClient viaTraefik = stacked.client();
        String publicUrl = stacked.publicUrl(CLUSTER);
        PublicUrlLoad.awaitAnswering(viaTraefik, publicUrl, 5, sql -> TrinoStatements.run(viaTraefik, publicUrl, USER, sql), TrinoStatements.Outcome::succeeded, QueryLoad.SHORT);
        assertThat(version(viaTraefik, publicUrl)).as("the cluster runs Trino 470").isEqualTo("470");
        Map<String, String> before = stacked.runningAllocations(JOB);
        assertThat(before).hasSize(2);
        String oldWorker = before.entrySet().stream().filter(entry -> entry.getValue().startsWith("workers")).map(Map.Entry::getKey).findFirst().orElseThrow();

        // a version with no installation: refused naming the field, nothing changes
        HttpResponse<String> refused = stack.call("PATCH", "/v1/clusters/" + CLUSTER, "{\"version\":\"471\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(new JsonObject(refused.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("/version");
        assertThat(stacked.runningAllocations(JOB)).isEqualTo(before);

        PublicUrlLoad.Around<TrinoStatements.Outcome, JsonObject> upgrade = PublicUrlLoad.trino(viaTraefik, publicUrl, USER).spaced(QueryLoad.Q1, 2, Duration.ofSeconds(20))
                .around(Duration.ofSeconds(5), () -> stack.callAccepted("PATCH", "/v1/clusters/" + CLUSTER, "{\"version\":\"476\"}", Duration.ofMinutes(15)));
        PublicUrlLoad.Result<TrinoStatements.Outcome> result = upgrade.load();
        List<JsonObject> events = stacked.events(CLUSTER, upgrade.startedAt());
        events.forEach(event -> System.out.printf("  %s %-22s %s%n", event.getString("at"), event.getString("type"), event.getString("message")));
        System.out.printf("TrinoUpgradeIT blue-green upgrade 470 -> 476: %.1f s; %s%n", upgrade.seconds(), result.figures("Q1 sf10"));
        result.longQueries().forEach(query -> System.out.printf("  Q1 %s in %.1f s%n", query.outcome().error().orElse("succeeded"), query.seconds()));
        result.failed().forEach(outcome -> System.out.printf("  failed: %s%n", outcome.error().orElseThrow()));
        String drainLog = stack.allocationLog(oldWorker, "trino.stderr.0").lines().filter(line -> line.contains("run-with-drain")).reduce("", (a, b) -> a + b + "\n");
        System.out.printf("TrinoUpgradeIT: the 470 worker's drain:%n%s", drainLog);
        assertSucceeded(upgrade.value());

        result.assertNothingLost("upgrade");
        assertThat(result.sides()).as("the side answering the public URL, in order").containsExactly("blue", "green");
        assertThat(TraefikStack.types(events)).containsSubsequence(TraefikStack.BLUE_GREEN_EVENTS);
        long switchedNanos = upgrade.nanosAt(TraefikStack.firstAt(events, "traffic-switched"));
        assertThat(result.longQueries()).as("a Q1 started on 470 before the switch and finished after it")
                .anySatisfy(query -> assertThat(query.startedNanos() < switchedNanos && query.endedNanos() > switchedNanos).isTrue());
        assertThat(version(viaTraefik, publicUrl)).as("the new side runs Trino 476").isEqualTo("476");
        Map<String, String> after = stacked.runningAllocations(JOB);
        assertThat(after).as("one coordinator and one worker, all new").hasSize(2).doesNotContainKeys(before.keySet().toArray(String[]::new));
        assertThat(drainLog).as("the 470 worker drained with DRAINING when the old side stopped").contains("DRAINING accepted").contains("DRAINED");
    }

    /** {@code /v1/info}'s version through the public URL. */
    private static String version(HttpClient viaTraefik, String publicUrl)
            throws Exception
    {
        HttpResponse<String> info = viaTraefik.send(HttpRequest.newBuilder(URI.create(publicUrl + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
        return new JsonObject(info.body()).getJsonObject("nodeVersion").getString("version");
    }
}
