package io.prestoorchestrator.api;

import com.sun.net.httpserver.HttpServer;
import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.testing.ConsoleUi;
import io.prestoorchestrator.testing.TestingStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in headless Chromium against the orchestrator on the simulators (no Trino: the
 * cluster's deploy fails, and a stand-in coordinator registered in Consul gives the signal its
 * numbers). The quick companion of {@code LocalStackIT}'s console test, which drives the same pages
 * against the real local stack: here the pages, the role handling, the confirmations, the field
 * errors, keyboard use and the narrow layout. Screenshots: {@code target/console/simulator/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT
{
    private static final Map<String, String> NO_TRINO = Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Path SHOTS = Path.of("target", "console", "simulator");
    private static TestingStack stack;
    private static HttpServer coordinator;
    private static ConsoleUi ui;

    @BeforeAll
    static void start()
            throws Exception
    {
        AutoscalingConfig fast = new AutoscalingConfig(Duration.ofSeconds(1), 4, Duration.ofSeconds(1), Duration.ofHours(1), 0);
        stack = new TestingStack(NO_TRINO, Path.of("../job-templates").toAbsolutePath().normalize(), config -> config.withAutoscaling(fast));
        coordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        coordinator.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().equals("/metrics") ? resource("metrics-busy.txt") : "[]".getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        coordinator.start();
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"web\",\"catalogs\":[\"tpch\"],\"workers\":{\"count\":1,\"min\":0,\"max\":3}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        register("web", coordinator.getAddress().getPort());
        ui = ConsoleUi.open(stack.baseUrl());
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        if (ui != null) {
            ui.close();
        }
        coordinator.stop(0);
        stack.close();
    }

    @Test
    @Order(1)
    void testLoginThenTheClustersPage()
            throws Exception
    {
        ui.go("");
        assertThat(ui.text("#login-form h1")).isEqualTo("Log in");
        assertThat(ui.focusedId()).isEqualTo("login-token");
        ui.type("#login-token", "not-a-token");
        ui.click("#login-submit");
        assertThat(ui.awaitText("#login-problem .problem", "401")).contains("Unauthorized (401)").contains("The bearer token is not valid");

        ui.login(TestingStack.ADMIN_TOKEN);
        assertThat(ui.text("#principal")).isEqualTo("ops");
        assertThat(ui.text("#role")).isEqualTo("admin");
        assertThat(ui.script("return Object.keys(localStorage).length")).isEqualTo(0L);
        assertThat(ui.script("return sessionStorage.getItem('presto-orchestrator.console.token')")).isEqualTo(TestingStack.ADMIN_TOKEN);

        ui.await("#clusters tr[data-cluster=web]");
        assertThat(ui.text("#clusters tr[data-cluster=web] td:nth-of-type(1)")).isEqualTo("trino");
        assertThat(ui.text("#clusters tr[data-cluster=web] td:nth-of-type(2)")).isEqualTo("476");
        // no Trino: never routed, and the page says why
        assertThat(ui.attribute("#clusters tr[data-cluster=web] td.routable", "data-routable")).isEqualTo("false");
        assertThat(ui.text("#clusters tr[data-cluster=web] td.routable .reason")).isNotBlank();
        assertThat(ui.awaitText("#clusters tr[data-cluster=web] td.workers", "(min 0, max 3)")).contains("of 1");
        System.out.println("Console clusters page: " + ui.screenshot(SHOTS, "clusters-1280"));
        ui.resize(ConsoleUi.NARROW);
        assertThat(ui.overflowsHorizontally()).as("the page at 800 px").isFalse();
        System.out.println("Console clusters page: " + ui.screenshot(SHOTS, "clusters-800"));
        ui.resize(ConsoleUi.WIDE);
    }

    @Test
    @Order(2)
    void testTheClusterPage()
            throws Exception
    {
        ui.click("#clusters tr[data-cluster=web] th a");
        assertThat(ui.text("#cluster-title")).startsWith("web");
        assertThat(ui.awaitText("#cluster-spec", "workers.max")).contains("catalogs").contains("tpch");
        assertThat(ui.property("#cli-command", "value")).isEqualTo("trino --server http://web.trino.localhost:8000 --http-proxy 127.0.0.1:8000");
        ui.awaitText("#events", "web");
        // the chart: the stand-in coordinator's numbers, one point a second
        ui.until(driver -> Integer.parseInt(ui.attribute("#signal-chart", "data-available")) >= 2 ? true : null);
        ui.click("#events-text");
        ui.type("#events-text", "zzz-no-such-event");
        assertThat(ui.text("#events-count")).startsWith("0 of ");
        ui.type("#events-text", "");
        assertThat(ui.texts("#events li")).isNotEmpty();
        System.out.println("Console cluster page: " + ui.screenshot(SHOTS, "cluster-1280"));
        ui.resize(ConsoleUi.NARROW);
        assertThat(ui.overflowsHorizontally()).as("the cluster page at 800 px").isFalse();
        System.out.println("Console cluster page: " + ui.screenshot(SHOTS, "cluster-800"));
        ui.resize(ConsoleUi.WIDE);
    }

    /** The confirmation says what a resize does before anything is sent; Escape cancels it, and the count stays. */
    @Test
    @Order(3)
    void testResizeAsksFirstAndSaysWhatHappens()
            throws Exception
    {
        // the deploy without Trino fails after the simulator's restarts: actions wait until the operation ended
        ui.until(driver -> ui.present("#action-restart") && ui.script("return document.getElementById('action-restart').disabled").equals(false) ? true : null,
                Duration.ofMinutes(2));
        ui.type("#resize-count", "0");
        ui.press(Keys.ENTER);
        assertThat(ui.text("#confirm-body")).contains("Resize web 1 -> 0: one worker drains first");
        assertThat(ui.focusedId()).isEqualTo("confirm-cancel");
        System.out.println("Console resize confirmation: " + ui.screenshot(SHOTS, "confirm-resize-1280"));
        ui.press(Keys.ESCAPE);
        ui.until(driver -> ui.present("#confirm-dialog") ? null : true);
        assertThat(new JsonObject(stack.call("GET", "/v1/clusters/web", null).body()).getJsonObject("spec").getJsonObject("workers").getInteger("count")).isEqualTo(1);
    }

    @Test
    @Order(4)
    void testABadCreateShowsTheFieldErrorNextToTheField()
            throws Exception
    {
        ui.go("#/create");
        ui.type("#create-name", "Bad_Name");
        ui.click("#create-submit");
        ui.click("#confirm-ok");
        assertThat(ui.awaitText("#create-name-error", "name")).contains("Bad_Name");
        assertThat(ui.attribute("#create-name", "aria-invalid")).isEqualTo("true");
        assertThat(ui.focusedId()).isEqualTo("create-name");
        assertThat(ui.text("#create-problem-box")).contains("(400)");
        System.out.println("Console create form with a field error: " + ui.screenshot(SHOTS, "create-error-1280"));
        assertThat(stack.call("GET", "/v1/clusters/bad-name", null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void testCatalogSecretsAreReferencesOnly()
            throws Exception
    {
        ui.go("#/catalogs");
        ui.await("#catalogs tr[data-catalog=tpch]");
        assertThat(ui.text("#catalogs tr[data-catalog=tpch]")).contains("web (");
        ui.click("#new-catalog");
        ui.type("#catalog-name", "pg");
        ui.type("#catalog-connector", "postgresql");
        ui.type("#catalog-secrets", "connection-password=hunter2");
        ui.click("#catalog-submit");
        assertThat(ui.awaitText("#catalog-secrets-error", "SSM")).contains("never the value");
        assertThat(stack.call("GET", "/v1/catalogs/pg", null).statusCode()).isEqualTo(404);
        System.out.println("Console catalogs page: " + ui.screenshot(SHOTS, "catalogs-1280"));
    }

    /** A viewer sees everything and is offered no action. */
    @Test
    @Order(6)
    void testAViewerSeesNoActions()
            throws Exception
    {
        ui.click("#logout");
        ui.await("#login-form");
        assertThat(ui.script("return sessionStorage.length")).isEqualTo(0L);
        ui.login(TestingStack.VIEWER_TOKEN);
        assertThat(ui.text("#role")).isEqualTo("viewer");
        assertThat(ui.present("#new-cluster")).isFalse();
        assertThat(ui.script("return document.querySelector('#nav a[href=\"#/create\"]').hidden")).isEqualTo(true);
        ui.go("#/clusters/web");
        assertThat(ui.text("#viewer-notice")).contains("admin token");
        assertThat(ui.present("#action-restart")).isFalse();
        ui.awaitText("#cluster-spec", "workers.count");

        List<String> errors = ui.severeLogs().stream()
                // the answers the test provoked on purpose: the wrong token, the viewer's role probe, the bad create
                .filter(message -> !message.matches(".*the server responded with a status of (400|401|403).*"))
                .toList();
        assertThat(errors).as("errors the page logged").isEmpty();
    }

    private static byte[] resource(String name)
    {
        try (InputStream in = ConsoleIT.class.getResourceAsStream("/trino476/" + name)) {
            return in.readAllBytes();
        }
        catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    private static void register(String cluster, int port)
            throws IOException, InterruptedException
    {
        String body = new JsonObject().put("ID", "stand-in-" + cluster).put("Name", "trino-" + cluster + "-coordinator")
                .put("Address", "127.0.0.1").put("Port", port).put("Tags", List.of("coordinator")).encode();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.consul().baseUri() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
