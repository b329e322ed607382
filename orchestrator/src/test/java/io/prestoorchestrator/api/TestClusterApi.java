package io.prestoorchestrator.api;

import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster API through the real HTTP stack (contract validation, auth, problem+json) against the
 * embedded simulators. Trino is pointed at a path that does not exist, so no Trino starts here:
 * these tests are about what the API accepts, refuses and records (ClusterLifecycleIT runs Trino).
 */
class TestClusterApi
{
    private static final Map<String, String> NO_TRINO = Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk");
    private static TestingStack stack;

    @BeforeAll
    static void start()
            throws Exception
    {
        stack = new TestingStack(NO_TRINO);
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        stack.close();
    }

    @Test
    void testBadName()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"Ad_Hoc!\",\"catalogs\":[\"tpch\"]}"), 400);
        assertThat(fields(problem)).contains("/name");
        assertNotStored("Ad_Hoc!");
    }

    @Test
    void testDuplicateName()
            throws Exception
    {
        HttpResponse<String> first = stack.call("POST", "/v1/clusters", "{\"name\":\"dup\",\"catalogs\":[\"tpch\"]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).startsWith("/v1/operations/"));
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"dup\",\"catalogs\":[\"tpch\"]}"), 409);
        assertThat(problem.getString("detail")).isEqualTo("Cluster 'dup' already exists");
    }

    @Test
    void testCountOutsideMinMax()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"toomany\",\"workers\":{\"count\":9,\"min\":1,\"max\":4}}"), 422);
        assertThat(fields(problem)).contains("/workers/count");
        assertNotStored("toomany");
    }

    @Test
    void testHeapTooSmallForQueryMemory()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters",
                "{\"name\":\"smallheap\",\"jvm\":{\"heap\":\"512MB\"},\"queryMemory\":{\"maxPerNode\":\"1GB\",\"max\":\"2GB\"}}"), 422);
        assertThat(problem.getJsonArray("errors").encode()).contains("raise /jvm/heap");
        assertNotStored("smallheap");
    }

    @Test
    void testUnknownCatalog()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"nocat\",\"catalogs\":[\"hive\"]}"), 422);
        assertThat(fields(problem)).anySatisfy(field -> assertThat(field).startsWith("/catalogs"));
        assertNotStored("nocat");
    }

    @Test
    void testUnknownProperty()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"badprop\",\"properties\":{\"query.made-up-setting\":\"1\"}}"), 422);
        assertThat(fields(problem)).anySatisfy(field -> assertThat(field).startsWith("/properties"));
        assertNotStored("badprop");
    }

    @Test
    void testUnknownFieldIsRejectedByTheContract()
            throws Exception
    {
        JsonObject problem = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"typo\",\"wrokers\":{\"count\":2}}"), 400);
        assertThat(problem.getJsonArray("errors").encode()).contains("wrokers");
        assertNotStored("typo");
    }

    @Test
    void testAutoscalingPolicyProblemsNameTheField()
            throws Exception
    {
        JsonObject target = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"scaled\",\"autoscaling\":{\"enabled\":true,\"target\":70}}"), 422);
        assertThat(fields(target)).containsExactly("/autoscaling/target");
        JsonObject duration = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"scaled\",\"autoscaling\":{\"scaleOutCooldown\":\"soon\"}}"), 400);
        assertThat(fields(duration)).containsExactly("/autoscaling/scaleOutCooldown");
        // the contract knows no autoscaling.min: the bounds are workers.min/max
        JsonObject bound = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"scaled\",\"autoscaling\":{\"min\":2}}"), 400);
        assertThat(bound.getJsonArray("errors").encode()).contains("min");
        JsonObject signal = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"scaled\",\"autoscaling\":{\"signal\":\"memory\"}}"), 400);
        assertThat(signal.getJsonArray("errors").encode()).contains("signal");
        assertNotStored("scaled");
    }

    @Test
    void testConcurrentUpdateIsAConflict()
            throws Exception
    {
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"busy\",\"catalogs\":[\"tpch\"]}");
        assertThat(created.statusCode()).isEqualTo(202);
        JsonObject operation = new JsonObject(created.body());
        // the create operation is still watching its deployment (Trino cannot start here)
        JsonObject problem = problem(stack.call("PATCH", "/v1/clusters/busy", "{\"workers\":{\"count\":3}}"), 409);
        assertThat(problem.getString("detail")).contains("has operation " + operation.getString("id") + " in progress");
    }

    /** Issue 18: a PATCH that leaves the spec as it is answers 200 (the contract's SpecUnchanged) and starts nothing. */
    @Test
    void testPatchThatChangesNothingIsA200ThatDoesNothing()
            throws Exception
    {
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"same\",\"catalogs\":[\"tpch\"],\"labels\":{\"team\":\"a\"}}");
        assertThat(created.statusCode()).isEqualTo(202);
        String create = new JsonObject(created.body()).getString("id");
        JsonArray events = new JsonObject(stack.call("GET", "/v1/clusters/same/events", null).body()).getJsonArray("events");

        // the create is still running (Trino cannot start here): the same spec names it, a changed one would be a 409
        HttpResponse<String> same = stack.call("PATCH", "/v1/clusters/same", "{\"catalogs\":[\"tpch\"],\"labels\":{\"team\":\"a\"}}");
        assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
        assertThat(same.headers().firstValue("Location")).isEmpty();
        JsonObject body = new JsonObject(same.body());
        assertThat(body.getBoolean("changed")).isFalse();
        assertThat(body.getString("cluster")).isEqualTo("same");
        assertThat(body.getString("activeOperation")).isEqualTo(create);
        assertThat(body.getString("message")).startsWith("The spec is unchanged: nothing was registered with Nomad and no allocation was touched");
        assertThat(new JsonObject(stack.call("GET", "/v1/clusters/same/events", null).body()).getJsonArray("events")).isEqualTo(events);

        JsonObject changed = problem(stack.call("PATCH", "/v1/clusters/same", "{\"labels\":{\"team\":\"b\"}}"), 409);
        assertThat(changed.getString("detail")).contains("has operation " + create + " in progress");
        JsonObject bad = problem(stack.call("PATCH", "/v1/clusters/same", "{\"workers\":{\"min\":-1}}"), 400);
        assertThat(bad.getJsonArray("errors").encode()).contains("min");
    }

    /** Issue 18: on raw_exec a version runs its own installation; one not installed is refused naming the field, and nothing is stored. */
    @Test
    void testVersionWithoutAnInstallationIsRefused()
            throws Exception
    {
        JsonObject create = problem(stack.call("POST", "/v1/clusters", "{\"name\":\"old\",\"version\":\"999\",\"catalogs\":[\"tpch\"]}"), 422);
        assertThat(fields(create)).containsExactly("/version");
        assertThat(create.getString("detail")).contains("version '999' of trino is not installed").contains("use one of [476]");
        assertNotStored("old");
    }

    @Test
    void testViewerCannotCreate()
            throws Exception
    {
        problem(stack.call("POST", "/v1/clusters", "{\"name\":\"viewer\"}", TestingStack.VIEWER_TOKEN), 403);
        assertNotStored("viewer");
    }

    @Test
    void testPlanAndJobOfAStoredCluster()
            throws Exception
    {
        assertThat(stack.call("POST", "/v1/clusters", "{\"name\":\"planned\",\"catalogs\":[\"tpch\"]}").statusCode()).isEqualTo(202);
        HttpResponse<String> plan = stack.call("POST", "/v1/clusters/planned/plan", null, TestingStack.VIEWER_TOKEN);
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
        assertThat(new JsonObject(plan.body()).encode()).contains("workers");
        HttpResponse<String> job = stack.call("GET", "/v1/clusters/planned/job", null);
        assertThat(job.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(job.body()).getJsonObject("Job").getString("ID")).isEqualTo("trino-planned");
        HttpResponse<String> events = stack.call("GET", "/v1/clusters/planned/events", null);
        assertThat(new JsonObject(events.body()).getJsonArray("events").getJsonObject(0).getString("actor")).isEqualTo("ops");
    }

    @Test
    void testUnknownClusterAndOperation()
            throws Exception
    {
        assertThat(problem(stack.call("GET", "/v1/clusters/ghost", null), 404).getString("detail")).isEqualTo("Cluster 'ghost' does not exist");
        problem(stack.call("GET", "/v1/operations/nope", null), 404);
    }

    @Test
    void testTemplateErrorIs422AndDeploysNothing()
            throws Exception
    {
        Path templates = Files.createTempDirectory("broken-templates");
        TestingFiles.copyTree(Path.of("../job-templates"), templates);
        Path node = templates.resolve("trino/node.properties.ftl");
        Files.writeString(node, Files.readString(node) + "\nbroken=[=cluster.noSuchThing]\n");
        try (TestingStack broken = new TestingStack(NO_TRINO, templates)) {
            broken.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}");
            JsonObject problem = problem(broken.call("POST", "/v1/clusters", "{\"name\":\"broken\",\"catalogs\":[\"tpch\"]}"), 422);
            assertThat(problem.getJsonArray("errors").encode()).contains("node.properties.ftl").contains("line").contains("noSuchThing");
            assertThat(broken.call("GET", "/v1/clusters/broken", null).statusCode()).isEqualTo(404);
            assertThat(broken.nomad().address()).isNotNull();
            assertThat(new JsonArray(get(broken, "/v1/jobs"))).isEmpty();
        }
    }

    /** A secret reference outside aws.ssm-prefix is refused naming the field, and nothing is stored (issue 20, finding 5). */
    @Test
    void testSecretReferenceOutsideTheSsmPrefixIsRefused()
            throws Exception
    {
        JsonObject traversal = problem(stack.call("POST", "/v1/catalogs", "{\"name\":\"pg\",\"connectorName\":\"postgresql\",\"secretProperties\":{\"connection-password\":\"ssm:/../../x\"}}"), 400);
        assertThat(fields(traversal)).containsExactly("/secretProperties/connection-password");
        JsonObject outside = problem(stack.call("POST", "/v1/catalogs", "{\"name\":\"pg\",\"connectorName\":\"postgresql\",\"secretProperties\":{\"connection-password\":\"ssm:/other-team/db\"}}"), 422);
        assertThat(fields(outside)).containsExactly("/secretProperties/connection-password");
        problem(stack.call("GET", "/v1/catalogs/pg", null), 404);
    }

    /** A trailing slash is the same route, and so the same authentication: nothing is created without a token (issue 20, finding 1). */
    @Test
    void testTrailingSlashWithoutTokenCreatesNothing()
            throws Exception
    {
        problem(stack.call("POST", "/v1/catalogs/", "{\"name\":\"sneaky\",\"connectorName\":\"tpch\"}", null), 401);
        problem(stack.call("POST", "/v1/catalogs/", "{\"name\":\"sneaky\",\"connectorName\":\"tpch\"}", TestingStack.VIEWER_TOKEN), 403);
        problem(stack.call("GET", "/v1/catalogs/sneaky", null), 404);
        problem(stack.call("POST", "/v1/clusters/", "{\"name\":\"sneaky\",\"catalogs\":[\"tpch\"]}", null), 401);
        assertNotStored("sneaky");
        assertThat(stack.call("POST", "/v1/catalogs/", "{\"name\":\"slashed\",\"connectorName\":\"tpch\"}").statusCode()).as("an admin may use the slash").isEqualTo(201);
    }

    @Test
    void testNomadDownIsA503NamingNomad()
            throws Exception
    {
        try (TestingStack down = new TestingStack(NO_TRINO)) {
            createLonely(down);
            down.nomad().close();
            JsonObject problem = problem(down.call("POST", "/v1/clusters/lonely/plan", null), 503);
            assertThat(problem.getString("dependency")).isEqualTo("nomad");
        }
    }

    /** The records are read from memory while Consul answers the blocking query; once it fails, reads go to Consul and fail as it does. */
    @Test
    void testConsulDownIsA503NamingConsulForReads()
            throws Exception
    {
        try (TestingStack down = new TestingStack(NO_TRINO)) {
            createLonely(down);
            // read your writes: the record shows at once in the list this replica serves
            assertThat(new JsonObject(down.call("GET", "/v1/clusters", null).body()).getJsonArray("clusters").encode()).contains("\"lonely\"");
            down.consul().close();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonObject problem = problem(down.call("GET", "/v1/clusters", null), 503);
                assertThat(problem.getString("dependency")).isEqualTo("consul");
            });
            assertThat(problem(down.call("GET", "/v1/clusters/lonely", null), 503).getString("dependency")).isEqualTo("consul");
        }
    }

    /** A catalog and a cluster named lonely on a stack of the test's own. */
    private static void createLonely(TestingStack target)
            throws Exception
    {
        target.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}");
        assertThat(target.call("POST", "/v1/clusters", "{\"name\":\"lonely\",\"catalogs\":[\"tpch\"]}").statusCode()).isEqualTo(202);
    }

    private static String get(TestingStack target, String nomadPath)
            throws Exception
    {
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build();
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(target.nomad().address() + nomadPath)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void assertNotStored(String name)
            throws Exception
    {
        assertThat(stack.call("GET", "/v1/clusters/" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", ""), null).statusCode()).isEqualTo(404);
    }

    private static java.util.List<String> fields(JsonObject problem)
    {
        JsonArray errors = problem.getJsonArray("errors", new JsonArray());
        return errors.stream().map(JsonObject.class::cast).map(error -> error.getString("field")).toList();
    }

    private static JsonObject problem(HttpResponse<String> response, int status)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        return new JsonObject(response.body());
    }
}
