package io.prestoorchestrator.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A stack on real Nomad ({@link TestingStack#onRealNomad}) behind real Traefik ({@link TestingTraefik}), every cluster's
 * public host {@code <cluster>.<domain>} on Traefik's port: what the issue 18 tests (zero-downtime operations through the
 * public URL) share, with the reads they make of a cluster's events and allocations.
 */
public final class TraefikStack
        implements AutoCloseable
{
    /** The events of a blue-green deploy, in order (operations/BlueGreenWorkflow). */
    public static final List<String> BLUE_GREEN_EVENTS = List.of("blue-green-started", "traffic-switched", "old-side-idle", "old-side-stopped", "deploy-succeeded");

    private final TestingStack stack;
    private final TestingTraefik traefik;
    private final String domain;

    private TraefikStack(TestingStack stack, TestingTraefik traefik, String domain)
    {
        this.stack = stack;
        this.traefik = traefik;
        this.domain = domain;
    }

    /** Starts the stack (the orchestrator's environment plus the route domain and Traefik's port) and Traefik, logging to {@code traefikLogs}. */
    public static TraefikStack start(String domain, Path templates, Path traefikLogs)
            throws Exception
    {
        int webPort = TestingTraefik.freePort();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("PRESTO_ORCH_PUBLIC_PORT", Integer.toString(webPort));
        environment.put("PRESTO_ORCH_ROUTE_DOMAIN", domain);
        TestingStack stack = TestingStack.onRealNomad(environment, templates, UnaryOperator.identity());
        try {
            return new TraefikStack(stack, TestingTraefik.start(stack.consul().baseUri(), webPort, traefikLogs), domain);
        }
        catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    public TestingStack stack()
    {
        return stack;
    }

    public TestingTraefik traefik()
    {
        return traefik;
    }

    /** A client with Traefik as its proxy, as the Trino CLI reaches a cluster ({@code --http-proxy}). */
    public HttpClient client()
    {
        return traefik.client();
    }

    public String publicUrl(String cluster)
    {
        return "http://" + cluster + "." + domain + ":" + traefik.webPort();
    }

    /** The cluster's events from a second before {@code since}. */
    public List<JsonObject> events(String cluster, Instant since)
            throws IOException, InterruptedException
    {
        return new JsonObject(stack.call("GET", "/v1/clusters/" + cluster + "/events", null).body()).getJsonArray("events").stream()
                .map(JsonObject.class::cast).filter(event -> !Instant.parse(event.getString("at")).isBefore(since.minusSeconds(1))).toList();
    }

    public static List<String> types(List<JsonObject> events)
    {
        return events.stream().map(event -> event.getString("type")).toList();
    }

    /** When the first event of {@code type} happened. */
    public static Instant firstAt(List<JsonObject> events, String type)
    {
        return events.stream().filter(event -> event.getString("type").equals(type)).map(event -> Instant.parse(event.getString("at"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event " + type + " in " + types(events)));
    }

    /** Running allocations of the job: ID to "group, task started at, restarts": a replacement or a restart of the task changes it. */
    public Map<String, String> runningAllocations(String jobId)
            throws IOException, InterruptedException
    {
        Map<String, String> running = new TreeMap<>();
        for (Object item : new JsonArray(stack.callNomad("GET", "/v1/job/" + jobId + "/allocations", null).body())) {
            JsonObject stub = (JsonObject) item;
            if (stub.getString("ClientStatus").equals("running")) {
                JsonObject task = stub.getJsonObject("TaskStates").getJsonObject("trino");
                running.put(stub.getString("ID"), stub.getString("TaskGroup") + ", started " + task.getString("StartedAt") + ", restarts " + task.getInteger("Restarts"));
            }
        }
        return running;
    }

    @Override
    public void close()
            throws Exception
    {
        try (AutoCloseable closeStack = stack; AutoCloseable closeTraefik = traefik) {
            // closed in reverse order: Traefik first
        }
    }
}
