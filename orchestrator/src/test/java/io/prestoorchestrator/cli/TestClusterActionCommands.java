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
import java.util.List;

import static io.prestoorchestrator.cli.TestingCli.createAndStop;
import static io.prestoorchestrator.cli.TestingCli.createFailed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restart}, {@code stop}, {@code start}, {@code delete} and {@code operation} against an
 * in-process orchestrator without Trino ({@link TestingCli#stack}): a stop succeeds, a start or a
 * restart deploys and fails at once.
 */
class TestClusterActionCommands
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATION_ID = "[0-9a-f-]{36}";

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
    void testStopFollowsTheOperationToSuccessAndStartToItsFailure()
            throws Exception
    {
        createFailed(stack, "act-stop");

        TestingCli.Result stop = api("stop", "act-stop");
        assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(0);
        assertThat(stop.err()).isEmpty();
        List<String> lines = stop.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Stopping cluster act-stop");
        assertThat(lines.get(1)).matches("Operation " + OPERATION_ID + ": stop of cluster act-stop");
        assertThat(stop.out()).contains(" deregister ").contains("stopping job trino-act-stop").containsPattern("stop of cluster act-stop succeeded in [0-9.]+s\n$");
        assertThat(state("act-stop")).isEqualTo("stopped");

        TestingCli.Result start = api("start", "act-stop", "--timeout", "2m");
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
        assertThat(start.out()).startsWith("Starting cluster act-stop\n").containsPattern("Operation " + OPERATION_ID + ": start of cluster act-stop\n")
                .contains(" register ");
        assertThat(start.err()).startsWith("error: start of cluster act-stop failed (operation ").contains("Failed due to unhealthy allocations");
        assertThat(state("act-stop")).isEqualTo("failed");
    }

    @Test
    void testRestartOfAStoppedClusterIsThe409Problem()
            throws Exception
    {
        createAndStop(stack, "act-conflict");
        TestingCli.Result restart = api("restart", "act-conflict");
        assertThat(restart.exitCode()).as(restart.toString()).isEqualTo(1);
        assertThat(restart.out()).isEqualTo("Restarting cluster act-conflict\n");
        assertThat(restart.err()).isEqualTo("error: Conflict: The cluster is stopped; it cannot restart now\n");

        TestingCli.Result start = api("start", "ghost");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");
    }

    @Test
    void testRestartWithoutWaitingThenFollowTheOperation()
            throws Exception
    {
        createFailed(stack, "act-restart");
        TestingCli.Result restart = api("restart", "act-restart", "--no-wait");
        assertThat(restart.exitCode()).as(restart.toString()).isEqualTo(0);
        List<String> lines = restart.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Restarting cluster act-restart");
        assertThat(lines.get(1)).matches("Operation " + OPERATION_ID + ": restart of cluster act-restart");
        String id = lines.get(1).split("[ :]")[1];
        assertThat(lines.get(2)).isEqualTo("Not waiting for it (--no-wait): follow it with `operation " + id + " --follow`");

        // the restart redeploys, and without Trino it fails: --follow exits as deploy would
        TestingCli.Result follow = api("operation", "--cluster", "act-restart", "--follow", "--timeout", "2m");
        assertThat(follow.exitCode()).as(follow.toString()).isEqualTo(1);
        assertThat(follow.out()).startsWith("operation    " + id + " (restart of cluster act-restart)\nrequested    by ops at ").contains(" register-workers ");
        assertThat(follow.err()).startsWith("error: restart of cluster act-restart failed (operation " + id + "): ");

        // afterwards the latest operation is the failed restart, shown with its steps
        TestingCli.Result show = api("operation", id);
        assertThat(show.exitCode()).as(show.toString()).isEqualTo(0);
        assertThat(show.out()).startsWith("operation    " + id + " (restart of cluster act-restart)\n")
                .contains("\nstate        FAILED (updated ")
                .contains("\nsteps\n")
                .containsPattern("\n  \\d\\d:\\d\\d:\\d\\d  render +DONE +")
                .containsPattern("\n  \\d\\d:\\d\\d:\\d\\d  deploy-workers +FAILED +failed, .*workers 0/2 healthy")
                .contains("\nerror        Deployment ");
        assertThat(api("operation", "--cluster", "act-restart").out()).isEqualTo(show.out());

        TestingCli.Result json = api("operation", id, "--json");
        assertThat(json.exitCode()).isEqualTo(0);
        JsonNode operation = JSON.readTree(json.out());
        assertThat(operation.get("id").asText()).isEqualTo(id);
        assertThat(operation.get("kind").asText()).isEqualTo("restart");
        assertThat(operation.get("state").asText()).isEqualTo("FAILED");
        assertThat(operation.get("steps")).extracting(step -> step.get("name").asText()).contains("render", "register-workers", "deploy-workers");
    }

    @Test
    void testOperationProblemsAndUsage()
    {
        TestingCli.Result missing = api("operation", "00000000-0000-0000-0000-000000000000");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: Not Found: Operation '00000000-0000-0000-0000-000000000000' does not exist\n");

        TestingCli.Result noCluster = api("operation", "--cluster", "ghost");
        assertThat(noCluster.exitCode()).isEqualTo(1);
        assertThat(noCluster.err()).isEqualTo("error: Not Found: Cluster 'ghost' does not exist\n");

        TestingCli.Result neither = api("operation");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).startsWith("give an operation ID or --cluster NAME (one of them)");
        assertThat(api("operation", "some-id", "--cluster", "some-cluster").exitCode()).isEqualTo(2);
        assertThat(api("operation", "some-id", "--json", "--follow").exitCode()).isEqualTo(2);
    }

    @Test
    void testDeleteRefusesWithoutYesWhenStdinIsNotATerminal()
            throws Exception
    {
        createAndStop(stack, "act-keep");
        TestingCli.Result refused = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("y\n")), "delete", "act-keep");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).isEqualTo("error: refusing to delete cluster act-keep without confirmation: stdin is not a terminal; add --yes to delete cluster act-keep\n");
        assertThat(state("act-keep")).isEqualTo("stopped");
    }

    @Test
    void testDeleteAsksOnATerminal()
            throws Exception
    {
        createAndStop(stack, "act-ask");
        TestingTerminal no = TestingTerminal.answering("n");
        TestingCli.Result declined = TestingCli.api(stack, TestingCli.system(no), "delete", "act-ask");
        assertThat(declined.exitCode()).as(declined.toString()).isEqualTo(1);
        assertThat(no.questions()).containsExactly("Delete cluster act-ask? It is stopped with 2 worker(s); its job stops and its spec, Nomad variables and events are removed. "
                + "This cannot be undone. [y/N] ");
        assertThat(declined.err()).isEqualTo("error: not confirmed: did not delete cluster act-ask\n");
        assertThat(state("act-ask")).isEqualTo("stopped");

        TestingTerminal yes = TestingTerminal.answering("yes");
        TestingCli.Result deleted = TestingCli.api(stack, TestingCli.system(yes), "delete", "act-ask");
        assertThat(deleted.exitCode()).as(deleted.toString()).isEqualTo(0);
        assertThat(yes.questions()).hasSize(1);
        assertThat(deleted.out()).startsWith(yes.questions().get(0) + "Deleting cluster act-ask\n")
                .containsPattern("Operation " + OPERATION_ID + ": delete of cluster act-ask\n")
                .contains(" cleanup ")
                .containsPattern("delete of cluster act-ask succeeded in [0-9.]+s\n$");
        assertThat(stack.call("GET", "/v1/clusters/act-ask", null).statusCode()).isEqualTo(404);
    }

    @Test
    void testDeleteWithYesInAScript()
            throws Exception
    {
        createFailed(stack, "act-yes");
        TestingCli.Result deleted = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), "delete", "act-yes", "--yes");
        assertThat(deleted.exitCode()).as(deleted.toString()).isEqualTo(0);
        assertThat(deleted.out()).startsWith("Deleting cluster act-yes\n").contains(" deregister ").contains("delete of cluster act-yes succeeded");
        assertThat(stack.call("GET", "/v1/clusters/act-yes", null).statusCode()).isEqualTo(404);

        TestingCli.Result again = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), "delete", "act-yes", "--yes");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("error: Not Found: Cluster 'act-yes' does not exist\n");
    }

    private static TestingCli.Result api(String... args)
    {
        return TestingCli.api(stack, args);
    }

    private static String state(String name)
            throws Exception
    {
        HttpResponse<String> response = stack.call("GET", "/v1/clusters/" + name, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("state").asText();
    }
}
