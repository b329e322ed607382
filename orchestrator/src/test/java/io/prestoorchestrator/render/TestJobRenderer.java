package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.cluster.Autoscaling;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.SpecHash;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TestJobRenderer
{
    @TempDir
    Path temp;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final JobRenderer renderer = new JobRenderer(TestingRenderInputs.TEMPLATES);

    @Test
    void testLocalJobHasNomadShape()
    {
        RenderedJob rendered = renderer.render(TestingClusterSpecs.local(), TestingRenderInputs.local());
        assertThat(rendered.jobId()).isEqualTo("trino-demo");
        JsonNode job = rendered.job().get("Job");
        assertThat(job.get("ID").asText()).isEqualTo("trino-demo");
        assertThat(job.get("Type").asText()).isEqualTo("service");
        JsonNode groups = job.get("TaskGroups");
        assertThat(groups).extracting(g -> g.get("Name").asText()).containsExactly("coordinator", "workers");
        JsonNode coordinator = groups.get(0);
        JsonNode workers = groups.get(1);
        assertThat(coordinator.get("Count").asInt()).isEqualTo(1);
        assertThat(workers.get("Count").asInt()).isEqualTo(2);
        assertThat(workers.get("Scaling").get("Min").asInt()).isEqualTo(1);
        assertThat(workers.get("Scaling").get("Max").asInt()).isEqualTo(4);
        assertThat(workers.get("Scaling").get("Enabled").asBoolean()).isFalse();
        assertThat(coordinator.get("Networks").get(0).get("ReservedPorts").get(0).get("Value").asInt()).isEqualTo(18080);
        assertThat(workers.get("Networks").get(0).get("DynamicPorts").get(0).get("Label").asText()).isEqualTo("http");
        JsonNode service = coordinator.get("Services").get(0);
        assertThat(service.get("Name").asText()).isEqualTo("trino-demo-coordinator");
        assertThat(service.get("Checks").get(0).get("Path").asText()).isEqualTo("/v1/info");
        assertThat(service.get("Checks").get(0).get("Interval").asLong()).isEqualTo(10_000_000_000L);
        assertThat(workers.get("Services").get(0).get("Name").asText()).isEqualTo("trino-demo-worker");

        JsonNode task = workers.get("Tasks").get(0);
        assertThat(task.get("Driver").asText()).isEqualTo("raw_exec");
        // workers run under the drain-on-stop wrapper (drain path 3); the coordinator runs the launcher itself
        assertThat(task.get("Config").get("command").asText()).isEqualTo("/bin/bash");
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText)
                .containsExactly("${NOMAD_TASK_DIR}/run-with-drain", "run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "${NOMAD_ALLOC_DIR}/data", "--jvm-dir", "/usr/lib/jvm/temurin-25");
        assertThat(task.get("Env").get("TRINO_HOME").asText()).isEqualTo("/opt/trino-server-476");
        assertThat(task.get("Env").get("TRINO_DRAIN_USER").asText()).isEqualTo("presto-orchestrator");
        assertThat(templates(task).get("local/run-with-drain")).startsWith("#!/usr/bin/env bash\n").contains("PUT /v1/info/state \"DRAINING\"");
        JsonNode coordinatorTask = coordinator.get("Tasks").get(0);
        // the coordinator writes its catalog files from the catalog Variable, then runs the launcher
        assertThat(coordinatorTask.get("Config").get("command").asText()).isEqualTo("/bin/sh");
        assertThat(coordinatorTask.get("Config").get("args")).extracting(JsonNode::asText).containsExactly("${NOMAD_TASK_DIR}/with-catalogs.sh",
                "/opt/trino-server-476/bin/launcher", "run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "${NOMAD_ALLOC_DIR}/data", "--jvm-dir", "/usr/lib/jvm/temurin-25");
        assertThat(templates(coordinatorTask)).doesNotContainKey("local/run-with-drain");
        assertThat(task.get("KillSignal").asText()).isEqualTo("SIGTERM");
        assertThat(task.get("KillTimeout").asLong()).isEqualTo(300_000_000_000L);
        assertThat(task.get("Resources").get("MemoryMB").asInt()).isEqualTo(1024);
        Map<String, String> files = templates(task);
        assertThat(files).containsOnlyKeys("local/etc/config.properties", "local/etc/node.properties", "local/etc/jvm.config", "local/etc/log.properties",
                "local/etc/access-control.properties", "local/etc/access-control-rules.json", "local/run-with-drain");
        assertThat(files.get("local/etc/config.properties"))
                .contains("coordinator=false\n", "http-server.http.port={{ env \"NOMAD_PORT_http\" }}\n", "discovery.uri=http://127.0.0.1:18080\n",
                        "query.max-memory-per-node=256MB\n", "memory.heap-headroom-per-node=154MB\n", "query.max-execution-time=1h\n");
        assertThat(files.get("local/etc/node.properties")).contains("node.id={{ env \"NOMAD_ALLOC_ID\" }}\n", "node.environment=local\n");
        assertThat(files.get("local/etc/jvm.config")).contains("-Xmx512M\n", "-XX:+ExitOnOutOfMemoryError\n", "-Djdk.attach.allowAttachSelf=true\n");
        assertThat(files.get("local/etc/access-control.properties")).contains("access-control.name=file\n");
        assertThat(files.get("local/etc/access-control-rules.json")).contains("{\"user\": \"presto-orchestrator\", \"allow\": [\"read\", \"write\"]}");

        Map<String, String> coordinatorFiles = templates(coordinator.get("Tasks").get(0));
        assertThat(coordinatorFiles).containsOnlyKeys("local/etc/config.properties", "local/etc/node.properties", "local/etc/jvm.config", "local/etc/log.properties",
                "local/ready-check.sh", "local/etc/access-control.properties", "local/etc/access-control-rules.json", "local/with-catalogs.sh");
        assertThat(coordinatorFiles.get("local/etc/config.properties")).contains("coordinator=true\n", "node-scheduler.include-coordinator=false\n",
                "http-server.process-forwarded=true\n", "catalog.management=dynamic\n", "catalog.store=file\n");
        assertThat(files.get("local/etc/config.properties")).contains("catalog.management=dynamic\n").doesNotContain("catalog.store");
        // Trino checks CREATE/DROP CATALOG as "owner": the orchestrator's user alone has it
        assertThat(coordinatorFiles.get("local/etc/access-control-rules.json")).contains("{\"user\": \"presto-orchestrator\", \"allow\": \"owner\"},\n    {\"allow\": \"all\"}");
        // a catalog change must never restart Trino, whatever vars.template_change_mode says
        JsonNode withCatalogs = StreamSupport.stream(coordinator.get("Tasks").get(0).get("Templates").spliterator(), false)
                .filter(template -> template.get("DestPath").asText().equals("local/with-catalogs.sh")).findFirst().orElseThrow();
        assertThat(withCatalogs.get("ChangeMode").asText()).isEqualTo("noop");
        assertThat(withCatalogs.get("EmbeddedTmpl").asText())
                .contains("{{ with nomadVar \"nomad/jobs/trino-demo/coordinator\" }}{{ range $file, $text := . }}\ncat > \"$dir/{{ $file }}\" <<'TRINO_CATALOG_EOF'\n")
                .endsWith("exec \"$@\"\n");
        assertThat(rendered.catalogBundle()).contains(new CatalogBundle("nomad/jobs/trino-demo/coordinator", Map.of("tpch", "connector.name=tpch\ntpch.splits-per-node=4\n")));
        assertThat(rendered.catalogBundle().orElseThrow().items()).containsOnlyKeys("tpch.properties", CatalogBundle.README_ITEM)
                .containsEntry(CatalogBundle.README_ITEM, "Catalog files written by presto-orchestrator from Nomad Variable nomad/jobs/trino-demo/coordinator: tpch\n");
    }

    @Test
    void testScalingPolicyOnTheWorkersNeededSignal()
            throws Exception
    {
        ClusterSpec spec = TestingClusterSpecs.local().withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "1500ms", "2m", "5m"));
        JsonNode scaling = workers(renderer.render(spec, TestingRenderInputs.local())).get("Scaling");
        assertThat(scaling.get("Min").asInt()).isEqualTo(1);
        assertThat(scaling.get("Max").asInt()).isEqualTo(4);
        assertThat(scaling.get("Enabled").asBoolean()).isTrue();
        // as Nomad stores `scaling { policy { ... } }` from HCL, which nomad-autoscaler's Nomad policy source parses
        assertThat(scaling.get("Policy")).isEqualTo(JSON.readTree("""
                {"evaluation_interval": "10s", "cooldown": "120s", "cooldown_on_scale_up": "1500ms", "on_check_error": "fail",
                 "check": [{"workers-needed": [{
                   "source": "prometheus",
                   "query": "max(max_over_time(presto_orchestrator_cluster_workers_needed{cluster=\\"demo\\"}[300s]))",
                   "strategy": [{"pass-through": [{}]}]}]}],
                 "target": [{"presto-orchestrator": [{}]}]}
                """));
    }

    @Test
    void testScalingPolicyWithoutScaleInDelayQueriesTheCurrentNeed()
    {
        ClusterSpec spec = TestingClusterSpecs.local().withAutoscaling(new Autoscaling(true, Autoscaling.Signal.WORKERS_NEEDED, Optional.empty(), "10s", "30s", "1m", "0s"));
        JsonNode check = workers(renderer.render(spec, TestingRenderInputs.local())).get("Scaling").get("Policy").get("check").get(0).get("workers-needed").get(0);
        assertThat(check.get("query").asText()).isEqualTo("max(presto_orchestrator_cluster_workers_needed{cluster=\"demo\"})");
    }

    @Test
    void testScalingPolicyOnCpu()
    {
        ClusterSpec spec = TestingClusterSpecs.prod().withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(65.0), "20s", "1m", "10m", "5m"));
        JsonNode policy = workers(renderer.render(spec, TestingRenderInputs.prod())).get("Scaling").get("Policy");
        assertThat(policy.get("evaluation_interval").asText()).isEqualTo("20s");
        assertThat(policy.get("cooldown").asText()).isEqualTo("600s");
        assertThat(policy.get("cooldown_on_scale_up").asText()).isEqualTo("60s");
        JsonNode check = policy.get("check").get(0).get("cpu").get(0);
        assertThat(check.get("source").asText()).isEqualTo("nomad-apm");
        assertThat(check.get("query").asText()).isEqualTo("avg_cpu-allocated");
        assertThat(check.get("strategy").get(0).get("target-value").get(0).get("target").asDouble()).isEqualTo(65.0);

        JsonNode defaultTarget = workers(renderer.render(spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.empty(), "20s", "1m", "10m", "5m")),
                TestingRenderInputs.prod())).get("Scaling").get("Policy").get("check").get(0).get("cpu").get(0);
        assertThat(defaultTarget.get("strategy").get(0).get("target-value").get(0).get("target").asDouble()).isEqualTo(Autoscaling.DEFAULT_CPU_TARGET);
    }

    private static JsonNode workers(RenderedJob rendered)
    {
        return rendered.job().get("Job").get("TaskGroups").get(1);
    }

    @Test
    void testProvenanceMeta()
    {
        ClusterSpec spec = TestingClusterSpecs.prod();
        RenderedJob rendered = renderer.render(spec, TestingRenderInputs.prod());
        JsonNode meta = rendered.job().get("Job").get("Meta");
        assertThat(meta.get("orchestrator_cluster").asText()).isEqualTo("adhoc");
        assertThat(meta.get("orchestrator_spec_hash").asText()).isEqualTo(SpecHash.of(spec));
        assertThat(meta.get("orchestrator_template_version").asText()).isEqualTo("1");
        assertThat(meta.get("orchestrator_variable_file").asText()).isEqualTo("vars/prod.yaml");
        assertThat(meta.get("orchestrator_ssm_versions").asText())
                .isEqualTo("/presto-orchestrator/adhoc/ldap-password=2,/presto-orchestrator/catalogs/hive/metastore-password=7,log-level=3");
        assertThat(meta.get("orchestrator_version").asText()).isEqualTo("1.2.3");
        assertThat(rendered.provenance()).containsEntry("orchestrator_spec_hash", SpecHash.of(spec));
        // what an operator reads in the Nomad UI: cluster (above), flavour, its version, who deployed it, where it answers
        assertThat(meta.get("orchestrator_flavour").asText()).isEqualTo("trino");
        assertThat(meta.get("trino_version").asText()).isEqualTo("476");
        assertThat(meta.get("orchestrator_deployed_by").asText()).isEqualTo("alice");
        assertThat(meta.get("public_url").asText()).isEqualTo("http://adhoc.trino.example.com");
        assertThat(meta.get("orchestrator_labels").asText()).isEqualTo("{\"cost-center\":\"cc-42\",\"team\":\"analytics\"}");
    }

    @Test
    void testEveryTaskPinsTheDeployerSoItIsNotInTheirCombinedMeta()
    {
        RenderInputs alice = TestingRenderInputs.local();
        RenderInputs bob = new RenderInputs(alice.catalogs(), alice.config(), alice.secrets(), alice.orchestratorVersion(), "bob", alice.environment(), alice.coordinatorPort());
        JsonNode byAlice = renderer.render(TestingClusterSpecs.local(), alice).job().get("Job");
        JsonNode byBob = renderer.render(TestingClusterSpecs.local(), bob).job().get("Job");
        assertThat(byBob.get("Meta").get("orchestrator_deployed_by").asText()).isEqualTo("bob");
        ObjectNode withoutDeployer = byBob.deepCopy();
        ((ObjectNode) withoutDeployer.get("Meta")).put("orchestrator_deployed_by", "alice");
        assertThat(withoutDeployer).as("the deployer is the only difference").isEqualTo(byAlice);
        assertThat(combinedTaskMetas(byBob)).isEqualTo(combinedTaskMetas(byAlice));
    }

    /**
     * Issue 18: a change of labels, of the scaling policy, of min/max (all in the spec hash), or of
     * the orchestrator's version changes the job Meta but no task's combined Meta (job, group, task:
     * what Nomad compares to decide whether an allocation is replaced), and no task.
     */
    @Test
    void testChangesThatReachNoTrinoProcessLeaveEveryTaskAndItsCombinedMetaAlone()
    {
        ClusterSpec spec = TestingClusterSpecs.local();
        RenderInputs inputs = TestingRenderInputs.local();
        JsonNode before = renderer.render(spec, inputs).job().get("Job");
        RenderInputs newerOrchestrator = new RenderInputs(inputs.catalogs(), inputs.config(), inputs.secrets(), "9.9.9", inputs.deployedBy(), inputs.environment(), inputs.coordinatorPort());
        Map<String, JsonNode> changed = new java.util.LinkedHashMap<>();
        changed.put("labels", renderer.render(spec.withLabels(Map.of("team", "other", "cost-center", "cc-1")), inputs).job().get("Job"));
        changed.put("no labels", renderer.render(spec.withLabels(Map.of()), inputs).job().get("Job"));
        changed.put("autoscaling", renderer.render(spec.withAutoscaling(new Autoscaling(true, Autoscaling.Signal.CPU, Optional.of(50.0), "20s", "1m", "10m", "5m")), inputs).job().get("Job"));
        changed.put("min/max", renderer.render(spec.withWorkers(new Workers(spec.workers().count(), 0, 9)), inputs).job().get("Job"));
        changed.put("orchestrator version", renderer.render(spec, newerOrchestrator).job().get("Job"));
        changed.forEach((what, job) -> {
            assertThat(job.get("Meta")).as("%s: the job Meta records it", what).isNotEqualTo(before.get("Meta"));
            assertThat(combinedTaskMetas(job)).as("%s: combined task Meta", what).isEqualTo(combinedTaskMetas(before));
            assertThat(tasks(job)).as("%s: tasks", what).isEqualTo(tasks(before));
        });
        assertThat(changed.get("labels").get("Meta").get(JobRenderer.LABELS).asText()).isEqualTo("{\"cost-center\":\"cc-1\",\"team\":\"other\"}");

        // what Trino runs with is not pinned: a property, the version
        JsonNode property = renderer.render(spec.withProperties(Map.of("query.max-run-time", "1h")), inputs).job().get("Job");
        assertThat(tasks(property)).isNotEqualTo(tasks(before));
    }

    /** Group name/task name -> the task's Meta as Nomad combines it (job, then group, then task; later levels win). */
    private static Map<String, Map<String, String>> combinedTaskMetas(JsonNode job)
    {
        Map<String, Map<String, String>> metas = new java.util.TreeMap<>();
        for (JsonNode group : job.get("TaskGroups")) {
            for (JsonNode task : group.get("Tasks")) {
                Map<String, String> meta = new java.util.TreeMap<>();
                for (JsonNode level : List.of(job, group, task)) {
                    level.path("Meta").fields().forEachRemaining(entry -> meta.put(entry.getKey(), entry.getValue().asText()));
                }
                metas.put(group.get("Name").asText() + "/" + task.get("Name").asText(), meta);
            }
        }
        return metas;
    }

    private static List<JsonNode> tasks(JsonNode job)
    {
        List<JsonNode> tasks = new java.util.ArrayList<>();
        job.get("TaskGroups").forEach(group -> group.get("Tasks").forEach(tasks::add));
        return tasks;
    }

    @Test
    void testProdUsesDockerImageAndConsulDiscovery()
    {
        JsonNode task = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod()).job().get("Job").get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(task.get("Driver").asText()).isEqualTo("docker");
        assertThat(task.get("Config").get("image").asText()).isEqualTo("trinodb/trino:476");
        assertThat(templates(task).get("local/etc/config.properties")).contains("discovery.uri={{ with service \"side-blue.trino-adhoc-coordinator\" }}");
    }

    @Test
    void testCoordinatorIsRoutedOnlyThroughTheReadinessGate()
    {
        JsonNode coordinator = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod()).job().get("Job").get("TaskGroups").get(0);
        JsonNode discovery = coordinator.get("Services").get(0);
        assertThat(discovery.get("Name").asText()).isEqualTo("trino-adhoc-coordinator");
        assertThat(discovery.get("Tags")).extracting(JsonNode::asText).contains("traefik.enable=false").doesNotContain("traefik.enable=true");
        JsonNode routed = coordinator.get("Services").get(1);
        assertThat(routed.get("Name").asText()).isEqualTo("trino-adhoc");
        assertThat(routed.get("Tags")).extracting(JsonNode::asText).contains(
                "traefik.enable=true",
                "side-blue",
                // issue 18: the side's own (pinned) host; the public host is a Traefik KV router the orchestrator writes
                "traefik.http.routers.trino-adhoc-blue.rule=Host(`adhoc--blue.trino.example.com`)",
                "traefik.http.routers.trino-adhoc-blue.entrypoints=web",
                "traefik.http.routers.trino-adhoc-blue.middlewares=trino-adhoc-blue-pin",
                "traefik.http.middlewares.trino-adhoc-blue-pin.headers.customrequestheaders.X-Forwarded-Host=adhoc--blue.trino.example.com");
        assertThat(routed.get("Tags")).extracting(JsonNode::asText).as("no router on the public host in the tags: the public router is in Traefik's KV")
                .noneMatch(tag -> tag.contains("Host(`adhoc.trino.example.com`)"));
        assertThat(routed.get("Meta").get("public_url").asText()).isEqualTo("http://adhoc.trino.example.com");
        JsonNode gate = routed.get("Checks").get(0);
        assertThat(gate.get("Type").asText()).isEqualTo("script");
        assertThat(gate.get("TaskName").asText()).isEqualTo("trino");
        assertThat(gate.get("Args")).extracting(JsonNode::asText)
                .containsExactly("-c", "exec /bin/sh \"$NOMAD_TASK_DIR/ready-check.sh\" \"$@\"", "ready-check", "${NOMAD_PORT_http}", Integer.toString(TestingClusterSpecs.prod().workers().min()), "presto-orchestrator",
                        "4", "3", "3");
        // prod.yaml: 10 s of settle at a probe every 5 s: 3 passes in a row, the first and the last 10 s apart
        assertThat(gate.get("Timeout").asLong()).as("the gate's two 4 s probes fit in its timeout").isEqualTo(10_000_000_000L);
        assertThat(routed.get("Checks")).hasSize(1);
        assertThat(templates(coordinator.get("Tasks").get(0))).containsKey("local/ready-check.sh");
        JsonNode workers = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod()).job().get("Job").get("TaskGroups").get(1);
        assertThat(workers.get("Services")).hasSize(1);
        assertThat(workers.get("Services").get(0).get("Tags")).extracting(JsonNode::asText).doesNotContain("traefik.enable=true");
        assertThat(templates(workers.get("Tasks").get(0))).doesNotContainKey("local/ready-check.sh");
    }

    @Test
    void testCoordinatorWaitsForOneWorkerUnlessOverridden()
    {
        JsonNode coordinator = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod()).job().get("Job").get("TaskGroups").get(0);
        assertThat(templates(coordinator.get("Tasks").get(0)).get("local/etc/config.properties"))
                .contains("query-manager.required-workers=1\n")
                .contains("query-manager.required-workers-max-wait=5m\n");
    }

    @Test
    void testSecretsNeverInTheJob()
    {
        RenderedJob rendered = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod());
        Map<String, Secret> store = Map.of(
                "/presto-orchestrator/catalogs/hive/metastore-password", Secret.of(TestingRenderInputs.HIVE_PASSWORD),
                "/presto-orchestrator/adhoc/ldap-password", Secret.of(TestingRenderInputs.LDAP_PASSWORD));
        assertThat(rendered.variables()).containsExactly(new NomadVariable("nomad/jobs/trino-adhoc", Map.of(
                "catalog_hive_hive_metastore_password", "/presto-orchestrator/catalogs/hive/metastore-password",
                "secret_ldap_password", "/presto-orchestrator/adhoc/ldap-password")));
        Map<String, Secret> items = rendered.variables().get(0).resolve(store::get);
        assertThat(items.get("catalog_hive_hive_metastore_password").reveal()).isEqualTo(TestingRenderInputs.HIVE_PASSWORD);

        String json = rendered.job().toString();
        assertThat(json).doesNotContain(TestingRenderInputs.HIVE_PASSWORD).doesNotContain(TestingRenderInputs.LDAP_PASSWORD);
        // the secret reaches every node's environment from the job's Variable; the catalog file and CREATE CATALOG refer to it
        for (JsonNode group : rendered.job().get("Job").get("TaskGroups")) {
            JsonNode env = StreamSupport.stream(group.get("Tasks").get(0).get("Templates").spliterator(), false)
                    .filter(template -> template.get("DestPath").asText().equals("secrets/catalog-secrets.env")).findFirst().orElseThrow();
            assertThat(env.get("Envvars").asBoolean()).isTrue();
            assertThat(env.get("ChangeMode").asText()).isEqualTo("noop");
            assertThat(env.get("EmbeddedTmpl").asText()).isEqualTo("{{ with nomadVar \"nomad/jobs/trino-adhoc\" }}\n"
                    + "TRINO_CATALOG_HIVE__HIVE_METASTORE_PASSWORD={{ index . \"catalog_hive_hive_metastore_password\" | toJSON }}\n{{ end }}\n");
        }
        CatalogBundle bundle = rendered.catalogBundle().orElseThrow();
        assertThat(bundle.files().get("hive")).contains("hive.metastore.password=${ENV:TRINO_CATALOG_HIVE__HIVE_METASTORE_PASSWORD}\n")
                .doesNotContain(TestingRenderInputs.HIVE_PASSWORD).doesNotContain("/presto-orchestrator/catalogs/hive");
    }

    /** PrestoDB has no dynamic catalogs: its catalog files stay templates of the job, secrets as Nomad Variable lookups. */
    @Test
    void testPrestoDbCatalogsAreTemplatesOfTheJob()
    {
        ClusterSpec trino = TestingClusterSpecs.prod();
        ClusterSpec spec = new ClusterSpec(trino.name(), io.prestoorchestrator.cluster.Flavour.PRESTODB, "0.287", trino.image(), trino.environment(), trino.coordinator(),
                trino.workers(), trino.workerResources(), trino.jvm(), trino.queryMemory(), trino.catalogs(), trino.properties(), trino.allowUnknownProperties(),
                trino.labels(), trino.autoscaling());
        RenderedJob rendered = renderer.render(spec, TestingRenderInputs.prod());
        assertThat(rendered.catalogBundle()).isEmpty();
        JsonNode coordinator = rendered.job().get("Job").get("TaskGroups").get(0).get("Tasks").get(0);
        Map<String, String> files = templates(coordinator);
        assertThat(files.get("local/etc/catalog/hive.properties"))
                .contains("hive.metastore.password={{ with nomadVar \"nomad/jobs/trino-adhoc\" }}{{ .catalog_hive_hive_metastore_password }}{{ end }}\n");
        assertThat(files).doesNotContainKeys("local/with-catalogs.sh", "secrets/catalog-secrets.env", "local/etc/access-control.properties");
        assertThat(files.get("local/etc/config.properties")).doesNotContain("catalog.management");
    }

    /**
     * The local prestodb job runs what PrestoDB 0.287 needs (design notes): its own installation and Java 11, a launcher
     * without --jvm-dir, discovery on the coordinator, no http-server.process-forwarded, the total memory per node set,
     * readiness from /v1/cluster and workers that go straight to SHUTTING_DOWN on the stop signal.
     */
    /** The local profile's {@code jvm_aot_cache}: added for a Trino cluster whose installation holds the cache, and for nothing else. */
    @Test
    void testAotCacheOnlyForTheInstallationItBelongsTo()
    {
        String cache = "/opt/trino-server-476/.presto-orch-aot/java-25.0.3+9-LTS-c1.aot";
        Map<String, String> withCache = Map.of("TRINO_HOME", "/opt/trino-server-476", "TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25", "TRINO_AOT_CACHE", cache,
                "PRESTODB_HOME", "/opt/presto-server-0.287", "PRESTODB_JAVA_HOME", "/opt/jdk-11");
        RenderedJob trino = renderer.render(TestingClusterSpecs.local(), inputs(withCache));
        for (JsonNode group : trino.job().get("Job").get("TaskGroups")) {
            assertThat(templates(group.get("Tasks").get(0)).get("local/etc/jvm.config")).as(group.get("Name").asText())
                    .contains("-XX:AOTCache=" + cache + "\n");
        }

        // another installation's cache (e.g. the other version of an upgrade), PrestoDB (Java 11 refuses the option), or none
        Map<String, String> elsewhere = new java.util.HashMap<>(withCache);
        elsewhere.put("TRINO_AOT_CACHE", "/opt/trino-server-470/.presto-orch-aot/java-25.0.3+9-LTS-c1.aot");
        Map<String, String> without = new java.util.HashMap<>(withCache);
        without.remove("TRINO_AOT_CACHE");
        List<RenderedJob> none = List.of(renderer.render(TestingClusterSpecs.local(), inputs(elsewhere)), renderer.render(prestoDb(TestingClusterSpecs.local()), inputs(withCache)),
                renderer.render(TestingClusterSpecs.local(), inputs(without)));
        for (RenderedJob rendered : none) {
            for (JsonNode group : rendered.job().get("Job").get("TaskGroups")) {
                assertThat(templates(group.get("Tasks").get(0)).get("local/etc/jvm.config")).as(group.get("Name").asText()).doesNotContain("AOTCache");
            }
        }
    }

    private static RenderInputs inputs(Map<String, String> environment)
    {
        return new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice", environment, Optional.of(18080));
    }

    @Test
    void testLocalPrestoDbJobRunsPrestoDb()
    {
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice",
                Map.of("TRINO_HOME", "/opt/trino-server-476", "TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25",
                        "PRESTODB_HOME", "/opt/presto-server-0.287", "PRESTODB_JAVA_HOME", "/opt/jdk-11"), Optional.of(18080));
        RenderedJob rendered = renderer.render(prestoDb(TestingClusterSpecs.local()), inputs);
        assertThat(rendered.catalogBundle()).isEmpty();
        JsonNode groups = rendered.job().get("Job").get("TaskGroups");
        JsonNode coordinator = groups.get(0).get("Tasks").get(0);
        JsonNode worker = groups.get(1).get("Tasks").get(0);
        assertThat(coordinator.get("Config").get("command").asText()).isEqualTo("/opt/presto-server-0.287/bin/launcher");
        assertThat(coordinator.get("Config").get("args")).extracting(JsonNode::asText)
                .containsExactly("run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "${NOMAD_ALLOC_DIR}/data");
        assertThat(coordinator.get("Env").get("JAVA_HOME").asText()).isEqualTo("/opt/jdk-11");
        assertThat(worker.get("Config").get("args")).extracting(JsonNode::asText)
                .containsExactly("${NOMAD_TASK_DIR}/run-with-drain", "run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "${NOMAD_ALLOC_DIR}/data");
        assertThat(worker.get("Env").get("TRINO_HOME").asText()).isEqualTo("/opt/presto-server-0.287");
        assertThat(worker.get("Env").get("JAVA_HOME").asText()).isEqualTo("/opt/jdk-11");
        assertThat(worker.get("Env").get("TRINO_DRAIN_STATES").asText()).isEqualTo("SHUTTING_DOWN");
        assertThat(worker.get("Env").get("TRINO_DRAIN_USER_HEADER").asText()).isEqualTo("X-Presto-User");

        Map<String, String> coordinatorFiles = templates(coordinator);
        assertThat(coordinatorFiles).containsOnlyKeys("local/etc/config.properties", "local/etc/node.properties", "local/etc/jvm.config", "local/etc/log.properties",
                "local/ready-check.sh", "local/etc/catalog/tpch.properties");
        assertThat(coordinatorFiles.get("local/etc/config.properties"))
                .contains("coordinator=true\n", "discovery-server.enabled=true\n", "query.max-memory-per-node=256MB\n", "query.max-total-memory-per-node=256MB\n",
                        "query-manager.required-workers=1\n")
                .doesNotContain("process-forwarded", "catalog.management", "catalog.store");
        assertThat(coordinatorFiles.get("local/etc/node.properties")).contains("node.internal-address={{ env \"NOMAD_IP_http\" }}\n");
        assertThat(coordinatorFiles.get("local/etc/log.properties")).isEqualTo("com.facebook.presto=INFO\n");
        assertThat(coordinatorFiles.get("local/etc/catalog/tpch.properties")).contains("connector.name=tpch\n");
        assertThat(coordinatorFiles.get("local/ready-check.sh")).contains("$base/v1/cluster", "\"activeWorkers\"").doesNotContain("/metrics");
        Map<String, String> workerFiles = templates(worker);
        assertThat(workerFiles).containsOnlyKeys("local/etc/config.properties", "local/etc/node.properties", "local/etc/jvm.config", "local/etc/log.properties",
                "local/run-with-drain", "local/etc/catalog/tpch.properties");
        assertThat(workerFiles.get("local/etc/config.properties")).contains("coordinator=false\n").doesNotContain("discovery-server.enabled");
        assertThat(rendered.job().get("Job").get("Meta").get("prestodb_version").asText()).isEqualTo("0.287");
        // PrestoDB 0.287 builds nextUri from the Host header (X-Forwarded-Host is ignored): the pin middleware sets Host
        assertThat(groups.get(0).get("Services").get(1).get("Tags")).extracting(JsonNode::asText)
                .contains("traefik.http.middlewares.trino-demo-blue-pin.headers.customrequestheaders.Host=demo--blue.trino.localhost:8000")
                .noneMatch(tag -> tag.contains("X-Forwarded-Host"));
    }

    @Test
    void testPrestoDbWithoutItsInstallationNamesTheVariables()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(prestoDb(TestingClusterSpecs.local()), TestingRenderInputs.local()));
        assertThat(e.getMessage()).contains("needs the variables prestodb_home and prestodb_java_home", "scripts/setup.sh --prestodb");
    }

    private static ClusterSpec prestoDb(ClusterSpec trino)
    {
        return new ClusterSpec(trino.name(), io.prestoorchestrator.cluster.Flavour.PRESTODB, "0.287", trino.image(), trino.environment(), trino.coordinator(),
                trino.workers(), trino.workerResources(), trino.jvm(), trino.queryMemory(), trino.catalogs(), trino.properties(), trino.allowUnknownProperties(),
                trino.labels(), trino.autoscaling());
    }

    @Test
    void testMissingSecretParameterNamesThePath()
    {
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH, TestingRenderInputs.HIVE), List.of(), List.of(), "1.2.3", "alice", Map.of(), Optional.empty());
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(TestingClusterSpecs.prod(), inputs));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/catalogs/0", "catalog 'hive' property hive.metastore.password refers to SSM parameter "
                + "/presto-orchestrator/catalogs/hive/metastore-password, which was not found: create it (a SecureString) or change the catalog"));
    }

    @Test
    void testMissingCatalogDefinition()
    {
        RenderInputs inputs = new RenderInputs(List.of(), List.of(), List.of(), "1.2.3", "alice", TestingRenderInputs.local().environment(), Optional.of(18080));
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(TestingClusterSpecs.local(), inputs));
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/catalogs/0");
    }

    @Test
    void testUnsetEnvironmentVariableNamesIt()
    {
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice", Map.of("TRINO_HOME", "/opt/trino"), Optional.of(18080));
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(TestingClusterSpecs.local(), inputs));
        assertThat(e.semantic()).isTrue();
        assertThat(e.getMessage()).startsWith("variable file vars/local.yaml: java_home refers to ${env:TRINO_JAVA_HOME}, which is not set in the orchestrator's environment");
    }

    @Test
    void testUnknownEnvironment()
    {
        ClusterSpec spec = TestingClusterSpecs.local();
        ClusterSpec other = new ClusterSpec(spec.name(), spec.flavour(), spec.version(), spec.image(), "qa", spec.coordinator(), spec.workers(),
                spec.workerResources(), spec.jvm(), spec.queryMemory(), spec.catalogs(), spec.properties(), false, spec.labels());
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(other, TestingRenderInputs.local()));
        assertThat(e.fieldErrors()).containsExactly(new FieldError("/environment",
                "environment 'qa' has no variable file vars/qa.yaml in the job templates: use one of [local, prod, staging]"));
    }

    @Test
    void testStaticDiscoveryWithoutCoordinatorPortNamesTheVariable()
    {
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice", TestingRenderInputs.local().environment(), Optional.empty());
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render(TestingClusterSpecs.local(), inputs));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).hasSize(1);
        assertThat(e.fieldErrors().get(0).field()).isEqualTo("job-templates/trino-cluster.json.ftl");
        assertThat(e.getMessage()).matches("job template error: trino-cluster\\.json\\.ftl, line \\d+, column \\d+: 'coordinatorPort' is undefined or null.*");
    }

    @Test
    void testGreenCoordinatorListensOnePortAboveBlue()
    {
        assertThat(RenderInputs.localCoordinatorPort(20000, "blue")).isEqualTo(20000);
        assertThat(RenderInputs.localCoordinatorPort(20000, "green")).isEqualTo(20001);
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> RenderInputs.localCoordinatorPort(20000, "red"));
        assertThat(e).hasMessage("side is red, expected one of [blue, green]");

        RenderInputs blue = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice", TestingRenderInputs.local().environment(), Optional.of(20000));
        for (String side : RenderInputs.SIDES) {
            JsonNode job = renderer.render(TestingClusterSpecs.local(), blue.forSide(side, true)).nomadJob();
            assertThat(job.toString()).as("the %s coordinator's static port and the workers' discovery URI", side)
                    .contains("{\"Label\":\"http\",\"Value\":" + RenderInputs.localCoordinatorPort(20000, side) + "}")
                    .contains("discovery.uri=http://127.0.0.1:" + RenderInputs.localCoordinatorPort(20000, side));
        }
    }

    @Test
    void testUndefinedVariableInSubTemplateNamesFileLineAndVariable()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Files.writeString(templates.resolve("trino/node.properties.ftl"), "[#ftl]\nnode.environment=[=vars.node_environment]\nnode.foo=[=cluster.nosuchthing]\n", UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.fieldErrors()).containsExactly(new FieldError("job-templates/trino/node.properties.ftl",
                "trino/node.properties.ftl, line 3, column 12: 'cluster.nosuchthing' is undefined or null: define it (in vars/<environment>.yaml for vars.*) or give a default with !"));
    }

    @Test
    void testUndefinedVarsKeyFromVariableFile()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Path local = templates.resolve("vars/local.yaml");
        Files.writeString(local, Files.readString(local).replace("kill_signal: SIGTERM\n", ""), UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.getMessage()).contains("trino-cluster.json.ftl, line ").contains("'vars.kill_signal' is undefined");
    }

    @Test
    void testSyntaxErrorNamesFileAndLine()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Files.writeString(templates.resolve("trino/log.properties.ftl"), "[#ftl]\nio.trino=[#if x]\n", UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.fieldErrors().get(0).field()).isEqualTo("job-templates/trino/log.properties.ftl");
        assertThat(e.getMessage()).contains("trino/log.properties.ftl, line 2").contains("syntax error");
    }

    @Test
    void testNewBuiltinRefused()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Files.writeString(templates.resolve("trino/log.properties.ftl"),
                "[#ftl]\n[#assign exec = \"freemarker.template.utility.Execute\"?new()]io.trino=[=exec(\"id\")]\n", UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.getMessage()).contains("trino/log.properties.ftl, line 2").containsIgnoringCase("not allowed");
    }

    @Test
    void testApiBuiltinRefused()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Files.writeString(templates.resolve("trino/log.properties.ftl"), "[#ftl]\nio.trino=[=cluster.name?api.getClass()]\n", UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.getMessage()).contains("trino/log.properties.ftl, line 2").contains("?api");
    }

    @Test
    void testInvalidJsonNamesTheTemplate()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Path job = templates.resolve("trino-cluster.json.ftl");
        Files.writeString(job, Files.readString(job).replace("\"Type\": \"service\",", "\"Type\": \"service\""), UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> new JobRenderer(templates).render(TestingClusterSpecs.local(), TestingRenderInputs.local()));
        assertThat(e.fieldErrors().get(0).field()).isEqualTo("job-templates/trino-cluster.json.ftl");
        assertThat(e.getMessage()).contains("rendered invalid JSON at output line").contains("\"Datacenters\"");
    }

    @Test
    void testExplicitVariableFilesLaterOverridesEarlier()
            throws IOException
    {
        Path override = temp.resolve("override.yaml");
        Files.writeString(override, "kill_timeout_seconds: 45\ndatacenters: [dc9]\n", UTF_8);
        Path local = TestingRenderInputs.TEMPLATES.resolve("vars/local.yaml");
        RenderedJob rendered = renderer.render(TestingClusterSpecs.local(), TestingRenderInputs.local(), List.of(local, override));
        JsonNode job = rendered.job().get("Job");
        assertThat(job.get("Datacenters")).extracting(JsonNode::asText).containsExactly("dc9");
        JsonNode task = job.get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(task.get("KillTimeout").asLong()).isEqualTo(45_000_000_000L);
        // keys the override leaves alone keep the earlier file's values
        assertThat(task.get("Driver").asText()).isEqualTo("raw_exec");
        assertThat(job.get("Meta").get("orchestrator_variable_file").asText()).isEqualTo("vars/local.yaml," + override);
    }

    @Test
    void testExplicitVariableFileOfTheEnvironmentRendersLikeTheDefault()
    {
        RenderedJob byEnvironment = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod());
        RenderedJob explicit = renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod(), List.of(TestingRenderInputs.TEMPLATES.resolve("vars/prod.yaml")));
        assertThat(explicit.job()).isEqualTo(byEnvironment.job());
    }

    @Test
    void testExplicitVariableFilesMergeMapsKeyByKey()
            throws IOException
    {
        Path base = temp.resolve("base.yaml");
        Path override = temp.resolve("override.yaml");
        Files.writeString(base, Files.readString(TestingRenderInputs.TEMPLATES.resolve("vars/staging.yaml"), UTF_8) + "extra: {a: 1, b: 2}\n", UTF_8);
        Files.writeString(override, "extra: {b: 3}\n", UTF_8);
        Map<String, Object> vars = VariableFiles.load(List.of(base, override), TestingRenderInputs.TEMPLATES, Map.of());
        assertThat(vars.get("extra")).isEqualTo(Map.of("a", 1, "b", 3));
        assertThat(vars.get("driver")).isEqualTo("docker");
    }

    @Test
    void testExplicitOverrideReplacesAnUnsetEnvironmentReference()
            throws IOException
    {
        Path override = temp.resolve("paths.yaml");
        Files.writeString(override, "trino_home: /srv/trino\njava_home: /srv/jdk\n", UTF_8);
        RenderInputs noEnvironment = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice", Map.of(), Optional.of(18080));
        RenderedJob rendered = renderer.render(TestingClusterSpecs.local(), noEnvironment,
                List.of(TestingRenderInputs.TEMPLATES.resolve("vars/local.yaml"), override));
        JsonNode task = rendered.job().get("Job").get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(task.get("Env").get("TRINO_HOME").asText()).isEqualTo("/srv/trino");
        assertThat(task.get("Env").get("JAVA_HOME").asText()).isEqualTo("/srv/jdk");

        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render(TestingClusterSpecs.local(), noEnvironment, List.of(TestingRenderInputs.TEMPLATES.resolve("vars/local.yaml"))));
        assertThat(e.getMessage()).startsWith("variable file vars/local.yaml: trino_home refers to ${env:TRINO_HOME}");
    }

    @Test
    void testVersionRunsItsOwnInstallation()
    {
        RenderInputs inputs = new RenderInputs(List.of(TestingRenderInputs.TPCH), List.of(), List.of(), "1.2.3", "alice",
                Map.of("TRINO_HOME", "/opt/trino-server-476", "TRINO_470_HOME", "/opt/trino-server-470", "TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25"), Optional.of(18080));
        JsonNode job = renderer.render(TestingClusterSpecs.local().withVersion("470"), inputs).job().get("Job");
        JsonNode coordinator = job.get("TaskGroups").get(0).get("Tasks").get(0);
        JsonNode worker = job.get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(coordinator.get("Config").get("args").get(1).asText()).isEqualTo("/opt/trino-server-470/bin/launcher");
        assertThat(worker.get("Env").get("TRINO_HOME").asText()).isEqualTo("/opt/trino-server-470");
        assertThat(job.get("Meta").get("trino_version").asText()).isEqualTo("470");
        JsonNode current = renderer.render(TestingClusterSpecs.local(), inputs).job().get("Job").get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(current.get("Env").get("TRINO_HOME").asText()).isEqualTo("/opt/trino-server-476");
    }

    @Test
    void testVersionWithoutAnInstallationIsRefusedNamingTheField()
    {
        // TRINO_470_HOME unset: 470 is listed in vars/local.yaml but not installed
        InvalidInputException notInstalled = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render(TestingClusterSpecs.local().withVersion("470"), TestingRenderInputs.local()));
        assertThat(notInstalled.semantic()).isTrue();
        assertThat(notInstalled.fieldErrors()).extracting(FieldError::field).containsExactly("/version");
        assertThat(notInstalled.getMessage()).isEqualTo("version '470' of trino is not installed for environment 'local' (vars/local.yaml: trino_version, trino_homes):"
                + " use one of [476], or install it (scripts/setup.sh --help)");

        InvalidInputException unknown = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render(TestingClusterSpecs.local().withVersion("999"), TestingRenderInputs.local()));
        assertThat(unknown.fieldErrors()).extracting(FieldError::field).containsExactly("/version");
        assertThat(unknown.getMessage()).isEqualTo("version '999' of trino is not installed for environment 'local' (vars/local.yaml: trino_version, trino_homes): use one of [476]");
    }

    @Test
    void testDockerProfilesTakeAnyVersion()
    {
        JsonNode task = renderer.render(TestingClusterSpecs.prod().withVersion("999"), TestingRenderInputs.prod()).job().get("Job").get("TaskGroups").get(0).get("Tasks").get(0);
        assertThat(task.get("Config").get("image").asText()).isEqualTo("trinodb/trino:999");
    }

    @Test
    void testMissingExplicitVariableFileIsNamed()
    {
        Path missing = temp.resolve("nope.yaml");
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod(), List.of(missing)));
        assertThat(e.fieldErrors()).containsExactly(new FieldError(missing.toString(), "variable file " + missing + " does not exist or is not a file"));
    }

    @Test
    void testInvalidExplicitVariableFileNamesFileAndLine()
            throws IOException
    {
        Path broken = temp.resolve("broken.yaml");
        Files.writeString(broken, "driver: docker\ndatacenters: [dc1\n", UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render(TestingClusterSpecs.prod(), TestingRenderInputs.prod(), List.of(broken)));
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly(broken.toString());
        assertThat(e.getMessage()).startsWith("variable file " + broken + " is not valid YAML").contains("line ");
    }

    @Test
    void testNomadAndGoTemplateSyntaxPassThrough()
    {
        String json = renderer.render(TestingClusterSpecs.local(), TestingRenderInputs.local()).job().toString();
        assertThat(json).contains("${NOMAD_TASK_DIR}/etc").contains("{{ env \\\"NOMAD_ALLOC_ID\\\" }}");
    }

    @Test
    void testMaskedCopy()
    {
        ObjectNode job = renderer.render(TestingClusterSpecs.local(), TestingRenderInputs.local()).job();
        ObjectNode task = (ObjectNode) job.get("Job").get("TaskGroups").get(1).get("Tasks").get(0);
        ((ObjectNode) task.get("Env")).put("DB_PASSWORD", "leaked-1");
        ((ObjectNode) task.get("Templates").get(0)).put("EmbeddedTmpl", "a=1\nweb-ui.shared-secret=leaked-2\nhive.metastore.password={{ .x }}\n");
        String masked = JobMasking.mask(job).toString();
        assertThat(masked).doesNotContain("leaked-1").doesNotContain("leaked-2").contains("web-ui.shared-secret=******").contains("a=1")
                .contains("hive.metastore.password={{ .x }}");
        assertThat(job.toString()).contains("leaked-1");
    }

    static Map<String, String> templates(JsonNode task)
    {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        List<JsonNode> templates = new ArrayList<>();
        task.get("Templates").forEach(templates::add);
        for (JsonNode template : templates) {
            files.put(template.get("DestPath").asText(), template.get("EmbeddedTmpl").asText());
        }
        return files;
    }
}
