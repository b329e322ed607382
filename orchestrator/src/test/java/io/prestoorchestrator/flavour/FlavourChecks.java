package io.prestoorchestrator.flavour;

import io.prestoorchestrator.autoscaling.QueryInfo;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.drain.DrainResult;
import io.prestoorchestrator.trino.TrinoHttpCoordinator;
import io.prestoorchestrator.trino.TrinoHttpProbe;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour checks every flavour is held to, in one place: the flavour contracts ({@link LifecycleContract},
 * {@link DrainContract}, {@link SignalContract}) run them against fake engines speaking each flavour's protocol, and
 * the integration tests run the same ones against real processes: {@code PrestoDbClusterIT} (PrestoDB 0.287, opt-in)
 * and {@code ClusterLifecycleIT} (Trino 476). Each reads the engine through the orchestrator's own clients, or what
 * the orchestrator made of it (its metrics, a resize's events), so a check passes on a fake only if it would on the
 * real engine.
 */
public final class FlavourChecks
{
    /**
     * The user the checks' requests name: the orchestrator's ({@code orchestrator_user} in job-templates/vars), whom a
     * real Trino's access control lets see every query (job-templates/trino/access-control-rules.json.ftl).
     */
    public static final String USER = "presto-orchestrator";

    private FlavourChecks() {}

    /** Lifecycle: the workers a coordinator counts as active, as deploys, the status and the readiness gate read them ({@link TrinoHttpProbe}). */
    public static OptionalInt activeWorkers(Flavour flavour, String coordinatorUrl)
    {
        return await(new TrinoHttpProbe(Http.CLIENT, USER, Duration.ofSeconds(5)).activeWorkers(flavour, coordinatorUrl));
    }

    public static void assertCountsActiveWorkers(Flavour flavour, String coordinatorUrl, int expected)
    {
        assertThat(activeWorkers(flavour, coordinatorUrl)).as("active workers the %s coordinator at %s counts, itself left out", flavour, coordinatorUrl).hasValue(expected);
    }

    /**
     * Lifecycle: the queries a coordinator still runs, as a graceful stop and a blue-green switch wait for them: the
     * queries of its {@code /v1/query} that have not ended.
     */
    public static int unfinishedQueries(String coordinatorUrl)
    {
        String list = await(new TrinoHttpCoordinator(Http.CLIENT, USER, Duration.ofSeconds(10)).queries(coordinatorUrl));
        return (int) QueryInfo.parseList(list).stream().filter(query -> query.outcome().isEmpty()).count();
    }

    /**
     * Drain: how the orchestrator's drain of a worker running a task ends on this engine: Trino's worker reaches
     * {@code DRAINED} and idles until stopped; PrestoDB's has no {@code DRAINING}, so {@code SHUTTING_DOWN}, which
     * waits for its tasks and exits.
     */
    public static DrainResult.Outcome expectedDrain(FlavourProfile profile)
    {
        return profile.drainsBeforeShutdown() ? DrainResult.Outcome.DRAINED : DrainResult.Outcome.SHUTTING_DOWN;
    }

    /** Drain, as a resize records it: every worker drained the flavour's way, none timed out, went away or refused. */
    public static void assertDrainEvents(FlavourProfile profile, List<String> eventTypes)
    {
        List<String> failed = java.util.Arrays.stream(DrainResult.Outcome.values()).filter(outcome -> !outcome.equals(DrainResult.Outcome.DRAINED)
                && !outcome.equals(DrainResult.Outcome.SHUTTING_DOWN)).map(DrainResult.Outcome::eventType).toList();
        assertThat(eventTypes).as("the resize's events on %s", profile.flavour())
                .contains(expectedDrain(profile).eventType())
                .doesNotContainAnyElementsOf(failed);
    }

    /**
     * Signal: the orchestrator's public {@code /metrics} has the cluster's autoscaling signal, computed from
     * {@code activeWorkers} active workers, and no per-user counter (they name users: {@code /v1/metrics/queries}).
     */
    public static void assertSignalExported(String publicMetrics, String cluster, int activeWorkers)
    {
        assertThat(publicMetrics).as("the orchestrator's /metrics")
                .contains("presto_orchestrator_cluster_workers_needed{cluster=\"" + cluster + "\"}")
                .contains("presto_orchestrator_cluster_workers_active{cluster=\"" + cluster + "\"} " + activeWorkers + ".0")
                .doesNotContain("presto_orchestrator_queries_total");
    }

    /** Signal: how many ended queries {@code presto_orchestrator_queries_total} counts for the cluster, user and outcome (0 when none). */
    public static int queriesCounted(String userMetrics, String cluster, String state, String user, String errorType, String errorName)
    {
        Matcher matcher = Pattern.compile("(?m)^presto_orchestrator_queries_total\\{cluster=\"" + Pattern.quote(cluster) + "\",error_name=\"" + Pattern.quote(errorName)
                + "\",error_type=\"" + Pattern.quote(errorType) + "\",state=\"" + Pattern.quote(state) + "\",user=\"" + Pattern.quote(user) + "\"} ([0-9.]+)$").matcher(userMetrics);
        return matcher.find() ? (int) Double.parseDouble(matcher.group(1)) : 0;
    }

    /** One client for every check, for the life of the test JVM. */
    private static final class Http
    {
        static final WebClient CLIENT = WebClient.create(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)));
    }
}
