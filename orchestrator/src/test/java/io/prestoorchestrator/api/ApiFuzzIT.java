package io.prestoorchestrator.api;

import io.prestoorchestrator.api.ContractOperations.Caller;
import io.prestoorchestrator.api.ContractOperations.Operation;
import ch.qos.logback.classic.Level;
import io.prestoorchestrator.testing.CapturedLogs;
import io.prestoorchestrator.testing.TestingEnvironment;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.prestoorchestrator.testing.TestingStack.ADMIN_TOKEN;
import static io.prestoorchestrator.testing.TestingStack.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The whole API fuzzed from the contract the service serves (issue 20). schemathesis (pinned in
 * scripts/setup.sh's venv) runs every operation with valid and invalid inputs (its examples,
 * coverage, fuzzing and stateful phases) against the orchestrator on the simulators, once without a
 * token, once with the viewer's and once with the admin's; this test then sends every operation's
 * path with a trailing slash, which schemathesis cannot, as each caller. Every answer of every run
 * is judged by the contract ({@link ContractOperations}), from what was really sent (the
 * Authorization header of each request, schemathesis's own auth probes included): no 5xx; every
 * 4xx a problem+json document of its status; no 2xx for a caller the operation does not grant, who
 * must get 401/403 before anything else (or the router's 404/405/414/431); no answer carrying a
 * token. schemathesis's own checks (documented status codes and content types, response schemas,
 * auth not ignored, 405 with Allow) must pass as well. Then the clusters and catalogs the runs left
 * are deleted, and none is left in the API, nor a job or variable in Nomad; and the log holds no
 * token and no error.
 *
 * <p>No Trino, as in {@link TestClusterApi}: a deploy fails after the Nomad simulator's restart
 * attempts (~30 s), so the operations end by themselves. Before fuzzing, a catalog and three
 * clusters are made (their creates waited for) whose names schemathesis's dictionaries use, so that
 * stop, restart, plan, job, events... reach existing clusters as well as missing ones.
 *
 * <p>Re-run with the printed {@code -Dfuzz.seed=N} to repeat a run; {@code -Dfuzz.examples=N} sets
 * the examples per operation of every run. Reports (HAR of every request, schemathesis's output)
 * are under {@code target/api-fuzz}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiFuzzIT
{
    private static final Map<String, String> NO_TRINO = Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk");
    private static final List<String> SEEDED_CLUSTERS = List.of("fuzz-a", "fuzz-b", "fuzz-c");
    private static final String SEEDED_CATALOG = "tpch";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    /** What the router answers before any operation's handlers (authentication included) run. */
    private static final Set<Integer> ROUTING_ANSWERS = Set.of(404, 405, 414, 431);
    private static final Pattern SETUP_PIN = Pattern.compile("(?m)^SCHEMATHESIS_VERSION=(\\S+)");
    private static final int MAX_LISTED = 25;

    private static final Path WORK = Path.of("target", "api-fuzz").toAbsolutePath();
    private static final Map<String, Map<String, TreeMap<Integer, Integer>>> STATUSES = new TreeMap<>();
    private static final List<String> RUNS = new ArrayList<>();

    private static Path schemathesis;
    private static String schemathesisVersion;
    private static long seed;
    private static CapturedLogs logs;
    private static TestingStack stack;
    private static ContractOperations contract;
    private static Path contractFile;
    private static Path config;
    private static List<String> seededOperations;

    @BeforeAll
    static void start()
            throws Exception
    {
        schemathesis = requireSchemathesis();
        seed = Long.getLong("fuzz.seed", ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
        System.out.println("API fuzz: schemathesis " + schemathesisVersion + ", seed " + seed + " (repeat with -Dfuzz.seed=" + seed + ")");
        deleteRecursively(WORK);
        Files.createDirectories(WORK);

        logs = new CapturedLogs();
        stack = new TestingStack(NO_TRINO);
        HttpResponse<String> served = stack.call("GET", "/openapi.yaml", null, VIEWER_TOKEN);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        contractFile = Files.writeString(WORK.resolve("openapi.yaml"), served.body());
        contract = ContractOperations.parse(served.body());

        HttpResponse<String> catalog = stack.call("POST", "/v1/catalogs", "{\"name\":\"" + SEEDED_CATALOG + "\",\"connectorName\":\"tpch\"}");
        assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(201);
        List<HttpResponse<String>> creates = new ArrayList<>();
        seededOperations = new ArrayList<>();
        for (String name : SEEDED_CLUSTERS) {
            HttpResponse<String> accepted = stack.call("POST", "/v1/clusters",
                    "{\"name\":\"" + name + "\",\"catalogs\":[\"" + SEEDED_CATALOG + "\"],\"workers\":{\"count\":1,\"min\":1,\"max\":2}}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            creates.add(accepted);
        }
        for (HttpResponse<String> accepted : creates) {
            // without Trino the deploy fails; what matters is that no operation holds the cluster any more
            JsonObject operation = stack.awaitOperation(accepted, Duration.ofMinutes(2));
            seededOperations.add(operation.getString("id"));
        }

        config = WORK.resolve("schemathesis.toml");
        try (InputStream in = ApiFuzzIT.class.getResourceAsStream("/api-fuzz/schemathesis.toml")) {
            Files.copy(in, config);
        }
        Files.write(WORK.resolve("operation-ids.dict"), seededOperations.stream().map(id -> "\"" + id + "\"").toList());
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        try {
            printSummary();
        }
        finally {
            try {
                if (stack != null) {
                    stack.close();
                }
            }
            finally {
                if (logs != null) {
                    logs.close();
                }
            }
        }
    }

    @Test
    @Order(1)
    void testWithoutToken()
            throws Exception
    {
        fuzz("no-token", Caller.NONE, null, Integer.getInteger("fuzz.examples", 20));
    }

    @Test
    @Order(2)
    void testWithViewerToken()
            throws Exception
    {
        fuzz("viewer", Caller.VIEWER, VIEWER_TOKEN, Integer.getInteger("fuzz.examples", 20));
    }

    /**
     * Every operation's path with a trailing slash, as each caller: a request the router matches
     * is authenticated as that operation whatever the slash, so for a caller without the role the
     * answer is the same as without it.
     */
    @Test
    @Order(3)
    void testWithATrailingSlash()
            throws Exception
    {
        List<Exchange> exchanges = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            for (Operation operation : contract.operations()) {
                String path = operation.expand(pathValues(operation));
                String body = operation.hasBody() ? "{}" : null;
                Exchange slashed = send(operation.method(), path + "/", body, caller);
                exchanges.add(slashed);
                if (caller != Caller.ADMIN) {
                    // the admin's requests change things (a stop, a delete): only the others are repeated
                    Exchange plain = send(operation.method(), path, body, caller);
                    exchanges.add(plain);
                    if (plain.status() != slashed.status()) {
                        problems.add(slashed.describe() + ": " + slashed.status() + " with the trailing slash, " + plain.status() + " without");
                    }
                }
            }
        }
        tally("trailing-slash", exchanges, 0, "sent by the test");
        problems.addAll(violations(exchanges));
        if (!problems.isEmpty()) {
            fail(listing("the trailing-slash run broke the contract's rules", problems));
        }
        for (Caller caller : Caller.values()) {
            assertThat(uncovered(exchanges, caller)).as("operations the trailing-slash run did not call as " + caller).isEmpty();
        }
    }

    @Test
    @Order(4)
    void testWithAdminToken()
            throws Exception
    {
        fuzz("admin", Caller.ADMIN, ADMIN_TOKEN, Integer.getInteger("fuzz.examples", 50));
    }

    /** Last: whatever the runs created is deleted through the API, and then nothing is left anywhere. */
    @Test
    @Order(5)
    void testLeavesNoClusterBehind()
            throws Exception
    {
        List<String> clusters = clusterNames();
        for (String name : clusters) {
            deleteCluster(name);
        }
        List<String> catalogs = catalogNames();
        for (String name : catalogs) {
            HttpResponse<String> deleted = stack.call("DELETE", "/v1/catalogs/" + name, null);
            assertThat(deleted.statusCode()).as("DELETE catalog " + name + ": " + deleted.body()).isEqualTo(204);
        }
        System.out.println("API fuzz: deleted clusters " + clusters + " and catalogs " + catalogs);

        assertThat(clusterNames()).as("clusters left").isEmpty();
        assertThat(catalogNames()).as("catalogs left").isEmpty();
        HttpResponse<String> jobs = stack.callNomad("GET", "/v1/jobs", null);
        assertThat(new JsonArray(jobs.body())).as("jobs left in Nomad: " + jobs.body()).isEmpty();
        HttpResponse<String> variables = stack.callNomad("GET", "/v1/vars", null);
        assertThat(new JsonArray(variables.body())).as("variables left in Nomad: " + variables.body()).isEmpty();
    }

    /** Thousands of refused, invalid and odd requests later: no token in a log line, and nothing logged as an error. */
    @Test
    @Order(6)
    void testNoTokenAndNoErrorInTheLog()
    {
        String text = logs.text();
        assertThat(text).as("the orchestrator's log").isNotEmpty().doesNotContain(ADMIN_TOKEN).doesNotContain(VIEWER_TOKEN);
        List<String> errors = logs.events().stream()
                .filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(event -> event.getLoggerName() + ": " + event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage()))
                .toList();
        assertThat(errors).as("errors logged while fuzzing").isEmpty();
    }

    private static void fuzz(String name, Caller caller, String token, int examples)
            throws Exception
    {
        Path har = WORK.resolve(name + ".har");
        Path log = WORK.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(schemathesis.toString(),
                "--config-file", config.toString(),
                "run", contractFile.toString(),
                "--url", stack.baseUrl(),
                "--seed", Long.toString(seed),
                "--max-examples", Integer.toString(examples),
                "--workers", "1",
                "--request-timeout", "30",
                "--no-color",
                // the report must show which token each request carried (they are the test's own)
                "--output-sanitize", "false",
                "--report", "har", "--report-har-path", har.toString()));
        if (token != null) {
            command.addAll(List.of("--header", "Authorization: Bearer " + token));
        }
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("schemathesis (" + name + ") ran longer than " + RUN_TIMEOUT + "; its output: " + log);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        String output = Files.readString(log);
        assertThat(har).as("schemathesis wrote no report; its output:\n" + tail(output, 60)).exists();
        List<Exchange> exchanges = readHar(har);
        tally(name, exchanges, seconds, "schemathesis exit " + process.exitValue());
        System.out.println("API fuzz (" + name + "): " + exchanges.size() + " requests in " + seconds + " s\n" + section(output, "SUMMARY", null));

        List<String> problems = new ArrayList<>(violations(exchanges));
        if (process.exitValue() != 0) {
            problems.add("schemathesis failed (exit " + process.exitValue() + ", output in " + log + "):\n" + failures(output));
        }
        if (!problems.isEmpty()) {
            fail(listing("the " + name + " run broke the contract's rules", problems));
        }
        assertThat(uncovered(exchanges, caller)).as("operations the " + name + " run did not call as " + caller).isEmpty();
    }

    /** Every rule an answer breaks, for each exchange. */
    private static List<String> violations(List<Exchange> exchanges)
    {
        List<String> found = new ArrayList<>();
        for (Exchange exchange : exchanges) {
            for (String violation : violations(exchange)) {
                found.add(exchange.describe() + ": " + violation);
            }
        }
        return found;
    }

    private static List<String> violations(Exchange exchange)
    {
        List<String> found = new ArrayList<>();
        int status = exchange.status();
        Optional<Operation> operation = contract.match(exchange.method(), exchange.path());
        if (status >= 500) {
            found.add("a server error");
        }
        if (status >= 400) {
            found.addAll(problemViolations(exchange));
        }
        if (exchange.body().contains(ADMIN_TOKEN) || exchange.body().contains(VIEWER_TOKEN)) {
            found.add("an answer that carries a bearer token");
        }
        boolean granted = operation.map(match -> match.access().grants(exchange.caller())).orElse(false);
        if (status >= 200 && status < 300 && !granted) {
            found.add(operation.isEmpty()
                    ? "a 2xx for a method and path no operation of the contract has"
                    : "a 2xx for a caller " + operation.get().operationId() + " does not grant (it needs " + operation.get().access() + ")");
        }
        else if (operation.isPresent() && !granted) {
            int refusal = operation.get().access().refusal(exchange.caller());
            if (status != refusal && !ROUTING_ANSWERS.contains(status)) {
                found.add(operation.get().operationId() + " needs " + operation.get().access() + ": expected " + refusal + " before anything else");
            }
        }
        return found;
    }

    private static List<String> problemViolations(Exchange exchange)
    {
        String mediaType = exchange.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals(ProblemHandler.CONTENT_TYPE)) {
            return List.of("Content-Type '" + exchange.contentType() + "', not " + ProblemHandler.CONTENT_TYPE);
        }
        if (exchange.method().equals("HEAD")) {
            return List.of();
        }
        JsonObject problem;
        try {
            problem = new JsonObject(exchange.body());
        }
        catch (DecodeException | ClassCastException e) {
            return List.of("a problem+json body that is not a JSON object");
        }
        List<String> found = new ArrayList<>();
        if (!Integer.valueOf(exchange.status()).equals(problem.getValue("status"))) {
            found.add("a problem whose status is " + problem.getValue("status"));
        }
        for (String member : List.of("type", "title", "detail")) {
            if (!(problem.getValue(member) instanceof String)) {
                found.add("a problem without a string '" + member + "'");
            }
        }
        return found;
    }

    /** The contract's operations no exchange of {@code caller} went to. */
    private static List<String> uncovered(List<Exchange> exchanges, Caller caller)
    {
        Set<Operation> called = exchanges.stream()
                .filter(exchange -> exchange.caller() == caller)
                .flatMap(exchange -> contract.match(exchange.method(), exchange.path()).stream())
                .collect(Collectors.toSet());
        return contract.operations().stream().filter(operation -> !called.contains(operation)).map(Operation::toString).toList();
    }

    private static Map<String, String> pathValues(Operation operation)
    {
        return Map.of("name", operation.path().startsWith("/v1/catalogs/") ? SEEDED_CATALOG : SEEDED_CLUSTERS.get(SEEDED_CLUSTERS.size() - 1),
                "id", seededOperations.get(0));
    }

    private static Exchange send(String method, String path, String body, Caller caller)
            throws IOException, InterruptedException
    {
        String token = switch (caller) {
            case NONE -> null;
            case VIEWER -> VIEWER_TOKEN;
            case ADMIN -> ADMIN_TOKEN;
        };
        HttpResponse<String> response = stack.call(method, path, body, token);
        return new Exchange(method, path, caller, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(), "");
    }

    private static List<Exchange> readHar(Path har)
            throws IOException
    {
        JsonArray entries = new JsonObject(Files.readString(har)).getJsonObject("log").getJsonArray("entries");
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonObject entry = entries.getJsonObject(i);
            JsonObject request = entry.getJsonObject("request");
            JsonObject response = entry.getJsonObject("response");
            String url = request.getString("url");
            String path = url.replaceFirst("^[a-z]+://[^/]+", "");
            int query = path.indexOf('?');
            Map<String, String> requestHeaders = headers(request.getJsonArray("headers"));
            String authorization = requestHeaders.getOrDefault("authorization", "");
            Caller caller = authorization.equals("Bearer " + ADMIN_TOKEN) ? Caller.ADMIN
                    : authorization.equals("Bearer " + VIEWER_TOKEN) ? Caller.VIEWER
                    : Caller.NONE;
            exchanges.add(new Exchange(request.getString("method"), query < 0 ? path : path.substring(0, query), caller,
                    response.getInteger("status"), headers(response.getJsonArray("headers")).getOrDefault("content-type", ""),
                    response.getJsonObject("content", new JsonObject()).getString("text", ""),
                    requestHeaders.getOrDefault("x-schemathesis-testcaseid", "")));
        }
        return exchanges;
    }

    private static Map<String, String> headers(JsonArray headers)
    {
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
            JsonObject header = headers.getJsonObject(i);
            byName.putIfAbsent(header.getString("name").toLowerCase(Locale.ROOT), header.getString("value"));
        }
        return byName;
    }

    private static void deleteCluster(String name)
            throws Exception
    {
        AtomicReference<HttpResponse<String>> accepted = new AtomicReference<>();
        // an operation the fuzzing started may still run (a deploy without Trino fails after ~30 s): 409 until it ends
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResponse<String> response = stack.call("DELETE", "/v1/clusters/" + name, null);
            assertThat(response.statusCode()).as("DELETE cluster " + name + ": " + response.body()).isIn(202, 409);
            accepted.set(response);
            return response.statusCode() == 202;
        });
        TestingStack.assertSucceeded(stack.awaitOperation(accepted.get(), Duration.ofMinutes(2)));
    }

    private static List<String> clusterNames()
            throws IOException, InterruptedException
    {
        List<String> names = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<String> page = stack.call("GET", "/v1/clusters?limit=500" + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)), null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonObject json = new JsonObject(page.body());
            json.getJsonArray("clusters").stream().map(JsonObject.class::cast).forEach(cluster -> names.add(cluster.getString("name")));
            after = json.getString("next");
        }
        while (after != null);
        return names;
    }

    private static List<String> catalogNames()
            throws IOException, InterruptedException
    {
        HttpResponse<String> list = stack.call("GET", "/v1/catalogs", null);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        return new JsonObject(list.body()).getJsonArray("catalogs").stream().map(JsonObject.class::cast).map(catalog -> catalog.getString("name")).toList();
    }

    /** schemathesis from setup's venv, at the version setup pins; fails saying what to run otherwise. */
    private static Path requireSchemathesis()
            throws IOException, InterruptedException
    {
        TestingEnvironment.require("PRESTO_ORCH_VENV");
        Path binary = Path.of(System.getenv("PRESTO_ORCH_VENV"), "bin", "schemathesis");
        String pinned = pinnedVersion();
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("schemathesis is not installed at " + binary + ": run scripts/setup.sh (it installs schemathesis==" + pinned
                    + " into its venv) and source ~/.cache/presto-orchestrator/env.sh (scripts/test.sh does both)");
        }
        Process version = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        String printed = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (version.waitFor() != 0 || !printed.equals("schemathesis, version " + pinned)) {
            throw new IllegalStateException(binary + " --version printed '" + printed + "' but scripts/setup.sh pins schemathesis==" + pinned + ": re-run scripts/setup.sh");
        }
        schemathesisVersion = pinned;
        return binary;
    }

    private static String pinnedVersion()
            throws IOException
    {
        Path setup = Path.of("..", "scripts", "setup.sh");
        Matcher pin = SETUP_PIN.matcher(Files.readString(setup));
        if (!pin.find()) {
            throw new IllegalStateException(setup.toAbsolutePath().normalize() + " has no SCHEMATHESIS_VERSION= line");
        }
        return pin.group(1);
    }

    private static void tally(String run, List<Exchange> exchanges, long seconds, String how)
    {
        synchronized (STATUSES) {
            for (Exchange exchange : exchanges) {
                String operation = contract.match(exchange.method(), exchange.path()).map(Operation::toString).orElse("(no operation: another method)");
                STATUSES.computeIfAbsent(operation, ignored -> new TreeMap<>())
                        .computeIfAbsent(exchange.caller().name(), ignored -> new TreeMap<>())
                        .merge(exchange.status(), 1, Integer::sum);
            }
            RUNS.add(run + ": " + exchanges.size() + " requests" + (seconds > 0 ? " in " + seconds + " s" : "") + " (" + how + ")");
        }
    }

    private static void printSummary()
    {
        synchronized (STATUSES) {
            if (RUNS.isEmpty()) {
                return;
            }
            long covered = contract.operations().stream().filter(operation -> STATUSES.containsKey(operation.toString())).count();
            long requests = STATUSES.values().stream().flatMap(byCaller -> byCaller.values().stream()).flatMap(byStatus -> byStatus.values().stream()).mapToLong(Integer::longValue).sum();
            StringBuilder text = new StringBuilder("API fuzz summary: schemathesis " + schemathesisVersion + ", seed " + seed + "; "
                    + covered + " of " + contract.operations().size() + " operations covered, " + requests + " requests\n");
            RUNS.forEach(run -> text.append("  ").append(run).append('\n'));
            text.append("  statuses per operation and caller (status:count):\n");
            int width = STATUSES.keySet().stream().mapToInt(String::length).max().orElse(0);
            STATUSES.forEach((operation, byCaller) -> {
                text.append("    ").append(String.format("%-" + width + "s", operation));
                for (Caller caller : Caller.values()) {
                    Map<Integer, Integer> statuses = byCaller.getOrDefault(caller.name(), new TreeMap<>());
                    text.append(" | ").append(caller.name().toLowerCase(Locale.ROOT)).append(' ')
                            .append(statuses.entrySet().stream().map(entry -> entry.getKey() + ":" + entry.getValue()).collect(Collectors.joining(" ")));
                }
                text.append('\n');
            });
            System.out.print(text);
        }
    }

    private static String listing(String title, List<String> problems)
    {
        return title + " (" + problems.size() + "; seed " + seed + ", reports in " + WORK + "):\n"
                + problems.stream().limit(MAX_LISTED).collect(Collectors.joining("\n"))
                + (problems.size() > MAX_LISTED ? "\n... and " + (problems.size() - MAX_LISTED) + " more" : "");
    }

    /** The lines of {@code output} from the banner naming {@code from} to the one naming {@code to} (or the end). */
    private static String section(String output, String from, String to)
    {
        List<String> lines = output.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (start < 0 && lines.get(i).startsWith("===") && lines.get(i).contains(" " + from + " ")) {
                start = i;
            }
            else if (start >= 0 && to != null && lines.get(i).startsWith("===") && lines.get(i).contains(" " + to + " ")) {
                return String.join("\n", lines.subList(start, i));
            }
        }
        return start < 0 ? "" : String.join("\n", lines.subList(start, lines.size()));
    }

    private static String failures(String output)
    {
        String failures = section(output, "FAILURES", "WARNINGS");
        if (failures.isEmpty()) {
            failures = section(output, "FAILURES", "SUMMARY");
        }
        String shown = failures.isEmpty() ? tail(output, 80) : failures;
        return shown.length() > 12_000 ? shown.substring(0, 12_000) + "\n... (cut; the whole output is in the log)" : shown;
    }

    private static String tail(String output, int lines)
    {
        List<String> all = output.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void deleteRecursively(Path directory)
            throws IOException
    {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * One request and its answer.
     *
     * @param path percent-encoded, without the query
     * @param testCase schemathesis's test case id (for {@code st replay}), empty for the test's own requests
     */
    private record Exchange(String method, String path, Caller caller, int status, String contentType, String body, String testCase)
    {
        String describe()
        {
            return method + " " + path + " as " + caller + " -> " + status + " " + contentType
                    + (testCase.isEmpty() ? "" : " [test case " + testCase + "]")
                    + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }
}
