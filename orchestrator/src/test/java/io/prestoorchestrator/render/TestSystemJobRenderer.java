package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.sim.nomad.NomadSimulator;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TestSystemJobRenderer
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, String> NO_ENVIRONMENT = Map.of();
    private static final List<String> JOBS = List.of("nomad-autoscaler", "presto-orchestrator", "prometheus", "traefik");
    private static final Pattern TOKEN_SETTING = Pattern.compile("(?i)([A-Za-z_]*token)\\s*[:=]\\s*(.*)");

    @TempDir
    Path temp;

    private final SystemJobRenderer renderer = new SystemJobRenderer(TestingRenderInputs.TEMPLATES);

    @Test
    void testEveryJobRendersWithEveryShippedVariableFile()
            throws IOException
    {
        assertThat(renderer.jobNames()).isEqualTo(JOBS);
        for (String environment : List.of("prod", "staging")) {
            Path file = renderer.variableFile(environment);
            Map<?, ?> vars = YAML.readValue(file.toFile(), Map.class);
            for (String name : JOBS) {
                JsonNode job = renderer.render(name, file, NO_ENVIRONMENT).get("Job");
                assertThat(job.get("ID").asText()).as(name).isEqualTo(name);
                assertThat(job.get("Name").asText()).isEqualTo(name);
                assertThat(job.get("Type").asText()).isEqualTo(name.equals("traefik") ? "system" : "service");
                assertThat(job.get("NodePool").asText()).isEqualTo("system");
                assertThat(job.get("Datacenters")).extracting(JsonNode::asText).isEqualTo(vars.get("datacenters"));
                assertThat(job.get("Meta").get("orchestrator_variable_file").asText()).isEqualTo("system/vars/" + environment + ".yaml");
                assertThat(job.get("Meta").get("orchestrator_template_version").asText()).isEqualTo("1");
                JsonNode task = group(job).get("Tasks").get(0);
                assertThat(task.get("Driver").asText()).isEqualTo("docker");
                assertThat(task.get("Config").get("network_mode").asText()).as("the Consul agent listens on 127.0.0.1 only").isEqualTo("host");
            }
        }
    }

    @Test
    void testNomadSimulatorAcceptsEveryJob()
            throws Exception
    {
        HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build();
        try (NomadSimulator nomad = new NomadSimulator(NomadSimulatorConfig.defaults(1, "dc1", temp.resolve("nomad"))).start()) {
            for (String name : JOBS) {
                ObjectNode job = renderer.render(name, renderer.variableFile("prod"), NO_ENVIRONMENT);
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(nomad.address().resolve("/v1/jobs"))
                        .PUT(HttpRequest.BodyPublishers.ofString(job.toString())).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("%s: %s", name, response.body()).isEqualTo(200);
                HttpResponse<String> stored = client.send(HttpRequest.newBuilder(nomad.address().resolve("/v1/job/" + name)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(stored.statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void testTraefikRoutesOnlyEnabledServicesWithDashboardOff()
            throws IOException
    {
        JsonNode job = renderProd("traefik");
        JsonNode group = group(job);
        assertThat(ports(group, "ReservedPorts")).containsExactly(Map.entry("web", 8000), Map.entry("ping", 8082));
        JsonNode service = group.get("Services").get(0);
        assertThat(service.get("Name").asText()).isEqualTo("traefik");
        assertThat(service.get("Tags")).extracting(JsonNode::asText).containsExactly("traefik.enable=false");
        JsonNode check = service.get("Checks").get(0);
        assertThat(check.get("Path").asText()).isEqualTo("/ping");
        assertThat(check.get("PortLabel").asText()).isEqualTo("ping");

        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("Config").get("image").asText()).startsWith("traefik:v3.");
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText).containsExactly("--configFile=/secrets/traefik.yml");
        JsonNode config = yaml(templates(task).get("secrets/traefik.yml"));
        assertThat(config.get("global").get("checkNewVersion").asBoolean(true)).isFalse();
        assertThat(config.get("global").get("sendAnonymousUsage").asBoolean(true)).isFalse();
        assertThat(config.has("api")).as("API and dashboard off by default").isFalse();
        assertThat(fieldNames(config.get("entryPoints"))).containsExactly("web", "ping");
        assertThat(config.get("entryPoints").get("web").get("address").asText()).isEqualTo(":8000");
        assertThat(config.get("entryPoints").get("ping").get("address").asText()).isEqualTo(":8082");
        assertThat(config.get("ping").get("entryPoint").asText()).isEqualTo("ping");
        assertThat(config.get("accessLog").get("format").asText()).isEqualTo("json");
        JsonNode consul = config.get("providers").get("consulCatalog");
        assertThat(consul.get("exposedByDefault").isBoolean()).isTrue();
        assertThat(consul.get("exposedByDefault").asBoolean()).isFalse();
        assertThat(consul.get("strictChecks")).as("only passing coordinators are routed (the readiness gate)").hasSize(1);
        assertThat(consul.get("strictChecks").get(0).asText()).isEqualTo("passing");
        assertThat(consul.get("refreshInterval").asText()).isEqualTo("15s");
        assertThat(consul.get("endpoint").get("address").asText()).isEqualTo("127.0.0.1:8500");
        assertThat(task.get("KillTimeout").asLong()).isEqualTo(35_000_000_000L);
    }

    @Test
    void testTraefikDashboardOnlyWhenAskedFor()
            throws IOException
    {
        Path vars = prodVarsWith(text -> text.replace("  dashboard: false\n", "  dashboard: true\n"));
        JsonNode group = group(renderer.render("traefik", vars, NO_ENVIRONMENT).get("Job"));
        assertThat(ports(group, "ReservedPorts")).containsEntry("dashboard", 8081);
        JsonNode config = yaml(templates(group.get("Tasks").get(0)).get("secrets/traefik.yml"));
        assertThat(config.get("api").get("dashboard").asBoolean()).isTrue();
        assertThat(config.get("entryPoints").get("traefik").get("address").asText()).isEqualTo(":8081");
    }

    @Test
    void testAutoscalerAgentAndOneClusterPolicyPerPool()
            throws IOException
    {
        JsonNode group = group(renderProd("nomad-autoscaler"));
        assertThat(group.get("Count").asInt()).as("one agent: two would both act").isEqualTo(1);
        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("Config").get("image").asText()).startsWith("hashicorp/nomad-autoscaler:");
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText).contains("agent", "-config=/local/config", "-http-bind-port=${NOMAD_PORT_http}");
        assertThat(group.get("Services").get(0).get("Checks").get(0).get("Path").asText()).isEqualTo("/v1/health");

        Map<String, String> files = templates(task);
        assertThat(files).containsOnlyKeys("local/config/agent.hcl", "local/policies/adhoc.hcl");
        assertThat(files.get("local/config/agent.hcl"))
                .contains("address = \"http://127.0.0.1:4646\"")
                .containsPattern("apm \"prometheus\" \\{\\s+driver = \"prometheus\"")
                .contains("address = \"http://{{ with service \"prometheus\" }}{{ with index . 0 }}{{ .Address }}:{{ .Port }}{{ end }}{{ end }}\"")
                // the Trino worker groups' target: the built-in Nomad target on the orchestrator's scale front service
                .containsPattern("target \"presto-orchestrator\" \\{\\s+driver = \"nomad-target\"\\s+config = \\{\\s+nomad_address = "
                        + "\"http://\\{\\{ with service \"presto-orchestrator-scale-front\" }}")
                .containsPattern("target \"aws-asg\" \\{\\s+driver = \"aws-asg\"")
                .contains("aws_region = \"us-east-1\"")
                .containsPattern("dir\\s+= \"/local/policies\"")
                .containsPattern("default_evaluation_interval = \"10s\"")
                .containsPattern("default_cooldown\\s+= \"300s\"")
                .doesNotContainPattern("(?m)^\\s*token\\s*=");
        String policy = files.get("local/policies/adhoc.hcl");
        assertThat(policy)
                .contains("scaling \"cluster-adhoc\" {")
                .containsPattern("min\\s+= 1\n")
                .containsPattern("max\\s+= 6\n")
                .contains("query  = \"max(presto_orchestrator_cluster_workers_needed{cluster=\\\"adhoc\\\"})\"")
                .contains("strategy \"pass-through\"")
                .containsPattern("target \"aws-asg\" \\{\\s+aws_asg_name\\s+= \"prod-presto-pool-adhoc\"")
                .containsPattern("node_class\\s+= \"trino-adhoc\"")
                .containsPattern("node_drain_deadline\\s+= \"1200s\"");
    }

    @Test
    void testLocalAutoscalerConfigurationIsTheProductionTemplateWithoutAutoScalingGroups()
    {
        Path local = TestingRenderInputs.TEMPLATES.resolve("local/nomad-autoscaler.yaml");
        String agent = renderer.renderFile("nomad-autoscaler/agent.hcl.ftl", local, Map.of("NOMAD_PORT", "14646", "PROMETHEUS_PORT", "19090", "SCALE_FRONT_PORT", "18071"));
        assertThat(agent)
                .contains("address = \"http://127.0.0.1:14646\"")
                .containsPattern("target \"presto-orchestrator\" \\{\\s+driver = \"nomad-target\"\\s+config = \\{\\s+nomad_address = \"http://127.0.0.1:18071\"")
                .containsPattern("apm \"prometheus\" \\{\\s+driver = \"prometheus\"\\s+config = \\{\\s+address = \"http://127.0.0.1:19090\"")
                .containsPattern("default_evaluation_interval = \"10s\"")
                .contains("log_json  = false")
                .doesNotContain("aws-asg")
                .doesNotContain("/local/policies");
        // the production job's copy keeps the Auto Scaling group target and the policy directory
        Map<String, String> files = templates(group(renderProd("nomad-autoscaler")).get("Tasks").get(0));
        assertThat(files.get("local/config/agent.hcl")).contains("target \"aws-asg\"").contains("log_json  = true");

        InvalidInputException unknown = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.renderFile("nomad-autoscaler/missing.hcl.ftl", local, Map.of()));
        assertThat(unknown.getMessage()).contains("no task file 'nomad-autoscaler/missing.hcl.ftl'");
        InvalidInputException escape = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.renderFile("../trino-cluster.json.ftl", local, Map.of()));
        assertThat(escape.getMessage()).contains("no task file '../trino-cluster.json.ftl'");
    }

    @Test
    void testAutoscalerPoliciesFollowTheVarsList()
            throws IOException
    {
        Path vars = prodVarsWith(text -> text.replace("      query: max(presto_orchestrator_cluster_workers_needed{cluster=\"adhoc\"})\n",
                "      query: max(presto_orchestrator_cluster_workers_needed{cluster=\"adhoc\"})\n"
                        + "    - cluster: etl\n      asg_name: prod-presto-pool-etl\n      node_class: trino-etl\n      min: 0\n      max: 20\n      query: max(x{cluster=\"etl\"})\n"));
        Map<String, String> files = templates(group(renderer.render("nomad-autoscaler", vars, NO_ENVIRONMENT).get("Job")).get("Tasks").get(0));
        assertThat(files).containsOnlyKeys("local/config/agent.hcl", "local/policies/adhoc.hcl", "local/policies/etl.hcl");
        assertThat(files.get("local/policies/etl.hcl")).containsPattern("aws_asg_name\\s+= \"prod-presto-pool-etl\"").containsPattern("max\\s+= 20\n");
        assertThat(files.get("local/policies/adhoc.hcl")).doesNotContain("etl");
    }

    @Test
    void testPrometheusScrapesCoordinatorsWithAUserAndTheOrchestrator()
            throws IOException
    {
        JsonNode group = group(renderProd("prometheus"));
        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("Config").get("image").asText()).startsWith("prom/prometheus:");
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText)
                .contains("--config.file=/secrets/prometheus.yml", "--storage.tsdb.retention.time=15d", "--storage.tsdb.path=/alloc/data/prometheus");
        assertThat(group.get("EphemeralDisk").get("Sticky").asBoolean()).isTrue();
        assertThat(group.has("Volumes")).isFalse();
        assertThat(group.get("Services").get(0).get("Name").asText()).isEqualTo("prometheus");

        JsonNode config = yaml(templates(task).get("secrets/prometheus.yml"));
        Map<String, JsonNode> jobs = new LinkedHashMap<>();
        config.get("scrape_configs").forEach(job -> jobs.put(job.get("job_name").asText(), job));
        assertThat(jobs).containsOnlyKeys("trino-coordinators", "presto-orchestrator");

        JsonNode trino = jobs.get("trino-coordinators");
        assertThat(trino.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(trino.get("basic_auth").get("username").asText()).isEqualTo("presto-orchestrator");
        assertThat(trino.get("basic_auth").get("password").asText()).isEmpty();
        JsonNode sd = trino.get("consul_sd_configs").get(0);
        assertThat(sd.get("server").asText()).isEqualTo("127.0.0.1:8500");
        assertThat(sd.get("tags")).extracting(JsonNode::asText).containsExactly("coordinator");
        assertThat(sd.has("services")).as("every coordinator service, whatever the cluster's name").isFalse();
        assertThat(trino.get("relabel_configs")).anySatisfy(rule -> {
            assertThat(rule.get("source_labels")).extracting(JsonNode::asText).containsExactly("__meta_consul_service_metadata_cluster");
            assertThat(rule.path("target_label").asText()).isEqualTo("cluster");
        });

        JsonNode orchestrator = jobs.get("presto-orchestrator");
        assertThat(orchestrator.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(orchestrator.get("consul_sd_configs").get(0).get("services")).extracting(JsonNode::asText).containsExactly("presto-orchestrator");
        assertThat(orchestrator.has("basic_auth")).isFalse();
    }

    @Test
    void testPrometheusOnAHostVolume()
            throws IOException
    {
        Path vars = prodVarsWith(text -> text.replace("  host_volume: \"\"\n", "  host_volume: prometheus-data\n"));
        JsonNode group = group(renderer.render("prometheus", vars, NO_ENVIRONMENT).get("Job"));
        assertThat(group.get("Volumes").get("data").get("Source").asText()).isEqualTo("prometheus-data");
        assertThat(group.get("Volumes").get("data").get("Type").asText()).isEqualTo("host");
        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("VolumeMounts").get(0).get("Destination").asText()).isEqualTo("/prometheus");
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText).contains("--storage.tsdb.path=/prometheus");
        assertThat(group.has("EphemeralDisk")).isFalse();
    }

    @Test
    void testOrchestratorRunsTwoReplicasOnDistinctNodes()
    {
        JsonNode group = group(renderProd("presto-orchestrator"));
        assertThat(group.get("Count").asInt()).isEqualTo(2);
        assertThat(group.get("Constraints")).anySatisfy(constraint -> {
            assertThat(constraint.get("Operand").asText()).isEqualTo("distinct_hosts");
            assertThat(constraint.get("RTarget").asText()).isEqualTo("true");
        });
        assertThat(ports(group, "ReservedPorts")).containsExactly(Map.entry("http", 8070), Map.entry("scale-front", 8071));
        // nomad-autoscaler's agent finds the scale front through Consul (its target's nomad_address)
        JsonNode front = group.get("Services").get(1);
        assertThat(front.get("Name").asText()).isEqualTo("presto-orchestrator-scale-front");
        assertThat(front.get("PortLabel").asText()).isEqualTo("scale-front");
        assertThat(front.get("Checks").get(0).get("Type").asText()).isEqualTo("tcp");
        JsonNode service = group.get("Services").get(0);
        assertThat(service.get("Name").asText()).isEqualTo("presto-orchestrator");
        assertThat(service.get("PortLabel").asText()).isEqualTo("http");
        Map<String, JsonNode> checks = new LinkedHashMap<>();
        service.get("Checks").forEach(check -> checks.put(check.get("Path").asText(), check));
        assertThat(checks).containsOnlyKeys("/health/live", "/health/ready");
        assertThat(checks.get("/health/live").get("CheckRestart").get("Limit").asInt()).as("Nomad restarts on liveness").isEqualTo(3);
        assertThat(checks.get("/health/ready").has("CheckRestart")).as("a dependency outage must not restart the orchestrator").isFalse();

        JsonNode task = group.get("Tasks").get(0);
        assertThat(task.get("Config").get("args")).extracting(JsonNode::asText).endsWith("-jar", "/local/presto-orchestrator.jar", "serve");
        assertThat(task.get("Artifacts")).extracting(artifact -> artifact.get("GetterSource").asText()).containsExactly(
                "s3::https://s3.us-east-1.amazonaws.com/prod-presto-artifacts/presto-orchestrator/0.1.0-SNAPSHOT/presto-orchestrator.jar",
                "s3::https://s3.us-east-1.amazonaws.com/prod-presto-artifacts/presto-orchestrator/0.1.0-SNAPSHOT/job-templates.tar.gz");
        Map<String, String> environment = orchestratorEnvironment(renderer.render("presto-orchestrator", renderer.variableFile("prod"), NO_ENVIRONMENT));
        assertThat(environment)
                .containsEntry("ORCHESTRATOR_HTTP_PORT", "8070")
                .containsEntry("ORCHESTRATOR_AUTOSCALING_SCALE_FRONT_PORT", "8071")
                .containsEntry("ORCHESTRATOR_AUTH_SSM_PATH", "/presto-orchestrator/_orchestrator/auth")
                .containsEntry("ORCHESTRATOR_CLUSTERS_TEMPLATES_DIR", "/local/job-templates");
        assertThat(environment.keySet()).noneMatch(key -> key.endsWith("_TOKEN"));
    }

    @Test
    void testLifecycleQueueTurnsLifecycleHooksOn()
            throws IOException
    {
        assertThat(orchestratorEnvironment(renderer.render("presto-orchestrator", renderer.variableFile("prod"), NO_ENVIRONMENT)).keySet())
                .noneMatch(key -> key.startsWith("ORCHESTRATOR_LIFECYCLE_"));
        String queue = "https://sqs.us-east-1.amazonaws.com/123456789012/prod-trino-lifecycle";
        Path vars = prodVarsWith(text -> text.replace("  lifecycle_queue_url: \"\"\n", "  lifecycle_queue_url: " + queue + "\n"));
        Map<String, String> environment = orchestratorEnvironment(renderer.render("presto-orchestrator", vars, NO_ENVIRONMENT));
        assertThat(environment).containsEntry("ORCHESTRATOR_LIFECYCLE_ENABLED", "true").containsEntry("ORCHESTRATOR_LIFECYCLE_QUEUE_URL", queue);
        // the orchestrator accepts what the job sets
        io.prestoorchestrator.config.OrchestratorConfig config = io.prestoorchestrator.config.ConfigLoader.load(java.util.Optional.empty(), environment);
        assertThat(config.lifecycle().enabled()).isTrue();
        assertThat(config.lifecycle().queueUrl()).contains(queue);
    }

    @Test
    void testVariableFileEnvironmentReferences()
    {
        Path vars = renderer.variableFile("prod");
        String base = "s3::https://s3.eu-west-1.amazonaws.com/other/po/1.0";
        JsonNode task = group(renderer.render("presto-orchestrator", vars, Map.of("ORCHESTRATOR_ARTIFACT_BASE", base, "AWS_REGION", "eu-west-1")).get("Job"))
                .get("Tasks").get(0);
        assertThat(task.get("Artifacts").get(0).get("GetterSource").asText()).isEqualTo(base + "/presto-orchestrator.jar");
        assertThat(templates(task).get("local/orchestrator.env")).contains("ORCHESTRATOR_AWS_REGION=eu-west-1\n");
    }

    @Test
    void testTokensComeOnlyFromTheJobsOwnNomadVariable()
            throws IOException
    {
        Path vars = prodVarsWith(text -> text.replace("nomad_acl: false\n", "nomad_acl: true\n").replace("consul_acl: false\n", "consul_acl: true\n"));
        Map<String, List<String>> expectedItems = Map.of(
                "traefik", List.of("consul_token"),
                "prometheus", List.of("consul_token"),
                "nomad-autoscaler", List.of("nomad_token"),
                "presto-orchestrator", List.of("nomad_token", "consul_token"));
        for (String name : JOBS) {
            ObjectNode job = renderer.render(name, vars, NO_ENVIRONMENT);
            assertThat(JobMasking.mask(job)).as("%s: nothing secret-looking written literally", name).isEqualTo(job);
            List<String> items = new ArrayList<>();
            for (String text : strings(job)) {
                for (String line : text.split("\n")) {
                    Matcher setting = TOKEN_SETTING.matcher(line.strip());
                    if (line.strip().startsWith("#") || !setting.matches()) {
                        continue;
                    }
                    Matcher lookup = Pattern.compile("'?\\{\\{ with nomadVar \"nomad/jobs/" + name + "\" }}\\{\\{ \\.([a-z_]+) }}\\{\\{ end }}'?").matcher(setting.group(2));
                    assertThat(lookup.matches()).as("%s: %s must be a lookup of the job's own Nomad Variable", name, line.strip()).isTrue();
                    items.add(lookup.group(1));
                }
            }
            assertThat(items).as(name).isNotEmpty().containsOnlyElementsOf(expectedItems.get(name)).containsAll(expectedItems.get(name));
            JsonNode task = group(job.get("Job")).get("Tasks").get(0);
            assertThat(task.has("Env")).isFalse();
            task.get("Templates").forEach(template -> {
                if (template.get("EmbeddedTmpl").asText().contains("nomadVar")) {
                    assertThat(template.get("DestPath").asText()).as("%s: files holding tokens live in secrets/", name).startsWith("secrets/");
                }
            });
        }
        JsonNode autoscaler = group(renderer.render("nomad-autoscaler", vars, NO_ENVIRONMENT).get("Job")).get("Tasks").get(0);
        JsonNode tokenFile = null;
        for (JsonNode template : autoscaler.get("Templates")) {
            if (template.get("DestPath").asText().equals("secrets/nomad.env")) {
                tokenFile = template;
            }
        }
        assertThat(tokenFile).isNotNull();
        assertThat(tokenFile.get("Envvars").asBoolean()).isTrue();
        assertThat(tokenFile.get("EmbeddedTmpl").asText()).isEqualTo("NOMAD_TOKEN={{ with nomadVar \"nomad/jobs/nomad-autoscaler\" }}{{ .nomad_token }}{{ end }}\n");
    }

    @Test
    void testMissingVariableFailsNamingIt()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Path prod = templates.resolve("system/vars/prod.yaml");
        Files.writeString(prod, Files.readString(prod).replace("  web_port: 8000\n", ""), UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> new SystemJobRenderer(templates).render("traefik", prod, NO_ENVIRONMENT));
        assertThat(e.semantic()).isTrue();
        assertThat(e.fieldErrors()).hasSize(1);
        assertThat(e.fieldErrors().get(0).field()).isEqualTo("job-templates/system/traefik.json.ftl");
        assertThat(e.getMessage()).matches("job template error: system/traefik\\.json\\.ftl, line \\d+, column \\d+: 'vars\\.traefik\\.web_port' is undefined or null: "
                + "define it \\(in system/vars/prod\\.yaml for vars\\.\\*\\) or give a default with !");
    }

    @Test
    void testMissingVariableInASubTemplateNamesThatFile()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Path prod = templates.resolve("system/vars/prod.yaml");
        Files.writeString(prod, Files.readString(prod).replace("  trino_metrics_user: presto-orchestrator\n", ""), UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> new SystemJobRenderer(templates).render("prometheus", prod, NO_ENVIRONMENT));
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("job-templates/system/prometheus/prometheus.yml.ftl");
        assertThat(e.getMessage()).contains("'vars.prometheus.trino_metrics_user' is undefined or null");
    }

    @Test
    void testUnsetEnvironmentVariableNamesKeyAndVariable()
            throws IOException
    {
        Path vars = prodVarsWith(text -> text.replace("aws_region: ${env:AWS_REGION:-us-east-1}\n", "aws_region: ${env:PO_TEST_REGION}\n"));
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render("traefik", vars, NO_ENVIRONMENT));
        assertThat(e.getMessage()).startsWith("variable file " + vars + ": aws_region refers to ${env:PO_TEST_REGION}, which is not set");
    }

    @Test
    void testUnknownJobAndMissingVariableFile()
    {
        InvalidInputException unknown = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render("macros", renderer.variableFile("prod"), NO_ENVIRONMENT));
        assertThat(unknown.getMessage()).isEqualTo("no system job 'macros': job-templates/system/ has " + JOBS);
        InvalidInputException noFile = catchThrowableOfType(InvalidInputException.class,
                () -> renderer.render("traefik", renderer.variableFile("qa"), NO_ENVIRONMENT));
        assertThat(noFile.getMessage()).isEqualTo("variable file system/vars/qa.yaml does not exist");
    }

    @Test
    void testJobIdMustBeTheJobName()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TestingRenderInputs.TEMPLATES, temp.resolve("job-templates"));
        Path traefik = templates.resolve("system/traefik.json.ftl");
        Files.writeString(traefik, Files.readString(traefik).replace("\"ID\": \"[=jobId]\"", "\"ID\": \"edge\""), UTF_8);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> new SystemJobRenderer(templates).render("traefik", templates.resolve("system/vars/prod.yaml"), NO_ENVIRONMENT));
        assertThat(e.getMessage()).isEqualTo("job template error: system/traefik.json.ftl must render {\"Job\":{\"ID\":\"traefik\", ...}}, found ID \"edge\"");
    }

    @Test
    void testExtraEnvironmentRefusesTokensAndUnknownNames()
            throws IOException
    {
        for (String entry : List.of("ORCHESTRATOR_NOMAD_TOKEN: abc", "JAVA_OPTS: -Xmx1g")) {
            Path vars = prodVarsWith(text -> text.replace("  extra_env: {}\n", "  extra_env:\n    " + entry + "\n"));
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> renderer.render("presto-orchestrator", vars, NO_ENVIRONMENT));
            assertThat(e.getMessage()).as(entry).contains("presto_orchestrator.extra_env: '" + entry.substring(0, entry.indexOf(':')) + "'");
            assertThat(e.getMessage()).doesNotContain("abc");
        }
    }

    static Map<String, String> orchestratorEnvironment(ObjectNode job)
    {
        Map<String, String> environment = new LinkedHashMap<>();
        String file = templates(group(job.get("Job")).get("Tasks").get(0)).get("local/orchestrator.env");
        for (String line : file.split("\n")) {
            if (!line.isBlank()) {
                environment.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return environment;
    }

    static JsonNode group(JsonNode job)
    {
        assertThat(job.get("TaskGroups")).hasSize(1);
        return job.get("TaskGroups").get(0);
    }

    static Map<String, Integer> ports(JsonNode group, String kind)
    {
        Map<String, Integer> ports = new LinkedHashMap<>();
        group.get("Networks").get(0).get(kind).forEach(port -> ports.put(port.get("Label").asText(), port.get("Value").asInt()));
        return ports;
    }

    static Map<String, String> templates(JsonNode task)
    {
        return TestJobRenderer.templates(task);
    }

    static JsonNode yaml(String text)
    {
        try {
            return YAML.readTree(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode renderProd(String name)
    {
        return renderer.render(name, renderer.variableFile("prod"), NO_ENVIRONMENT).get("Job");
    }

    private Path prodVarsWith(UnaryOperator<String> change)
            throws IOException
    {
        String original = Files.readString(renderer.variableFile("prod"));
        String changed = change.apply(original);
        assertThat(changed).as("the change applies to vars/prod.yaml").isNotEqualTo(original);
        Path file = temp.resolve("vars-" + System.nanoTime() + ".yaml");
        Files.writeString(file, changed, UTF_8);
        return file;
    }

    private static List<String> fieldNames(JsonNode node)
    {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode node)
    {
        List<String> strings = new ArrayList<>();
        if (node.isTextual()) {
            strings.add(node.asText());
        }
        node.forEach(child -> strings.addAll(strings(child)));
        return strings;
    }
}
