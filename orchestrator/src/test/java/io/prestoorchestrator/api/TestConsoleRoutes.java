package io.prestoorchestrator.api;

import io.prestoorchestrator.app.Orchestrator;
import io.prestoorchestrator.config.AuthConfig;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.HttpConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.testing.TestingLeaderServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console's static files at /ui/ (issue 22): served without a token, with a
 * Content-Security-Policy that allows no inline script, and never a way around the /v1 routes'
 * authentication (issue 20). Requests are written on a raw socket so that no client normalises
 * the paths before the server sees them.
 */
class TestConsoleRoutes
{
    private static final String ADMIN_TOKEN = "admin-token-console-31c9";
    private static final String VIEWER_TOKEN = "viewer-token-console-77ab";
    private static final Path UI_SOURCES = Path.of("src/main/resources/io/prestoorchestrator/ui");

    private static TestingLeaderServer nomad;
    private static TestingLeaderServer consul;
    private static Orchestrator orchestrator;

    @BeforeAll
    static void start()
            throws Exception
    {
        nomad = new TestingLeaderServer("127.0.0.1:4647");
        consul = new TestingLeaderServer("127.0.0.1:8300");
        OrchestratorConfig config = new OrchestratorConfig(
                new HttpConfig("127.0.0.1", 0, Duration.ofSeconds(10), 1024 * 1024, HttpConfig.DEFAULTS.idleTimeout(), HttpConfig.DEFAULTS.headerTimeout()),
                new NomadConfig(nomad.address(), Optional.empty(), "global", "default", Duration.ofSeconds(5)),
                new ConsulConfig(consul.address(), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(5)),
                OrchestratorConfig.DEFAULTS.aws(),
                new AuthConfig(List.of(new ApiToken("ops", Role.ADMIN, Secret.of(ADMIN_TOKEN)), new ApiToken("dashboards", Role.VIEWER, Secret.of(VIEWER_TOKEN))), Optional.empty()),
                OrchestratorConfig.DEFAULTS.logging(),
                new ClustersConfig(Path.of("../job-templates").toAbsolutePath().normalize().toString(), Duration.ofMinutes(1)),
                OrchestratorConfig.DEFAULTS.leader(),
                OrchestratorConfig.DEFAULTS.autoscaling().withScaleFrontPort(0),
                OrchestratorConfig.DEFAULTS.lifecycle(),
                OrchestratorConfig.DEFAULTS.drain());
        orchestrator = Orchestrator.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        orchestrator.stop();
        nomad.close();
        consul.close();
    }

    @Test
    void testIndexIsServedWithoutATokenAndNeverCached()
            throws Exception
    {
        Answer index = request("GET", "/ui/", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(index.header("cache-control")).isEqualTo("no-store");
        assertSecurityHeaders(index);
        assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\"></script>").contains("<link rel=\"stylesheet\" href=\"console.css\">");

        Answer bare = request("GET", "/ui", null);
        assertThat(bare.status()).isEqualTo(301);
        assertThat(bare.header("location")).isEqualTo("/ui/");
        assertThat(request("GET", "/ui/index.html", null).body()).isEqualTo(index.body());
    }

    @Test
    void testAssetsAreRevalidatedByETag()
            throws Exception
    {
        Answer app = request("GET", "/ui/app.js", null);
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(app.header("cache-control")).isEqualTo("no-cache");
        assertSecurityHeaders(app);
        String etag = app.header("etag");
        assertThat(etag).matches("\"[0-9a-f]{24}\"");

        Answer unchanged = request("GET", "/ui/app.js", Map.of("If-None-Match", etag));
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(request("GET", "/ui/app.js", Map.of("If-None-Match", "\"other\"")).status()).isEqualTo(200);

        Answer head = request("HEAD", "/ui/console.css", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(head.body()).isEmpty();
    }

    /** The list the server loads is the directory's content: a file added to the console and not served would be a broken page. */
    @Test
    void testEveryFileOfTheConsoleIsServed()
            throws Exception
    {
        List<String> sources;
        try (Stream<Path> files = Files.list(UI_SOURCES)) {
            sources = files.map(path -> path.getFileName().toString()).sorted().toList();
        }
        assertThat(ConsoleRoutes.FILES).containsExactlyInAnyOrderElementsOf(sources);
        for (String file : sources) {
            Answer answer = request("GET", "/ui/" + file, null);
            assertThat(answer.status()).as(file).isEqualTo(200);
            assertThat(answer.body()).as(file).isEqualTo(Files.readString(UI_SOURCES.resolve(file)));
        }
    }

    @Test
    void testUnknownFilesAndOtherMethodsAreProblems()
            throws Exception
    {
        Answer missing = request("GET", "/ui/nothing.js", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-type")).isEqualTo("application/problem+json");
        assertThat(new JsonObject(missing.body()).getString("type")).isEqualTo("urn:presto-orchestrator:problem:not-found");
        // no directory behind the names: a class file next to the console's resources is not reachable
        assertThat(request("GET", "/ui/../io/prestoorchestrator/app/Orchestrator.class", null).status()).isEqualTo(404);
        assertThat(request("GET", "/ui/%2e%2e/openapi.yaml", null).status()).isEqualTo(401);

        Answer post = request("POST", "/ui/", null);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
        assertThat(post.header("content-type")).isEqualTo("application/problem+json");
    }

    /**
     * Paths that start with /ui/ but resolve elsewhere are routed as what they resolve to, and
     * authenticated as that operation: a /v1 answer is never had through the console's prefix
     * without the token and role the operation needs.
     */
    @Test
    void testTheConsolePrefixIsNoWayAroundAuthentication()
            throws Exception
    {
        List<String> paths = List.of("/ui/../v1/clusters", "/ui/%2e%2e/v1/clusters", "/ui/%2E%2E/v1/clusters/", "/ui/./../v1/clusters",
                "/ui/..%2fv1/clusters", "/ui/%2e%2e%2fv1%2fclusters", "/ui//../v1/clusters", "/ui/..;/v1/clusters", "/ui/..\\v1/clusters");
        for (String path : paths) {
            Answer anonymous = request("GET", path, null);
            assertThat(anonymous.status()).as("GET " + path + " without a token: " + anonymous.body()).isIn(400, 401, 404);
            assertThat(anonymous.body()).as(path).doesNotContain("\"clusters\"");
        }
        assertThat(request("GET", "/ui/../v1/clusters", null).status()).isEqualTo(401);
        assertThat(request("GET", "/ui/../v1/config", Map.of("Authorization", "Bearer " + VIEWER_TOKEN)).status()).isEqualTo(403);
        assertThat(request("GET", "/ui/%2e%2e/v1/config", Map.of("Authorization", "Bearer " + VIEWER_TOKEN)).status()).isEqualTo(403);
        assertThat(request("POST", "/ui/../v1/catalogs", null).status()).isEqualTo(401);
        // and the console itself needs none, while the API it calls does
        assertThat(request("GET", "/v1/info", null).status()).isEqualTo(401);
        assertThat(request("GET", "/v1/info", Map.of("Authorization", "Bearer " + VIEWER_TOKEN)).status()).isEqualTo(200);
    }

    /**
     * The policy forbids inline script and style, so the pages must have none: no script element
     * without src, no event handler or style attribute in the HTML, and no script that turns text
     * into markup or code (innerHTML, eval...), which is how API data could become script.
     */
    @Test
    void testTheConsoleHoldsNothingThePolicyWouldBlockOrThatParsesData()
            throws Exception
    {
        String index = Files.readString(UI_SOURCES.resolve("index.html"));
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(index).find()).as("inline script in index.html").isFalse();
        assertThat(Pattern.compile("\\s(on[a-z]+|style)\\s*=", Pattern.CASE_INSENSITIVE).matcher(index).find()).as("inline handler or style in index.html").isFalse();
        try (Stream<Path> files = Files.list(UI_SOURCES)) {
            for (Path script : files.filter(path -> path.toString().endsWith(".js")).toList()) {
                String text = Files.readString(script);
                assertThat(text).as(script.toString())
                        .doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML").doesNotContain("document.write")
                        .doesNotContain("eval(").doesNotContain("new Function").doesNotContain("localStorage");
            }
        }
        assertThat(Files.readString(UI_SOURCES.resolve("api.js"))).contains("sessionStorage.setItem(TOKEN, token)");
    }

    private static void assertSecurityHeaders(Answer answer)
    {
        String policy = answer.header("content-security-policy");
        assertThat(policy).contains("default-src 'none'").contains("script-src 'self'").contains("style-src 'self'").contains("connect-src 'self'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(answer.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(answer.header("referrer-policy")).isEqualTo("no-referrer");
        assertThat(answer.header("x-frame-options")).isEqualTo("DENY");
    }

    private record Answer(int status, Map<String, String> headers, String body)
    {
        String header(String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One request on its own connection, the path sent exactly as given. */
    private static Answer request(String method, String path, Map<String, String> headers)
            throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), orchestrator.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (method.equals("POST")) {
                head.append("Content-Length: 0\r\n");
            }
            if (headers != null) {
                headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, end).split("\r\n");
            Map<String, String> parsed = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                parsed.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            // every answer here has a Content-Length (no chunks): the body is the rest of the stream
            assertThat(parsed).as(raw.substring(0, end)).doesNotContainKey("transfer-encoding");
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), parsed, raw.substring(end + 4));
        }
    }
}
