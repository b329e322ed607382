package io.prestoorchestrator.testing;

import io.prestoorchestrator.autoscaling.ClusterStats;
import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.drain.WorkerState;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A coordinator and its workers speaking one flavour's protocol over HTTP, for the flavour contracts
 * ({@code io.prestoorchestrator.flavour}). The coordinator answers what the orchestrator reads of it:
 * <ul>
 * <li>Trino 476: {@code /metrics} with the OpenMetrics names of {@link CoordinatorMetrics} (a user is needed:
 * 401 without {@code X-Trino-User}); its active nodes count itself and the ACTIVE workers, the DRAINING,
 * DRAINED and SHUTTING_DOWN ones apart. No {@code /v1/cluster} (404).</li>
 * <li>PrestoDB 0.287: {@code /v1/cluster} ({@link ClusterStats}'s fields, no user needed); its
 * {@code activeWorkers} counts every worker still there, one SHUTTING_DOWN included, until it is gone
 * (seen on 0.287). No {@code /metrics} (404).</li>
 * <li>Both: {@code /v1/query}, the query list in the shape both give ({@code queryId}, {@code state},
 * {@code session.user}, {@code errorType}, {@code errorCode.name}, {@code queryStats.endTime}).</li>
 * </ul>
 * Each worker is a {@link FakeTrinoWorker} {@link FakeTrinoWorker#speaking speaking} the flavour's state API.
 * {@link #starting} makes the coordinator answer 503, as one whose server has not started.
 */
public final class FakeEngine
        implements AutoCloseable
{
    private final Vertx vertx;
    private final Scheduler scheduler;
    private final FlavourProfile profile;
    private final HttpServer coordinator;
    private final List<FakeTrinoWorker> workers = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<JsonObject> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger queryIds = new AtomicInteger();
    private volatile boolean starting;
    private volatile int queued;
    private volatile int blocked;

    public FakeEngine(Vertx vertx, Scheduler scheduler, Flavour flavour)
    {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.profile = flavour.profile();
        this.coordinator = vertx.createHttpServer().requestHandler(this::handle);
        coordinator.listen(0, "127.0.0.1").await();
    }

    public URI coordinator()
    {
        return URI.create("http://127.0.0.1:" + coordinator.actualPort());
    }

    public int coordinatorPort()
    {
        return coordinator.actualPort();
    }

    /** A new ACTIVE worker of this engine, announced to the coordinator at once. */
    public FakeTrinoWorker addWorker()
    {
        FakeTrinoWorker worker = new FakeTrinoWorker(vertx, scheduler).speaking(profile);
        workers.add(worker);
        return worker;
    }

    public FakeEngine starting(boolean starting)
    {
        this.starting = starting;
        return this;
    }

    public FakeEngine queued(int queued)
    {
        this.queued = queued;
        return this;
    }

    public FakeEngine blocked(int blocked)
    {
        this.blocked = blocked;
        return this;
    }

    /** A query of {@code user} that runs until {@link #finish}; answers its id. */
    public String run(String user)
    {
        String id = "20261207_140000_%05d_fake".formatted(queryIds.incrementAndGet());
        queries.add(new JsonObject().put("queryId", id).put("state", "RUNNING").put("session", new JsonObject().put("user", user))
                .put("queryStats", new JsonObject().put("createTime", "2026-12-07T14:00:00Z")));
        return id;
    }

    /** Ends a query run by {@link #run}: {@code FINISHED}, or {@code FAILED} with the error given. */
    public void finish(String queryId, String state, String errorType, String errorName)
    {
        JsonObject query = queries.stream().filter(each -> each.getString("queryId").equals(queryId)).findFirst().orElseThrow();
        query.put("state", state).getJsonObject("queryStats").put("endTime", "2026-12-07T14:00:10Z");
        if (errorType != null) {
            query.put("errorType", errorType).put("errorCode", new JsonObject().put("name", errorName).put("type", errorType));
        }
    }

    /** Every request the coordinator got, as {@code "GET /path?query as user"} (the user of the flavour's header). */
    public List<String> coordinatorRequests()
    {
        return List.copyOf(requests);
    }

    private void handle(HttpServerRequest request)
    {
        String user = request.getHeader(profile.userHeader());
        requests.add(request.method().name() + " " + request.uri() + " as " + user);
        if (starting) {
            request.response().setStatusCode(503).end("the server is starting");
            return;
        }
        String path = request.path();
        if (path.equals("/v1/query")) {
            if (profile.flavour() == Flavour.TRINO && user == null) {
                request.response().setStatusCode(401).end();
                return;
            }
            String state = request.getParam("state");
            JsonArray list = new JsonArray(queries.stream().filter(query -> state == null || state.equals(query.getString("state"))).map(JsonObject::copy).toList());
            json(request, list.encode());
        }
        else if (path.equals("/metrics") && profile.signal() == FlavourProfile.SignalSource.OPENMETRICS) {
            if (user == null) {
                request.response().setStatusCode(401).end();
                return;
            }
            request.response().putHeader("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8").end(openMetrics());
        }
        else if (path.equals(ClusterStats.PATH) && profile.signal() == FlavourProfile.SignalSource.CLUSTER_STATS) {
            json(request, new JsonObject().put("runningQueries", running()).put("blockedQueries", blocked).put("queuedQueries", queued)
                    .put("activeWorkers", (int) present().count()).put("runningDrivers", 0).put("runningTasks", 0).put("reservedMemory", 0.0)
                    .put("totalInputRows", 0).put("totalInputBytes", 0).put("totalCpuTimeSecs", 0).put("adjustedQueueSize", 0).encode());
        }
        else {
            request.response().setStatusCode(404).end();
        }
    }

    private String openMetrics()
    {
        StringBuilder text = new StringBuilder();
        sample(text, CoordinatorMetrics.RUNNING, running());
        sample(text, CoordinatorMetrics.QUEUED, queued);
        sample(text, CoordinatorMetrics.FULLY_BLOCKED, blocked);
        sample(text, CoordinatorMetrics.ACTIVE, 1 + inState(WorkerState.ACTIVE));
        sample(text, CoordinatorMetrics.DRAINING, inState(WorkerState.DRAINING));
        sample(text, CoordinatorMetrics.DRAINED, inState(WorkerState.DRAINED));
        sample(text, CoordinatorMetrics.SHUTTING_DOWN, inState(WorkerState.SHUTTING_DOWN));
        return text.append("# EOF\n").toString();
    }

    private static void sample(StringBuilder text, String name, long value)
    {
        text.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append(".0\n");
    }

    private int running()
    {
        return (int) queries.stream().filter(query -> query.getString("state").equals("RUNNING")).count();
    }

    private java.util.stream.Stream<FakeTrinoWorker> present()
    {
        return workers.stream().filter(worker -> !worker.isGone());
    }

    private long inState(WorkerState state)
    {
        return present().filter(worker -> worker.state() == state).count();
    }

    private static void json(HttpServerRequest request, String body)
    {
        request.response().putHeader("Content-Type", "application/json").end(body);
    }

    @Override
    public void close()
    {
        workers.forEach(FakeTrinoWorker::close);
        coordinator.close().await();
    }
}
