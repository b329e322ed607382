package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.JobPlan;
import io.prestoorchestrator.nomad.NomadHttpJobs;
import io.prestoorchestrator.nomad.PlanEffect;
import io.prestoorchestrator.operations.JobRewrite;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.render.CatalogBundle;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.FakeTrinoProcess;
import io.prestoorchestrator.testing.TestingAutoscaler;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.prestoorchestrator.testing.TestingNomad;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18 on real Nomad 1.6.1, whose scheduler is the authority on what replaces an allocation:
 * the cluster job is rendered from job-templates/ (local variables, a fake Trino answering
 * {@code /v1/info}) as the orchestrator deploys it ({@link JobRewrite#withWorkersMeta}),
 * registered, and then, for each change of the spec that reaches no Trino process, Nomad's plan
 * ({@code POST /v1/job/:id/plan}, through the orchestrator's own adapter) must show no destructive
 * update, no placement and no stop in either group. A change of what Trino runs with must be
 * destructive, so the test can fail. One in-place change is then registered: every allocation
 * stays, at the new job version.
 */
class InPlaceUpdateIT
{
    private static final CatalogDefinition TPCH = new CatalogDefinition("tpch", "tpch", Map.of("tpch.splits-per-node", "4"), Map.of());
    private static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private ConsulSimulator consul;
    private TestingNomad nomad;
    private Vertx vertx;

    @AfterEach
    void cleanUp()
            throws Exception
    {
        if (nomad != null) {
            nomad.close();
        }
        if (consul != null) {
            consul.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void changesThatReachNoTrinoProcessReplaceNoAllocation()
            throws Exception
    {
        long started = System.nanoTime();
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        nomad = TestingNomad.start(dir.resolve("nomad"), consul);
        vertx = Vertx.vertx();
        NomadConfig config = TestingHashiCorp.nomadConfig(nomad.address(), Optional.empty());
        NomadHttpJobs jobs = new NomadHttpJobs(DependencyHttp.nomad(WebClient.create(vertx), config), config);
        Renderer renderer = new Renderer();

        ClusterSpec spec = ClusterDocuments.create(ClusterDocuments.parseObject("""
                {"name": "inplace", "catalogs": ["tpch"], "workers": {"count": 2, "min": 1, "max": 4}, "labels": {"team": "a"}}
                """));
        ClusterSpecValidator.validate(spec, Set.of("tpch"));
        CatalogBundle catalogs = renderer.catalogs(spec);
        await(jobs.putVariable(catalogs.path(), catalogs.items(), OptionalLong.empty()));
        await(jobs.register(renderer.job(spec, "ops"), OptionalLong.empty()));
        List<String> allocations = awaitRunning(jobs, 3, -1);
        long setUp = System.nanoTime();

        Autoscaling on = new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "5m");
        Map<String, ObjectNode> inPlace = new LinkedHashMap<>();
        inPlace.put("autoscaling on", renderer.job(spec.withAutoscaling(on), "ops"));
        inPlace.put("autoscaling policy", renderer.job(spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "20s", "1m", "2m", "0s")), "ops"));
        inPlace.put("autoscaling signal cpu", renderer.job(spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(55.0), "10s", "30s", "1m", "5m")), "ops"));
        inPlace.put("min", renderer.job(spec.withWorkers(new Workers(2, 0, 4)), "ops"));
        inPlace.put("max", renderer.job(spec.withWorkers(new Workers(2, 1, 9)), "ops"));
        inPlace.put("labels changed", renderer.job(spec.withLabels(Map.of("team", "b")), "ops"));
        inPlace.put("label added", renderer.job(spec.withLabels(Map.of("team", "a", "cost-center", "cc-1")), "ops"));
        inPlace.put("labels removed", renderer.job(spec.withLabels(Map.of()), "ops"));
        inPlace.put("the same spec by someone else", renderer.job(spec, "bob"));
        for (Map.Entry<String, ObjectNode> change : inPlace.entrySet()) {
            JobPlan plan = await(jobs.plan(change.getValue()));
            assertThat(plan.groups().keySet()).as(change.getKey()).containsExactlyInAnyOrder("coordinator", "workers");
            plan.groups().forEach((group, updates) -> {
                assertThat(updates.destructiveUpdate()).as("%s: %s destructive updates: %s", change.getKey(), group, plan.diff()).isZero();
                assertThat(updates.place()).as("%s: %s placements", change.getKey(), group).isZero();
                assertThat(updates.stop()).as("%s: %s stops", change.getKey(), group).isZero();
                assertThat(updates.inPlaceUpdate()).as("%s: %s in-place updates", change.getKey(), group).isEqualTo(group.equals("coordinator") ? 1 : 2);
            });
            assertThat(plan.effect().kind()).as(change.getKey()).isEqualTo(PlanEffect.Kind.IN_PLACE);
            System.out.printf("InPlaceUpdateIT: %-30s %s%n", change.getKey(), plan.effect().summary());
        }

        // the same spec by the same deployer (the orchestrator registers nothing for it; Nomad 1.6.1
        // still calls the workers group "Edited", with no field named, which is in place all the same)
        JobPlan same = await(jobs.plan(renderer.job(spec, "ops")));
        assertThat(same.groups().values()).as("%s", same.diff()).allSatisfy(updates -> {
            assertThat(updates.destructiveUpdate()).isZero();
            assertThat(updates.place()).isZero();
            assertThat(updates.stop()).isZero();
        });
        assertThat(same.effect().kind()).isIn(PlanEffect.Kind.NONE, PlanEffect.Kind.IN_PLACE);
        System.out.printf("InPlaceUpdateIT: %-30s %s (diff %s)%n", "the same spec", same.effect().summary(), same.diff());

        // a count change asked for places one worker and replaces none
        JobPlan count = await(jobs.plan(renderer.job(spec.withWorkers(new Workers(3, 1, 4)), "ops")));
        assertThat(count.groups().get("workers").place()).isEqualTo(1);
        assertThat(count.effect().replacesAllocations()).isFalse();

        // what Trino runs with replaces allocations: a property, the version
        JobPlan property = await(jobs.plan(renderer.job(spec.withProperties(Map.of("query.max-execution-time", "2h")), "ops")));
        // the spec's rollout is blue-green (the default, issue 18): Nomad plans the replacements as canaries beside the
        // running allocations (1 coordinator, and 1 worker: what the gate needs), not as destructive updates
        assertThat(property.groups().get("coordinator").canary()).isEqualTo(1);
        assertThat(property.groups().get("coordinator").destructiveUpdate()).isZero();
        assertThat(property.groups().get("workers").canary()).isEqualTo(1);
        assertThat(property.groups().get("workers").destructiveUpdate()).isZero();
        assertThat(property.effect().summary()).startsWith("replaces allocations (coordinator 1, workers 1 in the first round)");
        ClusterSpec upgraded = new ClusterSpec(spec.name(), spec.flavour(), "470", spec.image(), spec.environment(), spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), spec.allowUnknownProperties(), spec.labels(), spec.autoscaling());
        assertThat(await(jobs.plan(renderer.job(upgraded, "ops"))).effect().kind()).isEqualTo(PlanEffect.Kind.REPLACES);
        long planned = System.nanoTime();

        // registered: Nomad updates every allocation in place, none is replaced
        long version = await(jobs.job(spec.jobId())).orElseThrow().version();
        await(jobs.register(inPlace.get("autoscaling on"), OptionalLong.empty()));
        assertThat(awaitRunning(jobs, 3, version + 1)).as("the same allocations, at the new version").containsExactlyInAnyOrderElementsOf(allocations);
        assertThat(await(jobs.allocations(spec.jobId()))).as("nothing stopped").noneMatch(AllocationStub::terminal);
        System.out.printf("InPlaceUpdateIT: Nomad and the job up in %.1f s, %d plans in %.1f s, in-place register in %.1f s; total %.1f s%n",
                (setUp - started) / 1e9, inPlace.size() + 4, (planned - setUp) / 1e9, (System.nanoTime() - planned) / 1e9, (System.nanoTime() - started) / 1e9);
    }

    /** The ids of the {@code count} running allocations once each runs at {@code version} (any version when negative). */
    private static List<String> awaitRunning(NomadHttpJobs jobs, int count, long version)
    {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            List<AllocationStub> live = await(jobs.allocations(ClusterSpec.jobId("inplace"))).stream().filter(allocation -> !allocation.terminal()).toList();
            assertThat(live).hasSize(count).allMatch(allocation -> allocation.clientStatus().equals("running"));
            if (version >= 0) {
                assertThat(live).allMatch(allocation -> allocation.jobVersion() == version);
            }
        });
        return await(jobs.allocations(ClusterSpec.jobId("inplace"))).stream().filter(allocation -> !allocation.terminal()).map(AllocationStub::id).toList();
    }

    /** The job as the orchestrator registers it for an update: rendered, the job Meta copied into the workers group. */
    private final class Renderer
    {
        private final JobRenderer renderer = new JobRenderer(TEMPLATES);
        private final Map<String, String> environment;
        private final List<Path> variables;
        private final int coordinatorPort = TestingAutoscaler.freePort();

        Renderer()
                throws Exception
        {
            Path trinoHome = Files.createDirectories(dir.resolve("fake-trino"));
            FakeTrinoProcess.install(trinoHome);
            Path overrides = Files.writeString(dir.resolve("overrides.yaml"), "drain_on_stop: false\nmin_healthy_time_seconds: 1\n");
            environment = Map.of("TRINO_HOME", trinoHome.toString(), "TRINO_470_HOME", trinoHome.toString(), "TRINO_JAVA_HOME", dir.resolve("no-jdk").toString());
            variables = List.of(TEMPLATES.resolve("vars/local.yaml"), overrides);
        }

        ObjectNode job(ClusterSpec spec, String deployedBy)
        {
            return JobRewrite.withWorkersMeta(rendered(spec, deployedBy).nomadJob());
        }

        /** The Trino catalog files' Nomad Variable, which a deploy writes before it registers: the coordinator's template waits for it. */
        CatalogBundle catalogs(ClusterSpec spec)
        {
            return rendered(spec, "ops").catalogBundle().orElseThrow();
        }

        private RenderedJob rendered(ClusterSpec spec, String deployedBy)
        {
            RenderInputs inputs = new RenderInputs(List.of(TPCH), List.of(), List.of(), "it", deployedBy, environment, Optional.of(coordinatorPort));
            return renderer.render(spec, inputs, variables);
        }
    }
}
