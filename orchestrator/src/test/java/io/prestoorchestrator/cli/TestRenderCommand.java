package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.testing.TestingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code render} against the repository's real {@code job-templates/}, offline. */
class TestRenderCommand
{
    static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HIVE_SSM_PATH = "/presto-orchestrator/catalogs/hive/metastore-password";

    @TempDir
    Path temp;

    @Test
    void testRendersTheSpecWithTheApiDefaults()
            throws IOException
    {
        Path spec = write("adhoc.yaml", """
                name: adhoc
                environment: staging
                version: 476
                workers: {count: 3, min: 1, max: 5}
                catalogs: [tpch]
                labels: {team: analytics}
                """);
        TestingCli.Result result = render("-f", spec.toString(), "--catalog", catalogs().toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).startsWith("{\n  \"Job\" : {");

        JsonNode job = JSON.readTree(result.out()).get("Job");
        assertThat(job.get("ID").asText()).isEqualTo("trino-adhoc");
        assertThat(job.get("Datacenters")).extracting(JsonNode::asText).containsExactly("staging-eu-west-1a", "staging-eu-west-1b");
        JsonNode coordinator = job.get("TaskGroups").get(0);
        JsonNode workers = job.get("TaskGroups").get(1);
        assertThat(coordinator.get("Count").asInt()).isEqualTo(1);
        assertThat(workers.get("Count").asInt()).isEqualTo(3);
        assertThat(workers.get("Scaling").get("Min").asInt()).isEqualTo(1);
        assertThat(workers.get("Scaling").get("Max").asInt()).isEqualTo(5);
        JsonNode task = workers.get("Tasks").get(0);
        // left out of the file: the API's defaults (1000 MHz, 1024 MB, 512MB heap)
        assertThat(task.get("Resources").get("CPU").asInt()).isEqualTo(1000);
        assertThat(task.get("Resources").get("MemoryMB").asInt()).isEqualTo(1024);
        assertThat(task.get("Config").get("image").asText()).isEqualTo("trinodb/trino:476");
        assertThat(templates(task).get("local/etc/jvm.config")).contains("-Xmx512M\n");
        // Trino's catalogs are not in the job: the coordinator writes them from a Nomad Variable (live catalog changes)
        assertThat(templates(task)).doesNotContainKey("local/etc/catalog/tpch.properties");
        assertThat(templates(task).get("local/etc/config.properties")).contains("catalog.management=dynamic\n");
        assertThat(job.get("Meta").get("orchestrator_variable_file").asText()).isEqualTo("vars/staging.yaml");
        assertThat(job.get("Meta").get("orchestrator_labels").asText()).isEqualTo("{\"team\":\"analytics\"}");
    }

    @Test
    void testLaterVariableFileOverridesEarlierKeys()
            throws IOException
    {
        Path spec = write("adhoc.json", "{\"name\":\"adhoc\",\"environment\":\"staging\"}");
        Path override = write("override.yaml", "kill_timeout_seconds: 42\ndatacenters: [eu-central-1a]\n");
        TestingCli.Result result = render("-f", spec.toString(), "--vars", TEMPLATES.resolve("vars/staging.yaml").toString(), "--vars", override.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);

        JsonNode job = JSON.readTree(result.out()).get("Job");
        assertThat(job.get("Datacenters")).extracting(JsonNode::asText).containsExactly("eu-central-1a");
        JsonNode task = job.get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(task.get("KillTimeout").asLong()).isEqualTo(42_000_000_000L);
        // not overridden: staging's values (the coordinator's delay; workers have none)
        assertThat(job.get("TaskGroups").get(0).get("Tasks").get(0).get("ShutdownDelay").asLong()).isEqualTo(10_000_000_000L);
        assertThat(task.get("ShutdownDelay").asLong()).isEqualTo(0L);
        assertThat(job.get("Meta").get("orchestrator_variable_file").asText()).isEqualTo("vars/staging.yaml," + override);
    }

    @Test
    void testStaticDiscoveryNeedsTheCoordinatorPort()
            throws IOException
    {
        Path spec = write("demo.yaml", "name: demo\n");
        // vars/local.yaml takes the Trino paths from the environment; the override makes the render independent of it
        Path paths = write("paths.yaml", "trino_home: /opt/trino-server-476\njava_home: /usr/lib/jvm/temurin-25\n");
        String local = TEMPLATES.resolve("vars/local.yaml").toString();

        TestingCli.Result withoutPort = render("-f", spec.toString(), "--vars", local, "--vars", paths.toString());
        assertThat(withoutPort.exitCode()).as(withoutPort.toString()).isEqualTo(2);
        assertThat(withoutPort.out()).isEmpty();
        assertThat(withoutPort.err()).contains("'coordinatorPort' is undefined").contains("hint: ").contains("--coordinator-port PORT");

        TestingCli.Result withPort = render("-f", spec.toString(), "--vars", local, "--vars", paths.toString(), "--coordinator-port", "18080");
        assertThat(withPort.exitCode()).as(withPort.toString()).isEqualTo(0);
        JsonNode task = JSON.readTree(withPort.out()).get("Job").get("TaskGroups").get(1).get("Tasks").get(0);
        assertThat(task.get("Driver").asText()).isEqualTo("raw_exec");
        assertThat(task.get("Env").get("TRINO_HOME").asText()).isEqualTo("/opt/trino-server-476");
        assertThat(templates(task).get("local/etc/config.properties")).contains("discovery.uri=http://127.0.0.1:18080\n");
    }

    @Test
    void testSecretsRenderAsNomadVariableLookupsAndNeverAsValues()
            throws IOException
    {
        Path spec = write("adhoc.yaml", "name: adhoc\nenvironment: prod\nworkers: {count: 2, min: 1, max: 4}\ncatalogs: [hive]\n");
        // a plain-text secret slipped into a variable file: masked as the service masks GET /v1/clusters/{name}/job
        Path leak = write("leak.yaml", "jvm_extra_options: [\"-Djavax.net.ssl.trustStorePassword=hunter2-Sup3rSecret\"]\n");
        TestingCli.Result result = render("-f", spec.toString(), "--catalog", catalogs().toString(),
                "--vars", TEMPLATES.resolve("vars/prod.yaml").toString(), "--vars", leak.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out() + result.err()).doesNotContain("hunter2-Sup3rSecret");

        JsonNode job = JSON.readTree(result.out()).get("Job");
        Map<String, String> files = templates(job.get("TaskGroups").get(1).get("Tasks").get(0));
        assertThat(files.get("secrets/catalog-secrets.env"))
                .contains("TRINO_CATALOG_HIVE__HIVE_METASTORE_PASSWORD={{ index . \"catalog_hive_hive_metastore_password\" | toJSON }}\n");
        assertThat(files.get("local/etc/jvm.config")).contains("-Djavax.net.ssl.trustStorePassword=******");
        assertThat(job.get("Meta").get("orchestrator_ssm_versions").asText()).isEqualTo(HIVE_SSM_PATH + "=0");
    }

    @Test
    void testParametersAndSecretsOfTheCluster()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TEMPLATES, temp.resolve("job-templates"));
        Path log = templates.resolve("trino/log.properties.ftl");
        Files.writeString(log, Files.readString(log, UTF_8) + "ldap.password=[=secrets[\"ldap-password\"]]\n", UTF_8);
        Path spec = write("adhoc.yaml", "name: adhoc\nenvironment: staging\n");
        TestingCli.Result result = render("-f", spec.toString(), "--templates", templates.toString(),
                "--param", "log-level=WARN", "--secret", "ldap-password", "--ssm-prefix", "/acme");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);

        JsonNode job = JSON.readTree(result.out()).get("Job");
        String logProperties = templates(job.get("TaskGroups").get(1).get("Tasks").get(0)).get("local/etc/log.properties");
        assertThat(logProperties).contains("io.trino=WARN\n")
                .contains("ldap.password={{ with nomadVar \"nomad/jobs/trino-adhoc\" }}{{ .secret_ldap_password }}{{ end }}");
        assertThat(job.get("Meta").get("orchestrator_ssm_versions").asText()).isEqualTo("/acme/adhoc/ldap-password=0,log-level=0");
    }

    @Test
    void testInvalidSpecListsEveryFieldAndExits2()
            throws IOException
    {
        Path spec = write("bad.yaml", """
                name: Bad_Name
                workers: {count: 9, min: 1, max: 4}
                jvm: {heap: 512MB}
                queryMemory: {maxPerNode: 1GB, max: 2GB}
                properties: {internal-communication.shared-secret: hunter2-Sup3rSecret}
                """);
        TestingCli.Result result = render("-f", spec.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines().toList()).containsExactly(
                "error: spec file " + spec + " is invalid: 4 problems",
                "  /name: name 'Bad_Name' must be a DNS label: 1 to 40 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-', e.g. adhoc-1",
                "  /workers/count: count (9) must lie within min..max (1..4): set /workers/count between them, or move the bounds",
                "  /queryMemory/maxPerNode: query.max-memory-per-node (1GB) plus headroom (30% of heap) must fit jvm heap (512MB): "
                        + "raise /jvm/heap to at least 1463MB or lower /queryMemory/maxPerNode to at most 358MB",
                "  /properties/internal-communication.shared-secret: internal-communication.shared-secret looks like a secret and would be readable "
                        + "in the Nomad job: store it in SSM and reference it from a catalog's secretProperties, or a secret parameter");
    }

    @Test
    void testUnknownCatalogPointsAtTheCatalogOption()
            throws IOException
    {
        Path spec = write("adhoc.yaml", "name: adhoc\nenvironment: staging\ncatalogs: [tpch]\n");
        TestingCli.Result result = render("-f", spec.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("  /catalogs/0: catalog 'tpch' does not exist").contains("hint: offline, the known catalogs are the ones given with --catalog FILE");
    }

    @Test
    void testUnknownFieldAndMalformedFileNameTheProblem()
            throws IOException
    {
        TestingCli.Result typo = render("-f", write("typo.json", "{\"name\":\"adhoc\",\"wrokers\":{\"count\":2}}").toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("  /wrokers: invalid cluster spec: unknown field 'wrokers': known fields here are [allowUnknownProperties, autoscaling, catalogs,");

        Path broken = write("broken.yaml", "name: a\n  b: [\n");
        TestingCli.Result malformed = render("-f", broken.toString());
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("error: spec file " + broken + " is not valid YAML: ").contains("(line 2, column ");

        TestingCli.Result missing = render("-f", temp.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: cannot read spec file " + temp.resolve("nope.yaml") + ": no such file\n");
    }

    @Test
    void testTemplateErrorNamesFileAndLine()
            throws IOException
    {
        Path templates = TestingFiles.copyTree(TEMPLATES, temp.resolve("job-templates"));
        Path node = templates.resolve("trino/node.properties.ftl");
        Files.writeString(node, Files.readString(node, UTF_8) + "broken=[=cluster.noSuchThing]\n", UTF_8);
        TestingCli.Result result = render("-f", write("adhoc.yaml", "name: adhoc\nenvironment: staging\n").toString(), "--templates", templates.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("  job-templates/trino/node.properties.ftl: trino/node.properties.ftl, line ").contains("'cluster.noSuchThing' is undefined");
    }

    @Test
    void testOutputFile()
            throws IOException
    {
        Path output = temp.resolve("job.json");
        TestingCli.Result result = render("-f", write("adhoc.yaml", "name: adhoc\nenvironment: staging\n").toString(), "-o", output.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).isEmpty();
        assertThat(JSON.readTree(Files.readString(output, UTF_8)).get("Job").get("ID").asText()).isEqualTo("trino-adhoc");
    }

    @Test
    void testUsageErrorsExit2()
            throws IOException
    {
        TestingCli.Result noFile = TestingCli.run("render");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).contains("Missing required option: '--file=SPEC'");

        TestingCli.Result noTemplates = render("-f", write("adhoc.yaml", "name: adhoc\n").toString(), "--templates", temp.resolve("none").toString());
        assertThat(noTemplates.exitCode()).isEqualTo(2);
        assertThat(noTemplates.err()).startsWith("error: --templates " + temp.resolve("none") + " is not a directory");
    }

    private TestingCli.Result render(String... args)
    {
        List<String> all = new ArrayList<>(List.of("render"));
        all.addAll(List.of(args));
        if (!all.contains("--templates")) {
            all.addAll(List.of("--templates", TEMPLATES.toString()));
        }
        return TestingCli.run(all.toArray(String[]::new));
    }

    private Path catalogs()
            throws IOException
    {
        return write("catalogs.yaml", """
                catalogs:
                  - name: tpch
                    connectorName: tpch
                    properties: {tpch.splits-per-node: 4}
                  - name: hive
                    connectorName: hive
                    properties: {hive.metastore.uri: "thrift://metastore.internal:9083"}
                    secretProperties: {hive.metastore.password: "ssm:%s"}
                """.formatted(HIVE_SSM_PATH));
    }

    private Path write(String name, String content)
            throws IOException
    {
        return Files.writeString(temp.resolve(name), content, UTF_8);
    }

    static Map<String, String> templates(JsonNode task)
    {
        Map<String, String> files = new LinkedHashMap<>();
        task.get("Templates").forEach(template -> files.put(template.get("DestPath").asText(), template.get("EmbeddedTmpl").asText()));
        return files;
    }
}
