package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.config.Durations;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Nomad's scale API for the Trino clusters' worker groups, as nomad-autoscaler's Nomad target calls it
 * (issues 6 and 7: scale-in drains, scale-out reuses draining workers). The agent's target for the
 * Trino policies has {@code nomad_address} here instead of Nomad, and this serves the two calls that
 * target makes:
 * <ul>
 * <li>{@code GET /v1/job/:job/scale} (its blocking status query): relayed to Nomad with its token and
 *     index; for a cluster's job the {@code workers} group's {@code Running} is at most the spec's count
 *     (workers a scale-in drains are leaving) and the query blocks for at most {@link #STATUS_WAIT}.
 * <li>{@code PUT|POST /v1/job/:job/scale} with a count for the {@code workers} group of a cluster's
 *     job: {@code ClusterService#autoscale} (operations/), the same resize as the API's, so the workers Nomad will
 *     stop drain first, and a scale-out while a scale-in drains puts those workers back to work
 *     instead of starting new ones. Once the resize is accepted and before anything changes, the
 *     agent's decision is recorded in Nomad's scaling history with the agent's own token (a scale
 *     call without a count, which changes nothing in Nomad): Nomad's ACLs decide whether the agent
 *     may scale the job, and the Nomad UI shows the agent's reason. Any other scale call (another
 *     job or group, no count, an error report) is relayed to Nomad unchanged.
 * </ul>
 * Answers are Nomad's: a 200 with a {@code JobRegisterResponse} and {@code X-Nomad-Index}, errors as
 * plain text, which the agent logs before it tries again at its next evaluation. Every other path is
 * a 404: point other Nomad clients at Nomad.
 */
public final class ScaleFront
{
    /** Metadata key of the front's records in Nomad's scaling history: the count asked for. {@link ScalingEventRecorder} skips those. */
    public static final String REQUESTED_COUNT = "presto_orchestrator.requested_count";
    static final String SCALE_PATH = "/v1/job/:job/scale";
    /** The longest the front lets a status query block: the agent's view of a cluster's workers follows the spec within this. */
    static final Duration STATUS_WAIT = Duration.ofSeconds(5);
    /** Nomad holds a blocking query for at most 10 minutes (its {@code wait} is capped there). */
    /** How long a relayed call may take: Nomad's blocking queries wait up to 10 minutes. */
    public static final Duration RELAY_TIMEOUT = Duration.ofMinutes(11);
    private static final List<String> REQUEST_HEADERS = List.of("X-Nomad-Token", "Authorization");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "X-Nomad-Index", "X-Nomad-KnownLeader", "X-Nomad-LastContact");
    private static final Logger log = LoggerFactory.getLogger(ScaleFront.class);

    private final Vertx vertx;
    private final WebClient client;
    private final NomadConfig nomad;
    private final Autoscaler autoscaler;
    private final Function<String, Optional<ClusterSignal>> signals;
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    /** @param signals the last scaling signal of a cluster ({@code AutoscalingCollector::last}), for the reason recorded with a resize */
    public ScaleFront(Vertx vertx, WebClient client, NomadConfig nomad, Autoscaler autoscaler, Function<String, Optional<ClusterSignal>> signals)
    {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.client = requireNonNull(client, "client is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.autoscaler = requireNonNull(autoscaler, "autoscaler is null");
        this.signals = requireNonNull(signals, "signals is null");
    }

    public Router router()
    {
        Router router = Router.router(vertx);
        // a scale call is JSON: multipart file parts are dropped, never stored under file-uploads/
        BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
        router.get(SCALE_PATH).handler(this::status);
        router.put(SCALE_PATH).handler(body).handler(this::scale);
        router.post(SCALE_PATH).handler(body).handler(this::scale);
        router.route().handler(context -> context.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("presto-orchestrator's scale front serves only GET, PUT and POST " + SCALE_PATH.replace(":job", "<job>")
                        + " (nomad-autoscaler's Nomad target for the Trino worker groups); point other Nomad clients at Nomad (" + nomad.address() + ")"));
        return router;
    }

    /**
     * The agent's status query. For a cluster's job, the workers group's {@code Running} is at most the
     * spec's count: the workers a scale-in drains still run until the count goes down, but they are
     * leaving, and the agent (which compares its target with {@code Running}) must see them as gone to
     * ask for them back. Nomad does not see the spec change, so the query blocks for at most
     * {@link #STATUS_WAIT} and the agent's view follows the spec within that.
     */
    private void status(RoutingContext context)
    {
        String job = context.pathParam("job");
        Optional<String> cluster = clusterOf(job, context.queryParams().get("namespace"));
        if (cluster.isEmpty()) {
            relay(context, Optional.empty());
            return;
        }
        Context here = vertx.getOrCreateContext();
        send(context, HttpMethod.GET, withShortWait(context), Optional.empty()).onComplete(sent -> {
            if (sent.failed()) {
                fail(context, sent.cause());
                return;
            }
            HttpResponse<Buffer> response = sent.result();
            JsonObject workers = null;
            JsonObject body = null;
            if (response.statusCode() == 200) {
                try {
                    body = response.bodyAsJsonObject();
                    workers = body.getJsonObject("TaskGroups", new JsonObject()).getJsonObject(JobNames.WORKER_GROUP);
                }
                catch (DecodeException | ClassCastException e) {
                    workers = null;
                }
            }
            if (workers == null) {
                copy(context, response, Optional.empty());
                return;
            }
            JsonObject status = body;
            JsonObject group = workers;
            autoscaler.specWorkers(cluster.get()).whenComplete((count, failure) -> here.runOnContext(ignored -> {
                if (failure == null && count.isPresent() && group.getValue("Running") instanceof Number running && running.intValue() > count.getAsInt()) {
                    group.put("Running", count.getAsInt());
                }
                copy(context, response, Optional.of(status.toBuffer()));
            }));
        });
    }

    /** The request's URI with its blocking query's {@code wait} at most {@link #STATUS_WAIT}. */
    private static String withShortWait(RoutingContext context)
    {
        StringBuilder uri = new StringBuilder(context.request().path());
        char separator = '?';
        for (Map.Entry<String, String> parameter : context.queryParams()) {
            if (!parameter.getKey().equals("wait")) {
                uri.append(separator).append(encode(parameter.getKey())).append('=').append(encode(parameter.getValue()));
                separator = '&';
            }
        }
        Duration wait = Optional.ofNullable(context.queryParams().get("wait")).flatMap(ScaleFront::goDuration)
                .filter(asked -> asked.compareTo(STATUS_WAIT) < 0)
                .orElse(STATUS_WAIT);
        return uri.append(separator).append("wait=").append(wait.toMillis()).append("ms").toString();
    }

    /** A Go duration of one unit ({@code 300000ms}, {@code 5m}), as Nomad's clients send {@code wait}; the same forms as the configuration's durations. */
    static Optional<Duration> goDuration(String text)
    {
        try {
            return Optional.of(Durations.parse(text));
        }
        catch (IllegalArgumentException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static String encode(String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void scale(RoutingContext context)
    {
        JsonObject body;
        try {
            body = context.body().asJsonObject();
        }
        catch (DecodeException e) {
            text(context, 400, "Request decode failed: " + e.getMessage());
            return;
        }
        if (body == null) {
            text(context, 400, "Request decode failed: no body");
            return;
        }
        String job = context.pathParam("job");
        Optional<String> cluster = clusterOf(job, context.queryParams().get("namespace"));
        Object count = body.getValue("Count");
        JsonObject target = body.getValue("Target") instanceof JsonObject found ? found : new JsonObject();
        boolean workers = JobNames.WORKER_GROUP.equals(target.getValue("Group"));
        boolean error = Boolean.TRUE.equals(body.getValue("Error"));
        if (cluster.isEmpty() || !workers || error || !(count instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
            // not a Trino cluster's worker count: Nomad's business, and Nomad's answer
            relay(context, Optional.of(context.body().buffer()));
            return;
        }
        int wanted = number.intValue();
        String message = Optional.ofNullable(body.getValue("Message")).map(Object::toString).filter(text -> !text.isBlank()).orElse("no reason given");
        String reason = message + "; signal: " + ScalingEventRecorder.signal(signals.apply(cluster.get()));
        JsonObject record = body.copy().putNull("Count").put("Error", false)
                .put("Meta", Optional.ofNullable(body.getJsonObject("Meta")).orElseGet(JsonObject::new).copy().put(REQUESTED_COUNT, wanted));
        Context here = vertx.getOrCreateContext();
        Approval approval = new Approval(context, here, record);
        autoscaler.autoscale(cluster.get(), wanted, reason, approval::record).whenComplete((result, failure) -> here.runOnContext(ignored -> {
            if (failure == null) {
                answer(context, cluster.get(), wanted, result, approval);
            }
            else {
                refuse(context, job, cluster.get(), wanted, Failures.unwrap(failure));
            }
        }));
    }

    /** The cluster named by a job id of the orchestrator's ({@code trino-<cluster>}) in the orchestrator's namespace. */
    private Optional<String> clusterOf(String job, String namespace)
    {
        if (!job.startsWith(ClusterSpec.jobId(""))) {
            return Optional.empty();
        }
        if (namespace != null && !namespace.isEmpty() && !namespace.equals(nomad.namespace())) {
            return Optional.empty();
        }
        return Optional.of(job.substring(ClusterSpec.jobId("").length())).filter(name -> !name.isEmpty());
    }

    private void answer(RoutingContext context, String cluster, int wanted, Autoscaled result, Approval approval)
    {
        String warnings = result.changed()
                ? "presto-orchestrator: operation " + result.operationId().orElse("?") + " resizes cluster " + cluster + " to " + wanted + " worker(s), draining the workers it removes"
                : "presto-orchestrator: cluster " + cluster + " has " + wanted + " worker(s) in its spec already"
                        + result.operationId().map(id -> "; operation " + id + " applies it").orElse("");
        refusals.remove(cluster);
        // the agent repeats a scale-out after each cooldown until the new workers run: those at debug
        (result.changed() ? log.atInfo() : log.atDebug()).addKeyValue("cluster", cluster).addKeyValue("count", wanted).addKeyValue("changed", result.changed())
                .addKeyValue("operation", result.operationId().orElse("")).log("Scale by nomad-autoscaler through the scale front");
        Future<Long> index = approval.index().isPresent()
                ? Future.succeededFuture(approval.index().get())
                // nothing recorded: the agent's client needs an index, and the agent's token must be able to read the job
                : send(context, HttpMethod.GET, Optional.empty()).compose(response -> response.statusCode() == 200
                        ? Future.succeededFuture(indexOf(response))
                        : Future.failedFuture(new Refused(response)));
        index.onComplete(found -> {
            if (found.failed()) {
                fail(context, found.cause());
                return;
            }
            context.response().putHeader("X-Nomad-Index", Long.toString(found.result())).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("EvalID", "").put("EvalCreateIndex", 0).put("JobModifyIndex", 0).put("Warnings", warnings).put("Index", found.result()).encode());
        });
    }

    private void refuse(RoutingContext context, String job, String cluster, int wanted, Throwable failure)
    {
        if (failure instanceof NotFoundException) {
            // a trino-* job the orchestrator does not manage: Nomad's answer
            relay(context, Optional.of(context.body().buffer()));
            return;
        }
        if (failure instanceof Refused) {
            fail(context, failure);
            return;
        }
        int status = failure instanceof ConflictException ? 409 : failure instanceof InvalidInputException ? 400 : 500;
        String message = failure instanceof InvalidInputException invalid && !invalid.fieldErrors().isEmpty()
                ? invalid.fieldErrors().get(0).field() + ": " + invalid.fieldErrors().get(0).message()
                : String.valueOf(failure.getMessage());
        // the agent asks again at every evaluation until the operation in the way ends: once per cluster and reason at info
        boolean news = !message.equals(refusals.put(cluster, message));
        (news ? log.atInfo() : log.atDebug()).addKeyValue("cluster", cluster).addKeyValue("count", wanted).addKeyValue("status", status).addKeyValue("error", message)
                .log("Scale by nomad-autoscaler refused; it tries again at its next evaluation");
        text(context, status, "presto-orchestrator refused to scale job " + job + " group " + JobNames.WORKER_GROUP + " to " + wanted + ": " + message);
    }

    private void relay(RoutingContext context, Optional<Buffer> body)
    {
        send(context, context.request().method(), body).onComplete(sent -> {
            if (sent.failed()) {
                fail(context, sent.cause());
                return;
            }
            copy(context, sent.result(), Optional.empty());
        });
    }

    private Future<HttpResponse<Buffer>> send(RoutingContext context, HttpMethod method, Optional<Buffer> body)
    {
        return send(context, method, context.request().uri(), body);
    }

    private Future<HttpResponse<Buffer>> send(RoutingContext context, HttpMethod method, String uri, Optional<Buffer> body)
    {
        HttpRequest<Buffer> request = client.requestAbs(method, nomad.address().resolve(uri).toString()).timeout(RELAY_TIMEOUT.toMillis());
        MultiMap headers = context.request().headers();
        for (String header : REQUEST_HEADERS) {
            if (headers.contains(header)) {
                request.putHeader(header, headers.getAll(header));
            }
        }
        if (body.isPresent()) {
            request.putHeader("Content-Type", "application/json");
            return request.sendBuffer(body.get());
        }
        return request.send();
    }

    private static void copy(RoutingContext context, HttpResponse<Buffer> response, Optional<Buffer> replacedBody)
    {
        for (String header : RESPONSE_HEADERS) {
            String value = response.getHeader(header);
            if (value != null) {
                context.response().putHeader(header, value);
            }
        }
        context.response().setStatusCode(response.statusCode());
        Buffer body = replacedBody.orElseGet(response::body);
        context.response().end(body == null ? Buffer.buffer() : body);
    }

    private void fail(RoutingContext context, Throwable failure)
    {
        if (failure instanceof Refused refused) {
            copy(context, refused.response, Optional.empty());
            return;
        }
        text(context, 502, "presto-orchestrator's scale front could not reach Nomad at " + nomad.address() + ": " + failure.getMessage());
    }

    private static void text(RoutingContext context, int status, String message)
    {
        context.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message);
    }

    private static long indexOf(HttpResponse<Buffer> response)
    {
        try {
            return Long.parseLong(String.valueOf(response.getHeader("X-Nomad-Index")));
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The agent's decision, recorded in Nomad's scaling history with the agent's token, once the orchestrator has accepted the resize. */
    private final class Approval
    {
        private final RoutingContext context;
        private final Context here;
        private final JsonObject record;
        private volatile Optional<Long> index = Optional.empty();

        Approval(RoutingContext context, Context here, JsonObject record)
        {
            this.context = context;
            this.here = here;
            this.record = record;
        }

        CompletionStage<Void> record()
        {
            CompletableFuture<Void> recorded = new CompletableFuture<>();
            here.runOnContext(ignored -> send(context, HttpMethod.PUT, Optional.of(record.toBuffer())).onComplete(sent -> {
                if (sent.failed()) {
                    recorded.completeExceptionally(sent.cause());
                }
                else if (sent.result().statusCode() != 200) {
                    recorded.completeExceptionally(new Refused(sent.result()));
                }
                else {
                    index = Optional.of(indexOf(sent.result()));
                    recorded.complete(null);
                }
            }));
            return recorded;
        }

        Optional<Long> index()
        {
            return index;
        }
    }

    /** Nomad refused the agent's request (its token, most often): its answer goes back to the agent as it came. */
    private static final class Refused
            extends RuntimeException
    {
        private final transient HttpResponse<Buffer> response;

        Refused(HttpResponse<Buffer> response)
        {
            super("Nomad answered " + response.statusCode() + ": " + response.bodyAsString(), null, false, false);
            this.response = response;
        }
    }
}
