package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.testing.TestingStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code plan}, {@code deploy}, {@code status} and {@code scale} against an in-process orchestrator
 * on the embedded Consul and Nomad simulators. No Trino: its path does not exist and the templates
 * allow no restart, so a deployment fails at once (the failed-operation path); a stopped cluster's
 * spec changes succeed without Nomad (the success path).
 */
class TestApiCommands
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
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        stack.close();
    }

    @Test
    void testDeployCreatesAndReportsTheFailedOperation()
            throws Exception
    {
        Path spec = write("fails.yaml", "name: cli-fails\ncatalogs: [tpch]\nworkers: {count: 1, min: 1, max: 3}\n");
        TestingCli.Result result = api("deploy", "-f", spec.toString(), "--timeout", "2m");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Creating cluster cli-fails from " + spec);
        assertThat(lines.get(1)).matches("Operation [0-9a-f-]{36}: create of cluster cli-fails");
        assertThat(result.out()).contains(" render ").contains(" register ").contains("registering job trino-cli-fails").contains(" deploy ");
        assertThat(result.err()).startsWith("error: create of cluster cli-fails failed (operation ").contains("Failed due to unhealthy allocations").contains("task trino: Exceeded allowed attempts 0");
        assertThat(state("cli-fails")).isEqualTo("failed");

        TestingCli.Result status = api("status", "cli-fails");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(0);
        assertThat(status.out()).contains("state        failed\n").contains("workers      ?/1 active (min 1, max 3)\n")
                .contains("operation    create FAILED (").contains("requested by ops").contains("error        Deployment ")
                .contains("\nurl          http://cli-fails.trino.localhost:").contains(" (not routable)\nrouting      ");
    }

    @Test
    void testDeployAndScaleAStoppedClusterFollowTheOperationToSuccess()
            throws Exception
    {
        createAndStop("cli-stopped");

        Path spec = write("stopped.yaml", "name: cli-stopped\nlabels: {team: data}\nproperties: {query.max-execution-time: 2h}\n");
        TestingCli.Result deploy = api("deploy", "-f", spec.toString());
        assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(0);
        assertThat(deploy.err()).isEmpty();
        assertThat(deploy.out()).startsWith("Updating cluster cli-stopped from " + spec + "\n")
                .contains(": update-spec of cluster cli-stopped\n")
                .contains(" store ").contains("spec stored; the cluster is stopped, start deploys it")
                .containsPattern("update-spec of cluster cli-stopped succeeded in [0-9.]+s\n$");
        JsonNode stored = cluster("cli-stopped").get("spec");
        assertThat(stored.get("labels").get("team").asText()).isEqualTo("data");
        assertThat(stored.get("properties").get("query.max-execution-time").asText()).isEqualTo("2h");
        // left out of the file: kept (merge patch), not reset to the defaults
        assertThat(stored.get("catalogs")).extracting(JsonNode::asText).containsExactly("tpch");

        TestingCli.Result scale = api("scale", "cli-stopped", "3");
        assertThat(scale.exitCode()).as(scale.toString()).isEqualTo(0);
        assertThat(scale.out()).startsWith("Scaling cluster cli-stopped workers 2 -> 3\n").contains("update-spec of cluster cli-stopped succeeded");
        assertThat(cluster("cli-stopped").get("spec").get("workers").get("count").asInt()).isEqualTo(3);

        TestingCli.Result again = api("scale", "cli-stopped", "3");
        assertThat(again.exitCode()).isEqualTo(0);
        assertThat(again.out()).isEqualTo("Cluster cli-stopped already wants 3 workers: nothing to do\n");

        // the same file again: the API answers that nothing changed, and nothing is followed
        TestingCli.Result unchanged = api("deploy", "-f", spec.toString());
        assertThat(unchanged.exitCode()).as(unchanged.toString()).isEqualTo(0);
        assertThat(unchanged.out()).isEqualTo("Updating cluster cli-stopped from " + spec + "\n"
                + "The spec is unchanged: nothing was registered with Nomad and no allocation was touched\n");
    }

    @Test
    void testOfflineRenderIsTheJobTheServiceRenders()
            throws Exception
    {
        String body = "{\"name\":\"cli-parity\",\"environment\":\"staging\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":3,\"min\":2,\"max\":6},"
                + "\"properties\":{\"query.max-execution-time\":\"1h\"},\"labels\":{\"team\":\"data\"}}";
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        HttpResponse<String> served = stack.call("GET", "/v1/clusters/cli-parity/job", null);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);

        // the service renders the job as the caller (token "ops") would deploy it
        TestingCli.Result offline = TestingCli.run("render", "-f", write("parity.json", body).toString(), "--templates", temp.resolve("job-templates").toString(),
                "--catalog", write("tpch.json", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").toString(), "--deployed-by", "ops");
        assertThat(offline.exitCode()).as(offline.toString()).isEqualTo(0);
        assertThat(JSON.readTree(offline.out())).isEqualTo(JSON.readTree(served.body()));
    }

    @Test
    void testScaleOutsideTheBoundsIsThe422Problem()
            throws Exception
    {
        createAndStop("cli-bounds");
        TestingCli.Result result = api("scale", "cli-bounds", "9");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().lines().toList()).containsExactly(
                "error: Unprocessable Input: cluster spec is invalid: /workers/count: count (9) must lie within min..max (1..4): set /workers/count between them, or move the bounds",
                "  /workers/count: count (9) must lie within min..max (1..4): set /workers/count between them, or move the bounds");
        assertThat(cluster("cli-bounds").get("spec").get("workers").get("count").asInt()).isEqualTo(2);
    }

    @Test
    void testDeployOfAnInvalidSpecPrintsEveryFieldError()
            throws Exception
    {
        Path spec = write("invalid.json", "{\"name\":\"cli-invalid\",\"workers\":{\"count\":9,\"min\":1,\"max\":4},\"catalogs\":[\"hive\"]}");
        TestingCli.Result result = api("deploy", "-f", spec.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("Creating cluster cli-invalid from " + spec + "\n");
        assertThat(result.err()).startsWith("error: Unprocessable Input: cluster spec is invalid: 2 problems\n")
                .contains("\n  /workers/count: count (9) must lie within min..max (1..4)")
                .contains("\n  /catalogs/0: catalog 'hive' does not exist");
        assertThat(stack.call("GET", "/v1/clusters/cli-invalid", null).statusCode()).isEqualTo(404);
    }

    @Test
    void testDeployWithoutWaiting()
            throws Exception
    {
        Path spec = write("nowait.yaml", "name: cli-nowait\ncatalogs: [tpch]\n");
        TestingCli.Result result = api("deploy", "-f", spec.toString(), "--no-wait");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).containsPattern("Operation ([0-9a-f-]{36}): create of cluster cli-nowait\nNot waiting for it \\(--no-wait\\): follow it with `operation \\1 --follow`\n$");
        assertThat(stack.call("GET", "/v1/clusters/cli-nowait", null).statusCode()).isEqualTo(200);
    }

    @Test
    void testPlanShowsTheDiff()
            throws Exception
    {
        createAndStop("cli-plan");
        TestingCli.Result text = api("plan", "cli-plan");
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(0);
        assertThat(text.out()).startsWith("Plan for cluster cli-plan (job trino-cli-plan): the job would be created\nAllocations: creates the job (3 placed)\n")
                .contains("\n+ Job: \"trino-cli-plan\"\n")
                .contains("\n  + Task Group: \"workers\" (2 create)\n")
                .contains("\n  + Task Group: \"coordinator\" (1 create)\n");

        TestingCli.Result json = api("plan", "cli-plan", "--json");
        assertThat(json.exitCode()).isEqualTo(0);
        JsonNode plan = JSON.readTree(json.out());
        assertThat(plan.get("diffType").asText()).isEqualTo("Added");
        assertThat(plan.get("groups").get("workers").get("place").asInt()).isEqualTo(2);
        assertThat(plan.get("effect").get("kind").asText()).isEqualTo("create");
    }

    /** Issue 18: the plan says before anything is applied that attaching a catalog is live, and why a property change restarts. */
    @Test
    void testPlanSaysWhichPathTheCatalogChangesTake()
            throws Exception
    {
        createAndStop("cli-catalogs");
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"cliplan_sales\",\"connectorName\":\"tpch\",\"properties\":{\"tpch.column-naming\":\"STANDARD\"}}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> attached = stack.call("PATCH", "/v1/clusters/cli-catalogs", "{\"catalogs\":[\"tpch\",\"cliplan_sales\"]}");
        assertThat(attached.statusCode()).as(attached.body()).isBetween(200, 202);

        TestingCli.Result text = api("plan", "cli-catalogs");
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(0);
        assertThat(text.out()).contains("\nCatalogs: changed live (CREATE/DROP CATALOG on the coordinator), no allocation replaced\n"
                + "  attach cliplan_sales: live, CREATE CATALOG on the running coordinator; workers load it from the coordinator with their first task on it;"
                + " no allocation is replaced\n");
        JsonNode catalogs = JSON.readTree(api("plan", "cli-catalogs", "--json").out()).get("catalogs");
        assertThat(catalogs.get("path").asText()).isEqualTo("live");
        assertThat(catalogs.get("steps").get(0).get("sql").asText())
                .isEqualTo("CREATE CATALOG IF NOT EXISTS \"cliplan_sales\" USING tpch WITH (\"tpch.column-naming\" = 'STANDARD')");

        // back to what it runs with, then a property change of an attached catalog: the rolling restart, and why
        HttpResponse<String> detached = stack.call("PATCH", "/v1/clusters/cli-catalogs", "{\"catalogs\":[\"tpch\",\"cliplan_sales\"]}".replace(",\"cliplan_sales\"", ""));
        assertThat(detached.statusCode()).as(detached.body()).isBetween(200, 202);
        assertThat(JSON.readTree(api("plan", "cli-catalogs", "--json").out()).get("catalogs").get("path").asText()).isEqualTo("none");
        String tpch = stack.call("GET", "/v1/catalogs/tpch", null).body();
        com.fasterxml.jackson.databind.node.ObjectNode more = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(tpch);
        more.with("properties").put("tpch.splits-per-node", "7");
        HttpResponse<String> changed = stack.call("PUT", "/v1/catalogs/tpch", more.toString());
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        try {
            JsonNode restart = JSON.readTree(api("plan", "cli-catalogs", "--json").out()).get("catalogs");
            assertThat(restart.get("path").asText()).isEqualTo("restart");
            assertThat(restart.get("steps").get(0).get("action").asText()).isEqualTo("change");
            assertThat(restart.get("steps").get(0).get("why").asText()).startsWith("needs a restart until blue-green lands: Trino 476 has no ALTER CATALOG");
        }
        finally {
            assertThat(stack.call("PUT", "/v1/catalogs/tpch", tpch).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void testPlanAndStatusOfAJobChangedOutsideTheOrchestrator()
            throws Exception
    {
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"cli-drift\",\"catalogs\":[\"tpch\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertThat(stack.awaitOperation(created, Duration.ofMinutes(1)).getString("state")).isEqualTo("FAILED");
        HttpResponse<String> scaled = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(URI.create(stack.nomad().address() + "/v1/job/trino-cli-drift/scale"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Count\":3,\"Target\":{\"Group\":\"workers\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);

        TestingCli.Result plan = api("plan", "cli-drift");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(0);
        assertThat(plan.out()).startsWith("Plan for cluster cli-drift (job trino-cli-drift): the job would change\n")
                .contains("\n~ Job: \"trino-cli-drift\"\n")
                .contains("\n  ~ Task Group: \"workers\" (")
                .contains("\n    ~ Count: \"3\" => \"2\" (forces destroy)\n")
                .contains("\n    Task Group: \"coordinator\"");

        TestingCli.Result status = api("status", "cli-drift");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(0);
        assertThat(status.out()).contains("\ndrift        yes: job modify index is ").contains("the job was changed outside the orchestrator");
    }

    @Test
    void testStatusOfEveryCluster()
            throws Exception
    {
        createAndStop("cli-list");
        TestingCli.Result table = api("status");
        assertThat(table.exitCode()).as(table.toString()).isEqualTo(0);
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).matches("NAME +STATE +WORKERS +COORDINATOR +JOB +DRIFT +LAST OPERATION");
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("cli-list +stopped +\\?/2 +- +- +no +stop SUCCEEDED"));

        TestingCli.Result json = api("status", "--json");
        assertThat(json.exitCode()).isEqualTo(0);
        assertThat(JSON.readTree(json.out()).get("clusters")).anySatisfy(cluster -> {
            assertThat(cluster.get("name").asText()).isEqualTo("cli-list");
            assertThat(cluster.get("status").get("drift").asBoolean()).isFalse();
        });

        TestingCli.Result one = api("status", "cli-list", "--json");
        assertThat(JSON.readTree(one.out()).get("spec").get("workers").get("count").asInt()).isEqualTo(2);
    }

    @Test
    void testProblemsFromTheApi()
            throws Exception
    {
        TestingCli.Result missing = api("status", "ghost");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");

        TestingCli.Result noToken = TestingCli.run("status", "--url", stack.baseUrl());
        assertThat(noToken.exitCode()).isEqualTo(1);
        assertThat(noToken.err()).startsWith("error: Unauthorized: ").contains("hint: give an API token with --token-file FILE");

        // authenticated from the file: the answer is the 404, not a 401
        TestingCli.Result fromFile = TestingCli.run("status", "ghost", "--url", stack.baseUrl(), "--token-file", write("viewer-token", TestingStack.VIEWER_TOKEN + "\n").toString());
        assertThat(fromFile.exitCode()).isEqualTo(1);
        assertThat(fromFile.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");
    }

    @Test
    void testConnectionRefusedNamesTheUrlAndTheFix()
            throws Exception
    {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        TestingCli.Result result = TestingCli.run("status", "--url", url, "--token", TestingStack.ADMIN_TOKEN);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines().toList()).containsExactly(
                "error: cannot reach the orchestrator at " + url + ": connection refused",
                "hint: start it (java -jar orchestrator/target/presto-orchestrator.jar serve, or scripts/run-local.sh) or point --url (or $ORCHESTRATOR_URL) at a running one");
    }

    @Test
    void testUsageErrorsExit2()
            throws IOException
    {
        assertThat(TestingCli.run("scale", "only-a-name").exitCode()).isEqualTo(2);
        TestingCli.Result twoTokens = TestingCli.run("status", "--url", stack.baseUrl(), "--token", "a", "--token-file", "b");
        assertThat(twoTokens.exitCode()).isEqualTo(2);
        assertThat(twoTokens.err()).startsWith("give the token once: --token or --token-file, not both");
        TestingCli.Result badUrl = TestingCli.run("status", "--url", "localhost:8070");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).startsWith("--url 'localhost:8070' is not an http(s) URL: use e.g. http://127.0.0.1:8070");
        TestingCli.Result noName = TestingCli.run("deploy", "-f", write("noname.yaml", "workers: {count: 2}\n").toString(), "--url", stack.baseUrl());
        assertThat(noName.exitCode()).isEqualTo(2);
        assertThat(noName.err()).startsWith("error: spec file ").contains("has no name");
    }

    private static void createAndStop(String name)
            throws Exception
    {
        TestingCli.createAndStop(stack, name);
    }

    private static TestingCli.Result api(String... args)
    {
        return TestingCli.api(stack, args);
    }

    private static JsonNode cluster(String name)
            throws Exception
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + name, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String state(String name)
            throws Exception
    {
        return cluster(name).get("state").asText();
    }

    private static Path write(String name, String content)
            throws IOException
    {
        return Files.writeString(temp.resolve(name), content, UTF_8);
    }
}
