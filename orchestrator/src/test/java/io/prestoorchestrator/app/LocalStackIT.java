package io.prestoorchestrator.app;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.testing.ConsoleUi;
import io.prestoorchestrator.testing.NomadUi;
import io.prestoorchestrator.testing.QueryLoad;
import io.prestoorchestrator.testing.TrinoCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's main command, run as a user would: {@code scripts/run-local.sh} brings up the real
 * local stack (simulators, moto, Traefik, Prometheus, the orchestrator jar); Prometheus has the demo
 * cluster's autoscaling signal from the orchestrator and scrapes the demo coordinator it finds through
 * the orchestrator's {@code GET /v1/prometheus/targets}; {@code /health/ready}
 * lists every dependency as up; stopping the Consul simulator turns it to 503 naming Consul;
 * {@code scripts/terminate-local-instance.sh} drains a terminating instance's worker through the
 * Auto Scaling lifecycle hook (moto + the lifecycle stand-in) without failing a query;
 * {@code scripts/stop-local.sh} leaves none of the recorded processes running. Runs on its own
 * state dir and ports (PORT_OFFSET) so it does not touch a developer's stack.
 *
 * <p>One stack for the family: it is started once (the README's command) and each test looks at
 * it from another side, in order, the one that stops a part of it last. Starting it takes minutes
 * (real Nomad, three Trino processes), so the console and Nomad UI tests use this stack rather than
 * their own; the console test resizes the demo and back, so the Nomad UI test after it finds the
 * demo as run-local.sh left it (two workers, no deployment running).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT
{
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final String DEMO_JOB = "trino-demo";
    private static Path localDir;
    private static Map<String, String> environment;
    private static Result firstRun;

    @BeforeAll
    static void startStack()
            throws IOException, InterruptedException
    {
        localDir = Files.createTempDirectory("local-stack-it");
        environment = Map.of("LOCAL_DIR", localDir.toString(), "PORT_OFFSET", "21000", "SKIP_BUILD", "1");
        firstRun = run("scripts/run-local.sh");
    }

    @AfterAll
    static void stopStack()
            throws Exception
    {
        List<Long> pids = recordedPids();
        Result stop = run("scripts/stop-local.sh");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %s still alive after stop-local.sh", pid).isFalse();
        }
    }

    @Test
    @Order(1)
    void testRunLocalBringsUpAHealthyStack()
            throws Exception
    {
        assertThat(firstRun.exitCode()).as(firstRun.output()).isZero();
        assertThat(firstRun.output()).contains("Local stack is up");

        Map<String, String> env = readEnv(localDir.resolve("env"));
        assertThat(env).containsKeys("ORCHESTRATOR_URL", "ORCHESTRATOR_TOKEN", "TRAEFIK_URL", "NOMAD_ADDR", "CONSUL_HTTP_ADDR", "AWS_ENDPOINT_URL",
                "TRINO_CLI_JAR", "DEMO_COORDINATOR_URL", "DEMO_URL");
        String orchestrator = env.get("ORCHESTRATOR_URL");

        HttpResponse<String> ready = get(orchestrator + "/health/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        Map<String, String> states = checkStates(ready.body());
        assertThat(states).containsEntry("nomad", "UP").containsEntry("consul", "UP").containsEntry("aws-ssm", "UP").containsEntry("aws-autoscaling", "UP")
                .containsEntry("aws-sqs", "UP");

        HttpResponse<String> info = get(orchestrator + "/v1/info", env.get("ORCHESTRATOR_TOKEN"));
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(info.body()).getString("principal")).isEqualTo("local-admin");
        assertThat(get(orchestrator + "/v1/info", null).statusCode()).isEqualTo(401);

        // the demo cluster answers the Trino CLI through Traefik at its public URL, as the README says
        String traefikPort = env.get("TRAEFIK_URL").substring(env.get("TRAEFIK_URL").lastIndexOf(':') + 1);
        assertThat(env.get("DEMO_URL")).isEqualTo("http://demo.trino.localhost:" + traefikPort);
        TrinoCli.Result answer = TrinoCli.execute(env.get("TRINO_CLI_JAR"), env.get("DEMO_URL"), "local-stack-it", "SELECT count(*) FROM tpch.sf1.lineitem",
                List.of("--http-proxy", "127.0.0.1:" + traefikPort));
        assertThat(answer.exitCode()).as(answer.output()).isZero();
        assertThat(answer.output()).endsWith("\"6001215\"");
        assertThat(env.get("DEMO_COORDINATOR_URL")).startsWith("http://127.0.0.1:");

        // the local Prometheus scrapes the orchestrator (a static target), so the demo cluster's autoscaling
        // signal is queryable there, as nomad-autoscaler queries it; and the demo coordinator, found in
        // Consul through the orchestrator's HTTP service discovery (Debian's build has no consul_sd),
        // labelled with its cluster as production's consul_sd job labels it
        String prometheus = env.get("PROMETHEUS_URL");
        String coordinator = env.get("DEMO_COORDINATOR_URL").substring("http://".length());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(promValues(prometheus, "up{job=\"presto-orchestrator\"}")).containsExactly("1");
            assertThat(promValues(prometheus, "presto_orchestrator_cluster_workers_needed{job=\"presto-orchestrator\",cluster=\"demo\"}")).hasSize(1);
            assertThat(promValues(prometheus, "up{job=\"trino-coordinators\",cluster=\"demo\",role=\"coordinator\",instance=\"" + coordinator + "\"}")).containsExactly("1");
            assertThat(promValues(prometheus, CoordinatorMetrics.QUEUED + "{job=\"trino-coordinators\",cluster=\"demo\"}")).hasSize(1);
        });

        List<Long> pidsBefore = recordedPids();
        Result second = run("scripts/run-local.sh");
        assertThat(second.exitCode()).as(second.output()).isZero();
        // every component says so: consul-sim, the Nomad server and its 3 clients, moto, the lifecycle stand-in, traefik, prometheus,
        // nomad-autoscaler, orchestrator
        assertThat(second.output().split("already running", -1)).hasSize(12);
        assertThat(recordedPids()).isEqualTo(pidsBefore);
    }

    /**
     * Issue 22: the web console at {@code <orchestrator>/ui/} in headless Chromium, as an operator
     * uses it: logs in with the stack's admin token, sees the demo cluster routable with its two
     * workers, opens it (workers ACTIVE with their node, the signal's chart populated from the last
     * polls), resizes it 2 -> 3, then 3 -> 2 after a confirmation that says a worker drains first,
     * and watches the drain: the new worker DRAINING in the workers table, then drain-started and
     * worker-drained in the timeline, the operation's steps to its end. Nomad stops the highest
     * index, so the two workers run-local.sh started are left, routable, as the Nomad UI test after
     * this one expects them. A create with a bad name shows the API's field error next to the
     * field. Screenshots of each page at 1280 and 800 px: {@code target/console/}.
     */
    @Test
    @Order(2)
    void testConsoleShowsTheDemoClusterAndDrainsAWorkerOnResize()
            throws Exception
    {
        Map<String, String> env = stackEnv();
        String orchestrator = env.get("ORCHESTRATOR_URL");
        Path screenshots = Path.of("target", "console");
        try (ConsoleUi ui = ConsoleUi.open(orchestrator)) {
            ui.login(env.get("ORCHESTRATOR_TOKEN"));
            assertThat(ui.text("#principal")).isEqualTo("local-admin");
            assertThat(ui.text("#role")).isEqualTo("admin");

            ui.until(driver -> "true".equals(ui.attribute("#clusters tr[data-cluster=demo] td.routable", "data-routable")) ? true : null);
            assertThat(ui.awaitText("#clusters tr[data-cluster=demo] td.workers", "2 of 2 active")).contains("(min ");
            assertThat(ui.text("#clusters tr[data-cluster=demo] td.state")).isEqualTo("running");
            shoot(ui, screenshots, "clusters");

            ui.click("#clusters tr[data-cluster=demo] th a");
            assertThat(ui.attribute("#public-url", "href")).isEqualTo(env.get("DEMO_URL"));
            assertThat(ui.property("#cli-command", "value")).isEqualTo("trino --server " + env.get("DEMO_URL") + " --http-proxy 127.0.0.1:"
                    + env.get("DEMO_URL").substring(env.get("DEMO_URL").lastIndexOf(':') + 1));
            ui.until(driver -> ui.texts("#workers tbody tr[data-trino-state=ACTIVE]").size() == 2 ? true : null);
            assertThat(ui.texts("#workers tbody td:nth-of-type(2)")).allSatisfy(node -> assertThat(node).isNotBlank());
            // the orchestrator has polled the demo coordinator since it started: the chart has those points
            ui.until(driver -> Integer.parseInt(ui.attribute("#signal-chart", "data-available")) >= 3 ? true : null);
            assertThat(ui.attribute("#signal-chart", "aria-label")).contains("2 active");
            shoot(ui, screenshots, "cluster");

            List<String> original = ui.until(driver -> {
                List<String> allocations = allocationsShown(ui);
                return allocations.size() == 2 ? allocations : null;
            });

            // out to 3, then back to 2: Nomad stops the highest index, the new worker, so the two workers
            // run-local.sh started are the ones the Nomad UI test finds after this one
            resize(ui, 3, "Resize demo 2 -> 3: one new worker starts");
            ui.until(driver -> ui.texts("#workers tbody tr[data-trino-state=ACTIVE]").size() == 3 ? true : null, Duration.ofMinutes(4));
            ui.awaitText("#operation-head", "succeeded");

            ui.until(driver -> ui.script("return document.getElementById('resize-submit').disabled").equals(false) ? true : null);
            ui.type("#resize-count", "2");
            ui.click("#resize-submit");
            assertThat(ui.text("#confirm-body")).contains("Resize demo 3 -> 2: one worker drains first");
            System.out.println("Console resize confirmation: " + ui.screenshot(screenshots, "confirm-resize-1280"));
            ui.click("#confirm-ok");
            ui.awaitText("#status", "Resize demo 3 -> 2: accepted");

            // the drain, as the page shows it: the worker DRAINING (the local grace period is 30 s), then the timeline
            ui.until(driver -> ui.present("#workers tbody tr[data-trino-state=DRAINING]") ? true : null, Duration.ofMinutes(2));
            assertThat(ui.text("#workers tbody tr[data-trino-state=DRAINING] th")).isEqualTo("workers[2]");
            ui.awaitText("#events li[data-type=drain-started]", "Draining worker workers[2]");
            shoot(ui, screenshots, "cluster-draining");
            ui.until(driver -> ui.present("#events li[data-type=worker-drained]") ? true : null, Duration.ofMinutes(3));
            assertThat(ui.awaitText("#operation-head", "succeeded")).contains("asked by local-admin");
            assertThat(ui.texts("#operation-steps li")).isNotEmpty();
            ui.until(driver -> allocationsShown(ui).equals(original) ? true : null, Duration.ofMinutes(1));
            ui.type("#events-text", "drain");
            assertThat(ui.texts("#events li")).isNotEmpty().allSatisfy(event -> assertThat(event.toLowerCase(java.util.Locale.ROOT)).contains("drain"));
            shoot(ui, screenshots, "cluster-drained");
            ui.type("#events-text", "");
            ui.until(driver -> "true".equals(ui.attribute("#cluster-routable", "data-routable")) ? true : null, Duration.ofMinutes(2));

            ui.go("#/create");
            ui.type("#create-name", "Bad_Name");
            ui.click("#create-submit");
            ui.click("#confirm-ok");
            assertThat(ui.awaitText("#create-name-error", "Bad_Name")).contains("DNS label");
            assertThat(ui.attribute("#create-name", "aria-invalid")).isEqualTo("true");
            shoot(ui, screenshots, "create-error");

            ui.go("#/catalogs");
            assertThat(ui.awaitText("#catalogs tr[data-catalog=tpch]", "demo")).contains("tpch");
            shoot(ui, screenshots, "catalogs");

            List<String> errors = ui.severeLogs().stream()
                    .filter(message -> !message.matches(".*the server responded with a status of 400.*"))
                    .toList();
            assertThat(errors).as("errors the page logged").isEmpty();
        }
        JsonObject demo = new JsonObject(get(orchestrator + "/v1/clusters/demo", env.get("ORCHESTRATOR_TOKEN")).body());
        assertThat(demo.getJsonObject("spec").getJsonObject("workers").getInteger("count")).isEqualTo(2);
        assertThat(demo.getInteger("workers")).isEqualTo(2);
        assertThat(get(orchestrator + "/v1/clusters/bad-name", env.get("ORCHESTRATOR_TOKEN")).statusCode()).isEqualTo(404);
    }

    /** The allocations of the workers table, in its order. */
    private static List<String> allocationsShown(ConsoleUi ui)
    {
        return ((List<?>) ui.script("return Array.from(document.querySelectorAll('#workers tbody tr')).map(row => row.dataset.alloc)")).stream()
                .map(String::valueOf).toList();
    }

    /** The resize form, sent, its confirmation read and confirmed. */
    private static void resize(ConsoleUi ui, int count, String confirmation)
    {
        ui.until(driver -> ui.script("return document.getElementById('resize-submit').disabled").equals(false) ? true : null);
        ui.type("#resize-count", Integer.toString(count));
        ui.click("#resize-submit");
        assertThat(ui.text("#confirm-body")).contains(confirmation);
        ui.click("#confirm-ok");
        ui.awaitText("#status", confirmation.substring(0, confirmation.indexOf(':')) + ": accepted");
    }

    /** The page at 1280 px and at 800 px, where it must fit without a horizontal scrollbar. */
    private static void shoot(ConsoleUi ui, Path dir, String name)
            throws IOException
    {
        System.out.println("Console page: " + ui.screenshot(dir, name + "-1280"));
        ui.resize(ConsoleUi.NARROW);
        assertThat(ui.overflowsHorizontally()).as(name + " at 800 px").isFalse();
        System.out.println("Console page: " + ui.screenshot(dir, name + "-800"));
        ui.resize(ConsoleUi.WIDE);
    }

    /**
     * Issue 20: drain path 1 as the docs walk it. {@code scripts/terminate-local-instance.sh} terminates
     * the instance of a node that runs a demo worker and not its coordinator through the Auto Scaling
     * group in moto (the lifecycle stand-in holds it in Terminating:Wait and puts the hook's message on
     * the queue) while short queries run: the orchestrator drains the worker, Nomad-drains the node and
     * completes the action with CONTINUE; no query fails. The client then plays the instance the group
     * launched in its place, and the demo is back to 2 running workers, as the next test expects.
     */
    @Test
    @Order(3)
    void testTerminatingAnInstanceDrainsItsWorkerWithoutFailingAQuery()
            throws Exception
    {
        Map<String, String> env = stackEnv();
        String nomad = env.get("NOMAD_ADDR");
        String coordinator = env.get("DEMO_COORDINATOR_URL");
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !"running".equals(new JsonObject(nomadGet(nomad, "/v1/job/" + DEMO_JOB + "/deployment")).getString("Status")));
        assertThat(runningWorkers(nomad)).hasSize(2);

        QueryLoad.awaitServing(coordinator, "lifecycle-it", "LocalStackIT");
        QueryLoad load = QueryLoad.start(coordinator, "lifecycle-it", Duration.ofSeconds(1));
        Result walk = run("scripts/terminate-local-instance.sh");
        QueryLoad.Result queries = load.stop();
        System.out.println("LocalStackIT terminate-local-instance: " + queries.summary());

        assertThat(walk.exitCode()).as(walk.output()).isZero();
        Matcher terminated = Pattern.compile("(?m)^Terminating (i-[0-9a-f]+): Nomad node (client-\\d) \\(([0-9a-f]{8})\\), running .*trino-demo/workers")
                .matcher(walk.output());
        assertThat(terminated.find()).as(walk.output()).isTrue();
        String instanceId = terminated.group(1);
        assertThat(walk.output())
                .contains("stand-in: TerminateInstanceInAutoScalingGroup: Terminating:Wait, message sent to local-lifecycle-hooks")
                .contains("stand-in: CompleteLifecycleAction: CONTINUE: ok")
                .contains("event demo lifecycle-drain-started")
                .contains("event demo lifecycle-worker-drained")
                .contains("event demo lifecycle-action-completed")
                .doesNotContain("event demo lifecycle-coordinator-on-node");

        // the stand-in recorded the completion the orchestrator sent, by the hook's token, and moto then terminated the instance
        JsonArray actions = new JsonObject(get(env.get("AWS_ENDPOINT_URL") + "/lifecycle-standin/actions?instance_id=" + instanceId, null).body()).getJsonArray("actions");
        List<String> calls = actions.stream().map(JsonObject.class::cast)
                .map(action -> action.getString("action") + " " + action.getString("result", "-") + " " + action.getString("answer"))
                .toList();
        assertThat(calls).as(actions.encodePrettily())
                .contains("CompleteLifecycleAction CONTINUE ok", "Terminated CONTINUE terminated in moto after CompleteLifecycleAction")
                .noneMatch(call -> call.startsWith("HeartbeatTimeout"));
        assertThat(actions.stream().map(JsonObject.class::cast).filter(action -> action.getString("action").equals("CompleteLifecycleAction")).map(action -> action.getString("by")))
                .containsExactly("token");

        // the demo's timeline tells it, and the action completed once
        List<JsonObject> events = new JsonObject(get(env.get("ORCHESTRATOR_URL") + "/v1/clusters/demo/events", env.get("ORCHESTRATOR_TOKEN")).body())
                .getJsonArray("events").stream().map(JsonObject.class::cast).filter(event -> event.getString("message").contains(instanceId)).toList();
        assertThat(events.stream().map(event -> event.getString("type"))).contains("lifecycle-drain-started", "lifecycle-worker-drained")
                .containsOnlyOnce("lifecycle-action-completed");
        assertThat(events.stream().filter(event -> event.getString("type").equals("lifecycle-action-completed")).findFirst().orElseThrow().getString("message"))
                .contains("CompleteLifecycleAction CONTINUE");

        assertThat(queries.shortQueries()).hasSizeGreaterThan(10);
        assertThat(queries.failures()).as(queries.summary()).isEmpty();

        // the drained client plays the replacement instance: eligible again, with the new id
        JsonObject node = new JsonObject(nomadGet(nomad, "/v1/node/" + nodeIdStartingWith(nomad, terminated.group(3))));
        assertThat(node.getString("SchedulingEligibility")).isEqualTo("eligible");
        assertThat(node.getJsonObject("Meta").getString("instance_id")).startsWith("i-").isNotEqualTo(instanceId);
        assertThat(walk.output()).contains("locally " + terminated.group(2) + " plays it: meta.instance_id=" + node.getJsonObject("Meta").getString("instance_id"));
        // Nomad placed the drained worker elsewhere: the demo has 2 running workers again
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).until(() -> runningWorkers(nomad).size() == 2);
    }

    /**
     * Issue 17: what an operator sees of a cluster in the real Nomad UI, and scaling its workers in
     * from there (as the UI does it: {@code POST /v1/job/:id/scale}, no orchestrator involved) while
     * a long query runs. The worker Nomad stops drains itself on the kill signal (drain path 3,
     * {@code run-with-drain.sh}), so the query succeeds. Screenshots: {@code target/nomad-ui/}.
     */
    @Test
    @Order(4)
    void testNomadUiShowsTheClusterAndScalesInItsWorkersWithoutFailingAQuery()
            throws Exception
    {
        Map<String, String> env = stackEnv();
        String nomad = env.get("NOMAD_ADDR");
        String orchestrator = env.get("ORCHESTRATOR_URL");

        // Nomad refuses a scale while a deployment runs ("job scaling blocked due to active deployment")
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !"running".equals(new JsonObject(nomadGet(nomad, "/v1/job/" + DEMO_JOB + "/deployment")).getString("Status")));

        // on real Nomad: the job as another user would deploy it changes its Meta's deployer only, and nothing is replaced
        HttpResponse<String> plan = send("POST", orchestrator + "/v1/clusters/demo/plan", Files.readString(localDir.resolve("prometheus-token")).strip());
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
        JsonObject groups = new JsonObject(plan.body()).getJsonObject("groups");
        assertThat(groups.fieldNames()).containsExactlyInAnyOrder("coordinator", "workers");
        groups.fieldNames().forEach(group -> assertThat(groups.getJsonObject(group).getInteger("destructiveUpdate")).as("%s in %s", group, plan.body()).isZero());
        List<JsonObject> edited = new JsonObject(plan.body()).getJsonObject("diff").getJsonArray("Fields").stream().map(JsonObject.class::cast)
                .filter(field -> !field.getString("Type").equals("None")).toList();
        assertThat(edited).as(plan.body()).singleElement().satisfies(field -> {
            assertThat(field.getString("Name")).isEqualTo("Meta[orchestrator_deployed_by]");
            assertThat(field.getString("Old")).isEqualTo("local-admin");
            assertThat(field.getString("New")).isEqualTo("local-prometheus");
        });

        Path screenshots = Path.of("target", "nomad-ui");
        try (NomadUi ui = NomadUi.open(nomad)) {
            ui.openJobFromJobsList(DEMO_JOB);
            Map<String, String> meta = ui.jobMeta("orchestrator_deployed_by");
            assertThat(meta)
                    .containsEntry("orchestrator_cluster", "demo")
                    .containsEntry("orchestrator_flavour", "trino")
                    .containsEntry("trino_version", "476")
                    .containsEntry("orchestrator_deployed_by", "local-admin")
                    .containsEntry("public_url", env.get("DEMO_URL"));
            System.out.println("Nomad UI job page: " + ui.screenshot(screenshots, "job-" + DEMO_JOB));

            Set<String> workers = runningWorkers(nomad);
            assertThat(workers).hasSize(2);
            String traefikPort = env.get("TRAEFIK_URL").substring(env.get("TRAEFIK_URL").lastIndexOf(':') + 1);
            Instant q1Started = Instant.now();
            CompletableFuture<TrinoCli.Result> q1 = CompletableFuture.supplyAsync(() -> {
                try {
                    return TrinoCli.execute(env.get("TRINO_CLI_JAR"), env.get("DEMO_URL"), "nomad-ui-it", QueryLoad.Q1, List.of("--http-proxy", "127.0.0.1:" + traefikPort));
                }
                catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> q1.isDone() || runningQueries(env.get("DEMO_COORDINATOR_URL"), "nomad-ui-it") > 0);
            assertThat(q1).as("Q1 on sf10 still running when the workers are scaled in").isNotDone();

            ui.openTaskGroupFromJob(DEMO_JOB, "workers");
            assertThat(ui.shownCount()).isEqualTo(2);
            ui.clickDecrementCount();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> desiredWorkers(nomad) == 1);
            ui.awaitShownCount(1);

            // Nomad stops one of the two: its worker drains (DRAINING, DRAINED, SHUTTING_DOWN) and exits, the allocation completes
            String stopped = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> stoppingWorker(nomad, workers), id -> id != null);
            // the worker drains for as long as its tasks run, up to the local profile's drain bound (270 s), then exits
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> clientStatus(nomad, stopped), "complete"::equals);
            ui.awaitAllocationStatus(stopped, "complete");
            System.out.println("Nomad UI task group page after the scale-in: " + ui.screenshot(screenshots, "task-group-" + DEMO_JOB + "-workers-scaled-in"));
            assertThat(runningWorkers(nomad)).hasSize(1).isSubsetOf(workers).doesNotContain(stopped);
            // the count changed in Nomad alone: the orchestrator sees the job changed outside it
            JsonObject demo = new JsonObject(get(orchestrator + "/v1/clusters/demo", env.get("ORCHESTRATOR_TOKEN")).body());
            assertThat(demo.getJsonObject("status").getBoolean("drift")).as(demo.encode()).isTrue();

            // Q1 on sf10 took 80-250 s in this test with another IT family beside it, and more on one worker when Nomad stops
            // the other: it is bounded from its own start, not from the scale-in's end (a hang guard, not a figure)
            TrinoCli.Result result = q1.get(Duration.ofMinutes(12).minus(Duration.between(q1Started, Instant.now())).toSeconds(), TimeUnit.SECONDS);
            assertThat(result.exitCode()).as(result.output()).isZero();
            // TPC-H Q1: one row per (returnflag, linestatus)
            assertThat(result.output().lines().filter(line -> line.matches("^\"[ANR]\",\"[FO]\",.*"))).hasSize(4);
        }
    }

    @Test
    @Order(5)
    void testReadinessNamesConsulWhenItStops()
            throws Exception
    {
        String orchestrator = stackEnv().get("ORCHESTRATOR_URL");
        long consulPid = Long.parseLong(Files.readString(localDir.resolve("pids/consul-sim.pid")).strip());
        ProcessHandle consul = ProcessHandle.of(consulPid).orElseThrow();
        consul.destroy();
        consul.onExit().get(30, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> down = get(orchestrator + "/health/ready", null);
            assertThat(down.statusCode()).isEqualTo(503);
            Map<String, String> after = checkStates(down.body());
            assertThat(after).containsEntry("consul", "DOWN").containsEntry("nomad", "UP").containsEntry("aws-ssm", "UP");
        });
    }

    private static Map<String, String> stackEnv()
            throws IOException
    {
        Path file = localDir.resolve("env");
        assertThat(file).as("the stack is not up (scripts/run-local.sh failed):\n%s", firstRun == null ? "" : firstRun.output()).exists();
        return readEnv(file);
    }

    private static String nomadGet(String nomad, String path)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(nomad + path, null);
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private static String nodeIdStartingWith(String nomad, String prefix)
            throws IOException, InterruptedException
    {
        return new JsonArray(nomadGet(nomad, "/v1/nodes")).stream().map(JsonObject.class::cast).map(node -> node.getString("ID"))
                .filter(id -> id.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no Nomad node " + prefix));
    }

    private static int desiredWorkers(String nomad)
            throws IOException, InterruptedException
    {
        return new JsonObject(nomadGet(nomad, "/v1/job/" + DEMO_JOB + "/scale")).getJsonObject("TaskGroups").getJsonObject("workers").getInteger("Desired");
    }

    private static JsonArray workerAllocations(String nomad)
            throws IOException, InterruptedException
    {
        JsonArray workers = new JsonArray();
        new JsonArray(nomadGet(nomad, "/v1/job/" + DEMO_JOB + "/allocations")).stream()
                .map(JsonObject.class::cast)
                .filter(allocation -> allocation.getString("TaskGroup").equals("workers"))
                .forEach(workers::add);
        return workers;
    }

    private static Set<String> runningWorkers(String nomad)
            throws IOException, InterruptedException
    {
        return workerAllocations(nomad).stream().map(JsonObject.class::cast)
                .filter(allocation -> allocation.getString("DesiredStatus").equals("run") && allocation.getString("ClientStatus").equals("running"))
                .map(allocation -> allocation.getString("ID"))
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The one of {@code workers} Nomad was told to stop, or null while there is none. */
    private static String stoppingWorker(String nomad, Set<String> workers)
            throws IOException, InterruptedException
    {
        List<String> stopping = workerAllocations(nomad).stream().map(JsonObject.class::cast)
                .filter(allocation -> workers.contains(allocation.getString("ID")) && allocation.getString("DesiredStatus").equals("stop"))
                .map(allocation -> allocation.getString("ID"))
                .toList();
        assertThat(stopping).as("workers told to stop").hasSizeLessThanOrEqualTo(1);
        return stopping.isEmpty() ? null : stopping.get(0);
    }

    private static String clientStatus(String nomad, String allocation)
            throws IOException, InterruptedException
    {
        return new JsonObject(nomadGet(nomad, "/v1/allocation/" + allocation)).getString("ClientStatus");
    }

    /** The user's queries the coordinator reports RUNNING. */
    private static long runningQueries(String coordinator, String user)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/query")).timeout(Duration.ofSeconds(10))
                .header("X-Trino-User", user).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonArray(response.body()).stream().map(JsonObject.class::cast)
                .filter(query -> query.getString("state").equals("RUNNING") && query.getJsonObject("session").getString("user").equals(user))
                .count();
    }

    private static List<String> promValues(String prometheus, String query)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray result = new JsonObject(response.body()).getJsonObject("data").getJsonArray("result");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            values.add(result.getJsonObject(i).getJsonArray("value").getString(1));
        }
        return values;
    }

    private static Map<String, String> checkStates(String body)
    {
        JsonArray checks = new JsonObject(body).getJsonArray("checks");
        Map<String, String> states = new HashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            states.put(checks.getJsonObject(i).getString("id"), checks.getJsonObject(i).getString("status"));
        }
        return states;
    }

    private static List<Long> recordedPids()
            throws IOException
    {
        List<Long> pids = new ArrayList<>();
        Path dir = localDir.resolve("pids");
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    pids.add(Long.parseLong(Files.readString(file).strip()));
                }
            }
        }
        return pids;
    }

    private static Map<String, String> readEnv(Path file)
            throws IOException
    {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("export ")) {
                String assignment = line.substring("export ".length());
                int equals = assignment.indexOf('=');
                values.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            }
        }
        return values;
    }

    private static HttpResponse<String> get(String url, String token)
            throws IOException, InterruptedException
    {
        return send("GET", url, token);
    }

    private static HttpResponse<String> send(String method, String url, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Result run(String script)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("bash", REPO.resolve(script).toString())
                .directory(REPO.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        boolean exited = process.waitFor(10, TimeUnit.MINUTES);
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text);
        return new Result(exited ? process.exitValue() : -1, text);
    }

    private record Result(int exitCode, String output) {}
}
