package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.testing.TestingStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code catalogs list|show|create|update|delete} against an in-process orchestrator ({@link TestingCli#stack}). */
class TestCatalogsCommand
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HIVE = """
            {"name": "hive_cli", "connectorName": "hive",
             "properties": {"hive.metastore.uri": "thrift://metastore:9083", "hive.s3.path-style-access": "true"},
             "secretProperties": {"hive.s3.aws-secret-key": "ssm:/presto-orchestrator/catalogs/hive_cli/aws-secret-key"}}
            """;

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
    void testCreateShowListUpdateDelete()
            throws Exception
    {
        TestingCli.Result created = api("catalogs", "create", "--file", write("hive_cli.json", HIVE).toString());
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(0);
        assertThat(created.out()).isEqualTo("Created catalog hive_cli (connector hive)\n");
        assertThat(catalog("hive_cli").get("properties").get("hive.metastore.uri").asText()).isEqualTo("thrift://metastore:9083");

        TestingCli.Result shown = api("catalogs", "show", "hive_cli");
        assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(0);
        assertThat(shown.out()).isEqualTo("""
                catalog      hive_cli
                connector    hive
                properties   hive.metastore.uri = thrift://metastore:9083
                             hive.s3.path-style-access = true
                secrets      hive.s3.aws-secret-key = ssm:/presto-orchestrator/catalogs/hive_cli/aws-secret-key (SSM reference)
                """);

        TestingCli.Result listed = api("catalogs", "list");
        assertThat(listed.exitCode()).as(listed.toString()).isEqualTo(0);
        assertThat(listed.out().lines().toList().get(0)).matches("NAME +CONNECTOR +PROPERTIES +SECRET PROPERTIES");
        assertThat(listed.out().lines()).anySatisfy(line -> assertThat(line).matches("hive_cli +hive +2 +hive.s3.aws-secret-key"))
                .anySatisfy(line -> assertThat(line).matches("tpch +tpch +0 +-"));

        // YAML on stdin; a change restarts the running clusters that use it, and there are none
        String yaml = "name: hive_cli\nconnectorName: hive\nproperties:\n  hive.metastore.uri: thrift://other:9083\n";
        TestingCli.Result updated = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe(yaml)), "catalogs", "update", "hive_cli", "--file", "-");
        assertThat(updated.exitCode()).as(updated.toString()).isEqualTo(0);
        assertThat(updated.out()).isEqualTo("Updated catalog hive_cli\nNo running cluster uses it: nothing restarted\n");
        JsonNode stored = catalog("hive_cli");
        assertThat(stored.get("properties").get("hive.metastore.uri").asText()).isEqualTo("thrift://other:9083");
        assertThat(stored.get("secretProperties").size()).isEqualTo(0);

        TestingCli.Result deleted = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), "catalogs", "delete", "hive_cli", "--yes");
        assertThat(deleted.exitCode()).as(deleted.toString()).isEqualTo(0);
        assertThat(deleted.out()).isEqualTo("Deleted catalog hive_cli\n");
        assertThat(stack.call("GET", "/v1/catalogs/hive_cli", null).statusCode()).isEqualTo(404);
    }

    @Test
    void testJsonIsWhatTheApiAnswers()
            throws Exception
    {
        TestingCli.Result list = api("catalogs", "list", "--json");
        assertThat(list.exitCode()).as(list.toString()).isEqualTo(0);
        assertThat(JSON.readTree(list.out()).get("catalogs")).anySatisfy(catalog -> assertThat(catalog.get("name").asText()).isEqualTo("tpch"));

        TestingCli.Result show = api("catalogs", "show", "tpch", "--json");
        assertThat(show.exitCode()).as(show.toString()).isEqualTo(0);
        assertThat(JSON.readTree(show.out())).isEqualTo(catalog("tpch"));
    }

    @Test
    void testCreateFromStdin()
            throws Exception
    {
        TestingCli.Result created = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("{\"name\": \"tpch_stdin\", \"connectorName\": \"tpch\"}")),
                "catalogs", "create", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(0);
        assertThat(created.out()).isEqualTo("Created catalog tpch_stdin (connector tpch)\n");
        assertThat(catalog("tpch_stdin").get("connectorName").asText()).isEqualTo("tpch");
    }

    @Test
    void testSecretValueIsRefusedAndNeverPrinted()
            throws Exception
    {
        String body = "{\"name\": \"pg_cli\", \"connectorName\": \"postgresql\", \"properties\": {\"connection-url\": \"jdbc:postgresql://db:5432/x\"},"
                + " \"secretProperties\": {\"connection-password\": \"hunter2-do-not-print\"}}";
        TestingCli.Result refused = api("catalogs", "create", "--file", write("pg_cli.json", body).toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).startsWith("error: ").contains("\n  /secretProperties/connection-password: ");
        assertThat(refused.toString()).doesNotContain("hunter2");
        assertThat(stack.call("GET", "/v1/catalogs/pg_cli", null).statusCode()).isEqualTo(404);
    }

    @Test
    void testProblemsFromTheApi()
            throws Exception
    {
        TestingCli.Result duplicate = api("catalogs", "create", "--file", write("tpch.yaml", "name: tpch\nconnectorName: tpch\n").toString());
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.err()).isEqualTo("error: Conflict: Catalog 'tpch' already exists\n");

        TestingCli.Result missing = api("catalogs", "show", "ghost");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: Not Found: Catalog 'ghost' does not exist\n");

        TestingCli.Result renamed = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("{\"name\": \"other\", \"connectorName\": \"tpch\"}")),
                "catalogs", "update", "tpch", "--file", "-");
        assertThat(renamed.exitCode()).isEqualTo(1);
        assertThat(renamed.err()).contains("\n  /name: name is other but the path names tpch: a catalog cannot be renamed\n");

        // attached to a cluster: the API names it
        TestingCli.createFailed(stack, "cat-user");
        TestingCli.Result attached = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), "catalogs", "delete", "tpch", "--yes");
        assertThat(attached.exitCode()).isEqualTo(1);
        assertThat(attached.err()).startsWith("error: Conflict: Catalog 'tpch' is attached to [").contains("cat-user").contains("detach it from those clusters first");

        TestingCli.Result badFile = api("catalogs", "create", "--file", write("broken.json", "{\"name\": ").toString());
        assertThat(badFile.exitCode()).isEqualTo(2);
        assertThat(badFile.err()).startsWith("error: catalog file " + temp.resolve("broken.json") + " is not valid JSON: ");
    }

    @Test
    void testDeleteRefusesWithoutYesWhenStdinIsNotATerminal()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"keep_me\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        TestingCli.Result refused = TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("y\n")), "catalogs", "delete", "keep_me");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("error: refusing to delete catalog keep_me without confirmation: stdin is not a terminal; add --yes to delete catalog keep_me\n");
        assertThat(stack.call("GET", "/v1/catalogs/keep_me", null).statusCode()).isEqualTo(200);

        TestingTerminal terminal = TestingTerminal.answering("y");
        TestingCli.Result confirmed = TestingCli.api(stack, TestingCli.system(terminal), "catalogs", "delete", "keep_me");
        assertThat(confirmed.exitCode()).as(confirmed.toString()).isEqualTo(0);
        assertThat(terminal.questions()).containsExactly("Delete catalog keep_me? Clusters can no longer attach it. This cannot be undone. [y/N] ");
        assertThat(stack.call("GET", "/v1/catalogs/keep_me", null).statusCode()).isEqualTo(404);
    }

    private static TestingCli.Result api(String... args)
    {
        return TestingCli.api(stack, TestingCli.system(TestingTerminal.pipe("")), args);
    }

    private static JsonNode catalog(String name)
            throws Exception
    {
        HttpResponse<String> response = stack.call("GET", "/v1/catalogs/" + name, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Path write(String name, String content)
            throws IOException
    {
        return Files.writeString(temp.resolve(name), content, UTF_8);
    }
}
