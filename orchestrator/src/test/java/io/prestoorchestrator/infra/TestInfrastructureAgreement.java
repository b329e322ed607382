package io.prestoorchestrator.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.config.ConfigLoader;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.SystemJobRenderer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The names and settings that must agree between terraform/, packer/, job-templates/ and the
 * orchestrator itself. Reads the files relative to the repository root; every value it extracts must
 * be found (a renamed block or attribute fails the test instead of passing it vacuously).
 */
class TestInfrastructureAgreement
{
    private static final Path ROOT = repositoryRoot();
    private static final Path MODULES = ROOT.resolve("terraform/modules");
    private static final Path EXAMPLE = ROOT.resolve("terraform/environments/example");

    private static final String TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** SDK service package -> IAM action prefix. A client of a service not listed here fails the test. */
    private static final Map<String, String> IAM_PREFIXES = Map.of(
            "ssm", "ssm",
            "autoscaling", "autoscaling",
            "sqs", "sqs",
            "ec2", "ec2",
            "kms", "kms");

    @Test
    void testEveryAwsCallOfTheOrchestratorIsAllowedByItsPolicy()
    {
        Set<String> called = awsActionsCalledByMainCode();
        // The scanner itself works: what the code calls today is found.
        assertThat(called).contains("ssm:GetParametersByPath", "autoscaling:DescribeAutoScalingGroups");

        Set<String> allowed = policyActions(read(MODULES.resolve("orchestrator-iam/main.tf")));
        assertThat(allowed)
                .as("IAM actions in terraform/modules/orchestrator-iam/main.tf; every AWS SDK call in orchestrator/src/main needs its action there")
                .containsAll(called);
        assertThat(allowed).as("least privilege: no wildcard actions").noneMatch(action -> action.contains("*"));
        // What the drain design (issue 6) calls, even before the code exists.
        assertThat(allowed).contains(
                "ssm:GetParametersByPath", "ssm:GetParameter", "ssm:GetParameters", "kms:Decrypt",
                "autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat",
                "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility",
                "ec2:DescribeInstances");
    }

    @Test
    void testLifecycleHookIsTheDrainHookWithExplicitResult()
    {
        String pool = read(MODULES.resolve("worker-pool/main.tf"));
        Map<String, String> hook = attributes(block(pool, "resource \"aws_autoscaling_lifecycle_hook\" \"drain\""));
        assertThat(hook.get("lifecycle_transition")).isEqualTo(quoted(TERMINATING));
        assertThat(hook.get("notification_target_arn")).isEqualTo("var.lifecycle_queue_arn");
        assertThat(hook.get("heartbeat_timeout")).isEqualTo("var.heartbeat_timeout_seconds");
        assertThat(hook.get("default_result")).isEqualTo("var.default_result");

        String variables = read(MODULES.resolve("worker-pool/variables.tf"));
        assertThat(variableDefault(variables, "default_result")).isEqualTo(quoted("CONTINUE"));
        long heartbeat = Long.parseLong(variableDefault(variables, "heartbeat_timeout_seconds"));
        assertThat(heartbeat).as("HeartbeatTimeout range").isBetween(30L, 7200L);

        // Any transition string the orchestrator's code matches on must be the hook's.
        for (String transition : grepMainSources(Pattern.compile("autoscaling:EC2_INSTANCE_[A-Z_]+"))) {
            assertThat(transition).isIn(TERMINATING, "autoscaling:TEST_NOTIFICATION");
        }
    }

    @Test
    void testLifecycleDefaultsFitTheHook()
    {
        String variables = read(MODULES.resolve("worker-pool/variables.tf"));
        long heartbeatTimeout = Long.parseLong(variableDefault(variables, "heartbeat_timeout_seconds"));
        long drainTimeout = Long.parseLong(variableDefault(variables, "drain_timeout_seconds"));
        io.prestoorchestrator.config.LifecycleConfig defaults = io.prestoorchestrator.config.LifecycleConfig.DEFAULTS;
        assertThat(defaults.heartbeatInterval().toSeconds()).as("lifecycle.heartbeat-interval well inside the hook's HeartbeatTimeout").isLessThanOrEqualTo(heartbeatTimeout / 2);
        assertThat(defaults.drainBound().toSeconds()).as("lifecycle.drain-bound within terraform's drain_timeout_seconds").isLessThanOrEqualTo(drainTimeout);
    }

    @Test
    void testLifecycleQueueIsWiredFromOneQueueToHookPolicyAndOrchestrator()
    {
        String main = read(EXAMPLE.resolve("main.tf"));
        Map<String, String> queue = attributes(block(main, "module \"lifecycle_queue\""));
        assertThat(queue.get("source")).isEqualTo(quoted("../../modules/lifecycle-queue"));
        assertThat(queue.get("name")).isEqualTo("local.lifecycle_queue_name");

        for (String pool : List.of("module \"worker_pool\"", "module \"system_pool\"")) {
            Map<String, String> args = attributes(block(main, pool));
            assertThat(args.get("source")).as(pool).isEqualTo(quoted("../../modules/worker-pool"));
            assertThat(args.get("lifecycle_queue_arn")).as(pool).isEqualTo("module.lifecycle_queue.queue_arn");
            assertThat(args.get("lifecycle_hook_role_arn")).as(pool).isEqualTo("module.lifecycle_queue.hook_role_arn");
            assertThat(args.get("drain_timeout_seconds")).as(pool).isEqualTo("var.drain_timeout_seconds");
            assertThat(args.get("name")).as(pool + ": the orchestrator may complete lifecycle actions only on ASGs named with this prefix")
                    .startsWith("\"${local.asg_name_prefix}");
        }
        Map<String, String> iam = attributes(block(main, "module \"orchestrator_iam\""));
        assertThat(iam.get("lifecycle_queue_arn")).isEqualTo("module.lifecycle_queue.queue_arn");
        assertThat(iam.get("asg_name_prefix")).isEqualTo("local.asg_name_prefix");
        Map<String, String> ssm = attributes(block(main, "module \"ssm\""));
        assertThat(ssm.get("lifecycle_queue_url")).isEqualTo("module.lifecycle_queue.queue_url");

        // Inside the modules: the queue the outputs name is the one the hook role may send to, and
        // the orchestrator's policy consumes the queue it is given.
        String queueModule = read(MODULES.resolve("lifecycle-queue/main.tf"));
        assertThat(attributes(block(queueModule, "resource \"aws_sqs_queue\" \"this\"")).get("name")).isEqualTo("var.name");
        assertThat(attributes(block(block(queueModule, "data \"aws_iam_policy_document\" \"hook\""), "statement")).get("resources"))
                .isEqualTo("[aws_sqs_queue.this.arn]");
        String queueOutputs = read(MODULES.resolve("lifecycle-queue/outputs.tf"));
        assertThat(attributes(block(queueOutputs, "output \"queue_arn\"")).get("value")).isEqualTo("aws_sqs_queue.this.arn");
        assertThat(attributes(block(queueOutputs, "output \"queue_url\"")).get("value")).isEqualTo("aws_sqs_queue.this.url");
        assertThat(attributes(block(queueOutputs, "output \"hook_role_arn\"")).get("value")).isEqualTo("aws_iam_role.hook.arn");
        String policy = read(MODULES.resolve("orchestrator-iam/main.tf"));
        Map<String, String> consume = statement(policy, "ConsumeLifecycleQueue");
        assertThat(consume.get("resources")).isEqualTo("[var.lifecycle_queue_arn]");
        String parameters = read(MODULES.resolve("ssm-parameters/main.tf"));
        assertThat(attributes(block(parameters, "resource \"aws_ssm_parameter\" \"lifecycle_queue_url\"")).get("value"))
                .isEqualTo("var.lifecycle_queue_url");
    }

    @Test
    void testNomadMaxKillTimeoutCoversTheDrainBound()
    {
        Duration maxKillTimeout = nomadMaxKillTimeout();
        long exampleBound = Long.parseLong(variableDefault(read(EXAMPLE.resolve("variables.tf")), "drain_timeout_seconds"));
        long moduleBound = Long.parseLong(variableDefault(read(MODULES.resolve("worker-pool/variables.tf")), "drain_timeout_seconds"));
        assertThat(maxKillTimeout.toSeconds())
                .as("max_kill_timeout in packer/files/nomad/client.hcl must be >= drain_timeout_seconds in terraform")
                .isGreaterThanOrEqualTo(exampleBound)
                .isGreaterThanOrEqualTo(moduleBound);

        // Heartbeats can hold the instance for min(100 x HeartbeatTimeout, 48 h): the drain must fit.
        long heartbeat = Long.parseLong(variableDefault(read(EXAMPLE.resolve("variables.tf")), "heartbeat_timeout_seconds"));
        assertThat(Math.min(100 * heartbeat, 48 * 3600)).isGreaterThanOrEqualTo(exampleBound);

        // The image's own drain gives up before Nomad's kill timeout force-kills it.
        Matcher drain = Pattern.compile("TRINO_DRAIN_TIMEOUT_SECONDS:-(\\d+)").matcher(read(ROOT.resolve("job-templates/trino/run-with-drain.sh")));
        assertThat(drain.find()).as("TRINO_DRAIN_TIMEOUT_SECONDS default in run-with-drain").isTrue();
        assertThat(Long.parseLong(drain.group(1))).isLessThan(exampleBound);
    }

    @Test
    void testJobTemplatesKillTimeoutAndDrainUserMatchTheImages()
    {
        Path prod = ROOT.resolve("job-templates/vars/prod.yaml");
        assumeTrue(Files.exists(prod), "job-templates/vars/prod.yaml not on this branch yet");
        String vars = read(prod);
        long killTimeout = Long.parseLong(yamlScalar(vars, "kill_timeout_seconds"));
        assertThat(killTimeout).as("job kill_timeout above max_kill_timeout is silently capped by Nomad")
                .isLessThanOrEqualTo(nomadMaxKillTimeout().toSeconds());
        assertThat(yamlScalar(vars, "node_pool")).isEqualTo(unquote(attributes(block(read(EXAMPLE.resolve("main.tf")), "module \"worker_pool\"")).get("node_pool")));
        String drainUser = variableDefault(read(ROOT.resolve("packer/trino-image/trino-image.pkr.hcl")), "drain_user");
        assertThat(yamlScalar(vars, "orchestrator_user")).isEqualTo(unquote(drainUser));
    }

    @Test
    void testOrchestratorPortAndHealthPathAgreeWithLoadBalancerAndSecurityGroups()
    {
        String port = String.valueOf(HttpConfig.DEFAULTS.port());
        assertThat(variableDefault(read(EXAMPLE.resolve("variables.tf")), "orchestrator_port")).isEqualTo(port);
        assertThat(variableDefault(read(MODULES.resolve("nlb/variables.tf")), "orchestrator_port")).isEqualTo(port);
        assertThat(variableDefault(read(MODULES.resolve("network/variables.tf")), "orchestrator_port")).isEqualTo(port);
        String main = read(EXAMPLE.resolve("main.tf"));
        assertThat(attributes(block(main, "module \"nlb\"")).get("orchestrator_port")).isEqualTo("var.orchestrator_port");
        assertThat(attributes(block(main, "module \"network\"")).get("orchestrator_port")).isEqualTo("var.orchestrator_port");

        String nlb = read(MODULES.resolve("nlb/main.tf"));
        Map<String, String> targetGroup = attributes(block(nlb, "resource \"aws_lb_target_group\" \"orchestrator\""));
        assertThat(targetGroup.get("port")).isEqualTo("var.orchestrator_port");
        Map<String, String> healthCheck = attributes(block(block(nlb, "resource \"aws_lb_target_group\" \"orchestrator\""), "health_check"));
        assertThat(healthCheck.get("path")).isEqualTo("var.orchestrator_health_path");
        assertThat(healthCheck.get("port")).isEqualTo(quoted("traffic-port"));
        String healthPath = unquote(variableDefault(read(MODULES.resolve("nlb/variables.tf")), "orchestrator_health_path"));
        assertThat(healthPath).isEqualTo("/health/ready");
        assertThat(read(ROOT.resolve("orchestrator/src/main/resources/openapi.yaml"))).contains("\n  " + healthPath + ":");

        Map<String, String> rule = attributes(block(read(MODULES.resolve("network/main.tf")),
                "resource \"aws_vpc_security_group_ingress_rule\" \"nodes_from_nlb_orchestrator\""));
        assertThat(rule.get("from_port")).isEqualTo("var.orchestrator_port");
        assertThat(rule.get("to_port")).isEqualTo("var.orchestrator_port");
        assertThat(rule.get("referenced_security_group_id")).isEqualTo("aws_security_group.nlb.id");
    }

    @Test
    void testOrchestratorEnvironmentUsesOnlyKnownKeysAndTheSamePrefix()
    {
        String prefix = AwsConfig.DEFAULTS.ssmPrefix();
        String variables = read(EXAMPLE.resolve("variables.tf"));
        assertThat(unquote(variableDefault(variables, "ssm_prefix"))).isEqualTo(prefix);
        assertThat(unquote(variableDefault(read(MODULES.resolve("orchestrator-iam/variables.tf")), "ssm_prefix"))).isEqualTo(prefix);
        assertThat(unquote(variableDefault(read(MODULES.resolve("ssm-parameters/variables.tf")), "ssm_prefix"))).isEqualTo(prefix);
        String main = read(EXAMPLE.resolve("main.tf"));
        assertThat(attributes(block(main, "module \"ssm\"")).get("ssm_prefix")).isEqualTo("var.ssm_prefix");
        assertThat(attributes(block(main, "module \"orchestrator_iam\"")).get("ssm_prefix")).isEqualTo("var.ssm_prefix");
        String ssmOutputs = read(MODULES.resolve("ssm-parameters/outputs.tf"));
        assertThat(attributes(block(ssmOutputs, "output \"auth_ssm_path\"")).get("value")).isEqualTo("\"${local.own}/auth\"");
        assertThat(attributes(block(read(MODULES.resolve("ssm-parameters/main.tf")), "locals")).get("own"))
                .isEqualTo("\"${var.ssm_prefix}/_orchestrator\"");

        // Resolve the example's orchestrator_environment and load it with the orchestrator's own
        // ConfigLoader, which rejects an unknown key or a value that does not parse.
        Map<String, String> environment = terraformOrchestratorEnvironment();
        OrchestratorConfig config = ConfigLoader.load(Optional.empty(), environment);
        assertThat(config.http().port()).isEqualTo(HttpConfig.DEFAULTS.port());
        assertThat(config.aws().enabled()).isTrue();
        assertThat(config.aws().ssmPrefix()).isEqualTo(prefix);
        assertThat(config.auth().ssmPath()).contains(prefix + "/_orchestrator/auth");
    }

    @Test
    void testTraefikEntryPointsAreTheLoadBalancerTargets()
    {
        JsonNode job = systemJob("traefik").get("Job");
        assertThat(job.get("Type").asText()).as("one Traefik on every system node: every NLB target").isEqualTo("system");
        JsonNode group = job.get("TaskGroups").get(0);
        Map<String, Integer> ports = reservedPorts(group);
        JsonNode config = yaml(taskTemplate(group, "secrets/traefik.yml"));
        JsonNode entryPoints = config.get("entryPoints");
        int web = portOf(entryPoints.get("web").get("address").asText());
        int ping = portOf(entryPoints.get(config.get("ping").get("entryPoint").asText()).get("address").asText());
        assertThat(ports).containsEntry("web", web).containsEntry("ping", ping);

        for (Path variables : List.of(MODULES.resolve("nlb/variables.tf"), MODULES.resolve("network/variables.tf"))) {
            String text = read(variables);
            assertThat(variableDefault(text, "traefik_port")).as("traefik_port in %s vs entry point web", ROOT.relativize(variables)).isEqualTo(String.valueOf(web));
            assertThat(variableDefault(text, "traefik_ping_port")).as("traefik_ping_port in %s vs entry point ping", ROOT.relativize(variables)).isEqualTo(String.valueOf(ping));
        }
        String main = read(EXAMPLE.resolve("main.tf"));
        for (String module : List.of("module \"nlb\"", "module \"network\"")) {
            assertThat(attributes(block(main, module))).as("%s keeps the module's Traefik ports", module).doesNotContainKeys("traefik_port", "traefik_ping_port");
        }
        String nlb = read(MODULES.resolve("nlb/main.tf"));
        String targetGroup = block(nlb, "resource \"aws_lb_target_group\" \"traefik\"");
        assertThat(attributes(targetGroup).get("port")).isEqualTo("var.traefik_port");
        Map<String, String> healthCheck = attributes(block(targetGroup, "health_check"));
        assertThat(healthCheck.get("port")).isEqualTo("tostring(var.traefik_ping_port)");
        JsonNode check = group.get("Services").get(0).get("Checks").get(0);
        assertThat(check.get("PortLabel").asText()).isEqualTo("ping");
        assertThat(healthCheck.get("path")).as("NLB and Nomad check the same ping endpoint").isEqualTo(quoted(check.get("Path").asText()));
        assertThat(attributes(block(nlb, "resource \"aws_lb_listener\" \"traefik\"")).get("port")).isEqualTo("80");

        // Clusters are routed on entry point "web"; whatever entry points the cluster job's router tags
        // name must exist.
        assertThat(entryPoints.has("web")).isTrue();
        JsonNode cluster = prodClusterJob().get("Job");
        Pattern routerEntryPoints = Pattern.compile("traefik\\.http\\.routers\\.[^.]+\\.entrypoints=(.+)");
        for (JsonNode clusterGroup : cluster.get("TaskGroups")) {
            for (JsonNode tag : clusterGroup.get("Services").get(0).get("Tags")) {
                Matcher matcher = routerEntryPoints.matcher(tag.asText());
                if (matcher.matches()) {
                    for (String name : matcher.group(1).split(",")) {
                        assertThat(entryPoints.has(name.strip())).as("entry point '%s' of cluster tag %s is defined in Traefik", name, tag).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void testPrometheusFindsCoordinatorsAndOrchestratorTheWayTheyRegister()
    {
        JsonNode prometheus = systemJob("prometheus").get("Job").get("TaskGroups").get(0);
        Map<String, JsonNode> scrapeJobs = new LinkedHashMap<>();
        yaml(taskTemplate(prometheus, "secrets/prometheus.yml")).get("scrape_configs").forEach(job -> scrapeJobs.put(job.get("job_name").asText(), job));

        JsonNode trino = scrapeJobs.get("trino-coordinators");
        List<String> sdTags = new ArrayList<>();
        trino.get("consul_sd_configs").get(0).get("tags").forEach(tag -> sdTags.add(tag.asText()));
        assertThat(sdTags).isNotEmpty();
        Set<String> metaKeys = new TreeSet<>();
        trino.get("relabel_configs").forEach(rule -> rule.path("source_labels").forEach(label -> {
            if (label.asText().startsWith("__meta_consul_service_metadata_")) {
                metaKeys.add(label.asText().substring("__meta_consul_service_metadata_".length()));
            }
        }));
        assertThat(metaKeys).contains("cluster");

        JsonNode cluster = prodClusterJob().get("Job");
        for (JsonNode group : cluster.get("TaskGroups")) {
            JsonNode service = group.get("Services").get(0);
            List<String> tags = new ArrayList<>();
            service.get("Tags").forEach(tag -> tags.add(tag.asText()));
            if (group.get("Name").asText().equals("coordinator")) {
                assertThat(tags).as("coordinator service tags (trino-cluster.json.ftl) vs Prometheus consul_sd tags").containsAll(sdTags);
                for (String key : metaKeys) {
                    assertThat(service.get("Meta").has(key)).as("coordinator service Meta has '%s' (Prometheus relabels it)", key).isTrue();
                }
                assertThat(service.get("Meta").get("cluster").asText()).isEqualTo("adhoc");
            }
            else {
                assertThat(tags).as("%s must not be scraped as a coordinator", group.get("Name").asText()).doesNotContainAnyElementsOf(sdTags);
            }
        }

        JsonNode orchestrator = systemJob("presto-orchestrator").get("Job").get("TaskGroups").get(0).get("Services").get(0);
        assertThat(scrapeJobs.get("presto-orchestrator").get("consul_sd_configs").get(0).get("services"))
                .extracting(JsonNode::asText).containsExactly(orchestrator.get("Name").asText());
        assertThat(scrapeJobs.get("presto-orchestrator").get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(read(ROOT.resolve("orchestrator/src/main/resources/openapi.yaml"))).contains("\n  /metrics:");
    }

    @Test
    void testAutoscalerPoliciesNameTheWorkerPoolsTerraformCreates()
    {
        String variables = read(EXAMPLE.resolve("variables.tf"));
        String main = read(EXAMPLE.resolve("main.tf"));
        Map<String, String> locals = attributes(block(main, "locals"));
        assertThat(locals.get("name")).isEqualTo("\"${var.environment}-presto\"");
        assertThat(locals.get("asg_name_prefix")).isEqualTo("\"${local.name}-pool-\"");
        String environment = unquote(variableDefault(variables, "environment"));
        String asgNamePrefix = environment + "-presto-pool-";
        Map<String, String> pool = attributes(block(main, "module \"worker_pool\""));
        assertThat(pool.get("name")).isEqualTo("\"${local.asg_name_prefix}${each.key}\"");
        String nodePool = unquote(pool.get("node_pool"));
        assertThat(read(ROOT.resolve("packer/files/scripts/node-configure"))).contains("node_class = \"$NODE_POOL-$CLUSTER\"");
        String clusters = block(variables, "variable \"clusters\"");
        long drainBound = Math.max(Long.parseLong(variableDefault(variables, "drain_timeout_seconds")),
                Long.parseLong(variableDefault(read(MODULES.resolve("worker-pool/variables.tf")), "drain_timeout_seconds")));

        Map<String, Object> vars = systemVars();
        @SuppressWarnings("unchecked")
        Map<String, Object> autoscaler = (Map<String, Object>) vars.get("nomad_autoscaler");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pools = (List<Map<String, Object>>) autoscaler.get("pools");
        assertThat(pools).isNotEmpty();
        JsonNode task = systemJob("nomad-autoscaler").get("Job").get("TaskGroups").get(0).get("Tasks").get(0);
        for (Map<String, Object> entry : pools) {
            String cluster = String.valueOf(entry.get("cluster"));
            assertThat(entry.get("asg_name")).as("ASG of pool %s", cluster).isEqualTo(asgNamePrefix + cluster);
            assertThat(entry.get("node_class")).as("node_class of pool %s", cluster).isEqualTo(nodePool + "-" + cluster);
            Map<String, String> sizes = attributes(block(clusters, cluster));
            assertThat(String.valueOf(entry.get("min"))).as("min of pool %s vs clusters.%s.min_size", cluster, cluster).isEqualTo(sizes.get("min_size"));
            assertThat(String.valueOf(entry.get("max"))).as("max of pool %s vs clusters.%s.max_size", cluster, cluster).isEqualTo(sizes.get("max_size"));

            String policy = taskTemplate(task, "local/policies/" + cluster + ".hcl");
            assertThat(hclString(policy, "aws_asg_name")).isEqualTo(entry.get("asg_name"));
            assertThat(hclString(policy, "node_class")).isEqualTo(entry.get("node_class"));
            assertThat(seconds(hclString(policy, "node_drain_deadline")))
                    .as("aws-asg scale-in drains with node_drain_deadline: at least the drain bound, or Trino workers are killed mid-query")
                    .isGreaterThanOrEqualTo(drainBound);
        }
        String agent = taskTemplate(task, "local/config/agent.hcl");
        assertThat(hclString(agent, "aws_region")).isEqualTo(unquote(variableDefault(variables, "region")));

        // The aws-asg target's Auto Scaling calls (nomad-autoscaler 0.5.0) are allowed, only on the pools' ASGs.
        String policy = read(MODULES.resolve("autoscaler-iam/main.tf"));
        assertThat(policyActions(policy)).containsExactlyInAnyOrder(
                "autoscaling:UpdateAutoScalingGroup", "autoscaling:TerminateInstanceInAutoScalingGroup", "autoscaling:CreateOrUpdateTags",
                "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeInstanceRefreshes");
        assertThat(statement(policy, "ScaleWorkerPools").get("resources")).isEqualTo("[local.asgs]");
        assertThat(attributes(block(policy, "locals")).get("asgs")).endsWith(":autoScalingGroup:*:autoScalingGroupName/${var.asg_name_prefix}*\"");
        assertThat(attributes(block(main, "module \"autoscaler_iam\"")).get("asg_name_prefix")).isEqualTo("local.asg_name_prefix");
        assertThat(attributes(block(main, "module \"system_pool\"")).get("extra_policy_arns")).contains("module.autoscaler_iam.policy_arn");
    }

    @Test
    void testOrchestratorJobRunsWithTheEnvironmentTerraformExpects()
    {
        JsonNode job = systemJob("presto-orchestrator").get("Job");
        JsonNode group = job.get("TaskGroups").get(0);
        Map<String, String> environment = envFile(taskTemplate(group.get("Tasks").get(0), "local/orchestrator.env"));
        terraformOrchestratorEnvironment().forEach((key, value) ->
                assertThat(environment.get(key)).as("%s: job-templates/system vs terraform output orchestrator_environment", key).isEqualTo(value));
        OrchestratorConfig config = ConfigLoader.load(Optional.empty(), environment);
        int port = config.http().port();
        assertThat(port).isEqualTo(HttpConfig.DEFAULTS.port());
        assertThat(reservedPorts(group)).containsExactly(Map.entry("http", port), Map.entry("scale-front", config.autoscaling().scaleFrontPort()));
        // the service the nomad-autoscaler job's agent configuration looks the scale front up by
        assertThat(group.get("Services").get(1).get("Name").asText()).isEqualTo("presto-orchestrator-scale-front");
        assertThat(group.get("Services").get(1).get("PortLabel").asText()).isEqualTo("scale-front");
        assertThat(taskTemplate(systemJob("nomad-autoscaler").get("Job").get("TaskGroups").get(0).get("Tasks").get(0), "local/config/agent.hcl"))
                .contains("{{ with service \"presto-orchestrator-scale-front\" }}");
        assertThat(config.auth().ssmPath()).contains(AwsConfig.DEFAULTS.ssmPrefix() + "/_orchestrator/auth");

        JsonNode service = group.get("Services").get(0);
        assertThat(service.get("Name").asText()).isEqualTo("presto-orchestrator");
        assertThat(service.get("PortLabel").asText()).isEqualTo("http");
        String openapi = read(ROOT.resolve("orchestrator/src/main/resources/openapi.yaml"));
        Set<String> checkPaths = new TreeSet<>();
        service.get("Checks").forEach(check -> checkPaths.add(check.get("Path").asText()));
        assertThat(checkPaths).containsExactly("/health/live", "/health/ready");
        checkPaths.forEach(path -> assertThat(openapi).contains("\n  " + path + ":"));
        assertThat(quoted("/health/ready")).isEqualTo(variableDefault(read(MODULES.resolve("nlb/variables.tf")), "orchestrator_health_path"));

        int count = group.get("Count").asInt();
        Map<String, String> systemPool = attributes(block(read(EXAMPLE.resolve("main.tf")), "module \"system_pool\""));
        assertThat(Long.parseLong(systemPool.get("min_size"))).as("distinct_hosts: the system pool must have a node per replica").isGreaterThanOrEqualTo(count);
    }

    @Test
    void testSystemJobsRunOnTheSystemPoolWithinTheKillTimeoutBound()
    {
        String main = read(EXAMPLE.resolve("main.tf"));
        String nodePool = unquote(attributes(block(main, "module \"system_pool\"")).get("node_pool"));
        String environment = unquote(variableDefault(read(EXAMPLE.resolve("variables.tf")), "environment"));
        List<String> datacenters = new ArrayList<>();
        Matcher zones = Pattern.compile("\"([a-z0-9-]+)\"").matcher(variableDefault(read(EXAMPLE.resolve("variables.tf")), "availability_zones"));
        while (zones.find()) {
            datacenters.add(environment + "-" + zones.group(1));
        }
        assertThat(datacenters).isNotEmpty();
        SystemJobRenderer renderer = new SystemJobRenderer(ROOT.resolve("job-templates"));
        assertThat(renderer.jobNames()).containsExactlyInAnyOrder("traefik", "nomad-autoscaler", "prometheus", "presto-orchestrator");
        for (String name : renderer.jobNames()) {
            JsonNode job = systemJob(name).get("Job");
            assertThat(job.get("NodePool").asText()).as(name).isEqualTo(nodePool);
            assertThat(job.get("Datacenters")).extracting(JsonNode::asText).as("%s: Nomad datacenters <environment>-<az>", name).isEqualTo(datacenters);
            for (JsonNode task : job.get("TaskGroups").get(0).get("Tasks")) {
                assertThat(Duration.ofNanos(task.get("KillTimeout").asLong())).as("%s: kill timeout above max_kill_timeout is capped", name)
                        .isLessThanOrEqualTo(nomadMaxKillTimeout());
            }
        }
    }

    // --- the orchestrator's AWS calls -------------------------------------------------------------

    /** IAM actions of every AWS SDK client operation the main code calls, from its bytecode. */
    static Set<String> awsActionsCalledByMainCode()
    {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.prestoorchestrator");
        Set<String> actions = new TreeSet<>();
        classes.forEach(javaClass -> {
            for (JavaMethodCall call : javaClass.getMethodCallsFromSelf()) {
                String owner = call.getTargetOwner().getName();
                Matcher service = Pattern.compile("software\\.amazon\\.awssdk\\.services\\.([a-z0-9]+)\\.[A-Za-z0-9]+Client").matcher(owner);
                if (!service.matches() || !isOperation(call)) {
                    continue;
                }
                String prefix = IAM_PREFIXES.get(service.group(1));
                assertThat(prefix).as("IAM prefix for AWS SDK service '%s' (called in %s); add it to IAM_PREFIXES", service.group(1), javaClass.getName()).isNotNull();
                String method = call.getName().replaceFirst("Paginator$", "");
                actions.add(prefix + ":" + Character.toUpperCase(method.charAt(0)) + method.substring(1));
            }
        });
        return actions;
    }

    /** An operation takes a request (or a consumer of its builder); close(), serviceName() and the like do not. */
    private static boolean isOperation(JavaMethodCall call)
    {
        var parameters = call.getTarget().getRawParameterTypes();
        return parameters.size() == 1
                && (parameters.get(0).getName().endsWith("Request") || parameters.get(0).getName().equals("java.util.function.Consumer"));
    }

    static Set<String> policyActions(String policy)
    {
        Set<String> actions = new TreeSet<>();
        Matcher list = Pattern.compile("actions\\s*=\\s*\\[([^\\]]*)\\]").matcher(policy);
        while (list.find()) {
            Matcher action = Pattern.compile("\"([^\"]+)\"").matcher(list.group(1));
            while (action.find()) {
                actions.add(action.group(1));
            }
        }
        assertThat(actions).as("actions found in the policy").isNotEmpty();
        return actions;
    }

    private static Map<String, String> statement(String policy, String sid)
    {
        String rest = policy;
        int at;
        while ((at = rest.indexOf("statement {")) >= 0) {
            String body = block(rest.substring(at), "statement");
            Map<String, String> attributes = attributes(body);
            if (quoted(sid).equals(attributes.get("sid"))) {
                return attributes;
            }
            rest = rest.substring(at + body.length());
        }
        throw new AssertionError("no policy statement with sid " + sid);
    }

    // --- small HCL reading helpers ----------------------------------------------------------------
    // Not a parser (FACTS.md: no faithful HCL parser in Java); enough for files hclfmt keeps in
    // canonical form. Anything not found is an assertion failure, never a silent pass.

    /** The body (between the braces) of the first block whose header starts with {@code header}. */
    static String block(String text, String header)
    {
        Matcher start = Pattern.compile("(?m)^\\s*" + Pattern.quote(header) + "[^\\n{]*\\{").matcher(text);
        if (!start.find()) {
            throw new AssertionError("block '" + header + "' not found");
        }
        int depth = 1;
        boolean inString = false;
        for (int i = start.end(); i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                }
                else if (c == '"') {
                    inString = false;
                }
            }
            else if (c == '"') {
                inString = true;
            }
            else if (c == '#') {
                i = text.indexOf('\n', i);
                if (i < 0) {
                    break;
                }
            }
            else if (c == '{') {
                depth++;
            }
            else if (c == '}' && --depth == 0) {
                return text.substring(start.end(), i);
            }
        }
        throw new AssertionError("block '" + header + "' is not closed");
    }

    /** Top-level {@code name = expression} lines of a block body (one-line expressions; nested blocks skipped). */
    static Map<String, String> attributes(String body)
    {
        Map<String, String> attributes = new LinkedHashMap<>();
        int depth = 0;
        for (String line : body.split("\n")) {
            String trimmed = line.strip();
            if (depth == 0) {
                Matcher attribute = Pattern.compile("^\"?([A-Za-z0-9_.-]+)\"?\\s*=\\s*(.+)$").matcher(trimmed);
                if (attribute.matches() && !attribute.group(2).endsWith("{") && !attribute.group(2).endsWith("[") && !attribute.group(2).endsWith("(")) {
                    attributes.put(attribute.group(1), attribute.group(2).strip());
                }
            }
            depth += count(trimmed, '{') + count(trimmed, '[') + count(trimmed, '(') - count(trimmed, '}') - count(trimmed, ']') - count(trimmed, ')');
        }
        return attributes;
    }

    private static int count(String line, char c)
    {
        String code = line.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        int hash = code.indexOf('#');
        if (hash >= 0) {
            code = code.substring(0, hash);
        }
        return (int) code.chars().filter(ch -> ch == c).count();
    }

    static String variableDefault(String variables, String name)
    {
        String value = attributes(block(variables, "variable \"" + name + "\"")).get("default");
        if (value == null) {
            throw new AssertionError("variable '" + name + "' has no one-line default");
        }
        return value;
    }

    private static Duration nomadMaxKillTimeout()
    {
        String client = block(read(ROOT.resolve("packer/files/nomad/client.hcl")), "client");
        String value = unquote(requireNonNull(attributes(client).get("max_kill_timeout"), "max_kill_timeout in packer/files/nomad/client.hcl"));
        Matcher duration = Pattern.compile("(\\d+)(s|m|h)").matcher(value);
        assertThat(duration.matches()).as("max_kill_timeout '%s' as <n>s|m|h", value).isTrue();
        long amount = Long.parseLong(duration.group(1));
        return switch (duration.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static String resolve(String expression, String variables, Map<String, String> standIns)
    {
        if (expression.startsWith("\"")) {
            return unquote(expression);
        }
        Matcher variable = Pattern.compile("(?:tostring\\()?var\\.([a-z_]+)\\)?").matcher(expression);
        if (variable.matches()) {
            return unquote(variableDefault(variables, variable.group(1)));
        }
        String standIn = standIns.get(expression);
        assertThat(standIn).as("a stand-in value for expression '%s' in orchestrator_environment", expression).isNotNull();
        return standIn;
    }

    private static String yamlScalar(String yaml, String key)
    {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s*(\\S+)\\s*$").matcher(yaml);
        if (!matcher.find()) {
            throw new AssertionError("key '" + key + "' not found in the variable file");
        }
        return unquote(matcher.group(1));
    }

    private static Set<String> grepMainSources(Pattern pattern)
    {
        Set<String> found = new TreeSet<>();
        try (var files = Files.walk(ROOT.resolve("orchestrator/src/main/java"))) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
                Matcher matcher = pattern.matcher(read(file));
                while (matcher.find()) {
                    found.add(matcher.group());
                }
            });
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static String quoted(String value)
    {
        return "\"" + value + "\"";
    }

    private static String unquote(String value)
    {
        requireNonNull(value, "value is null");
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private static String read(Path file)
    {
        try {
            return Files.readString(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT.relativize(file.toAbsolutePath()), e);
        }
    }

    // --- job templates -----------------------------------------------------------------------------

    private static ObjectNode systemJob(String name)
    {
        SystemJobRenderer renderer = new SystemJobRenderer(ROOT.resolve("job-templates"));
        return renderer.render(name, renderer.variableFile("prod"), Map.of());
    }

    private static Map<String, Object> systemVars()
    {
        try {
            return YAML.readValue(ROOT.resolve("job-templates/system/vars/prod.yaml").toFile(), new TypeReference<Map<String, Object>>() {});
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster job as production renders it (vars/prod.yaml), for a cluster "adhoc" with the tpch catalog. */
    private static ObjectNode prodClusterJob()
    {
        ClusterSpec base = TestingClusterSpecs.prod();
        ClusterSpec spec = new ClusterSpec(base.name(), base.flavour(), base.version(), base.image(), "prod", base.coordinator(), base.workers(),
                base.workerResources(), base.jvm(), base.queryMemory(), List.of("tpch"), base.properties(), false, base.labels());
        RenderInputs inputs = new RenderInputs(List.of(new CatalogDefinition("tpch", "tpch", Map.of(), Map.of())), List.of(), List.of(), "test", "test", Map.of(), Optional.empty());
        return new JobRenderer(ROOT.resolve("job-templates")).render(spec, inputs).job();
    }

    private static String taskTemplate(JsonNode groupOrTask, String destination)
    {
        JsonNode task = groupOrTask.has("Tasks") ? groupOrTask.get("Tasks").get(0) : groupOrTask;
        for (JsonNode template : task.get("Templates")) {
            if (template.get("DestPath").asText().equals(destination)) {
                return template.get("EmbeddedTmpl").asText();
            }
        }
        throw new AssertionError("no task template " + destination + " in task " + task.get("Name"));
    }

    private static Map<String, Integer> reservedPorts(JsonNode group)
    {
        Map<String, Integer> ports = new LinkedHashMap<>();
        group.get("Networks").get(0).get("ReservedPorts").forEach(port -> ports.put(port.get("Label").asText(), port.get("Value").asInt()));
        return ports;
    }

    private static int portOf(String address)
    {
        Matcher matcher = Pattern.compile("^[^:]*:(\\d+)$").matcher(address);
        assertThat(matcher.matches()).as("entry point address '%s'", address).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static JsonNode yaml(String text)
    {
        try {
            return YAML.readTree(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> envFile(String text)
    {
        Map<String, String> environment = new TreeMap<>();
        text.lines().filter(line -> !line.isBlank()).forEach(line -> {
            int equals = line.indexOf('=');
            assertThat(equals).as("env file line '%s'", line).isPositive();
            environment.put(line.substring(0, equals), line.substring(equals + 1));
        });
        return environment;
    }

    /** The value of the first {@code name = "value"} line of an HCL file. */
    private static String hclString(String hcl, String name)
    {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*=\\s*\"([^\"]*)\"\\s*$").matcher(hcl);
        if (!matcher.find()) {
            throw new AssertionError("'" + name + " = \"...\"' not found in\n" + hcl);
        }
        return matcher.group(1);
    }

    private static long seconds(String duration)
    {
        Matcher matcher = Pattern.compile("(\\d+)s").matcher(duration);
        assertThat(matcher.matches()).as("duration '%s' in seconds", duration).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** The example's orchestrator_environment output, its variables at their defaults. */
    private static Map<String, String> terraformOrchestratorEnvironment()
    {
        String prefix = AwsConfig.DEFAULTS.ssmPrefix();
        String variables = read(EXAMPLE.resolve("variables.tf"));
        Map<String, String> standIns = Map.of("module.ssm.auth_ssm_path", prefix + "/_orchestrator/auth");
        String outputs = read(EXAMPLE.resolve("outputs.tf"));
        Map<String, String> expressions = attributes(block(block(outputs, "output \"orchestrator_environment\""), "value ="));
        assertThat(expressions).isNotEmpty();
        Map<String, String> environment = new TreeMap<>();
        expressions.forEach((key, expression) -> environment.put(key, resolve(expression, variables, standIns)));
        return environment;
    }

    private static Path repositoryRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isDirectory(dir.resolve("terraform")) && Files.isDirectory(dir.resolve("packer")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root (with terraform/ and packer/) not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

}
