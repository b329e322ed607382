package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.prestoorchestrator.sim.nomad.ClusterState.Deployment;
import io.prestoorchestrator.sim.nomad.ClusterState.JobEntry;
import io.prestoorchestrator.sim.nomad.ClusterState.PolicyEntry;
import io.prestoorchestrator.sim.nomad.ClusterState.VarEntry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Nomad's HTTP API over the simulated cluster. Plain-text errors, X-Nomad-* headers, blocking
 * queries ({@code index}, {@code wait}) and ACL enforcement as the real agent does them.
 */
final class HttpApi
        implements Handler<HttpServerRequest>
{
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final String INVALID_METHOD = "Invalid method";
    private static final long MAX_BODY = 16 * 1024 * 1024;

    private final Vertx vertx;
    private final ClusterState state;
    private final NomadSimulatorConfig config;
    private final Supplier<String> advertiseAddress;
    private final AtomicInteger parked = new AtomicInteger();
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> requestCounts = new java.util.concurrent.ConcurrentHashMap<>();

    record Reply(long index, JsonNode body) {}

    HttpApi(Vertx vertx, ClusterState state, NomadSimulatorConfig config, Supplier<String> advertiseAddress)
    {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.state = requireNonNull(state, "state is null");
        this.config = requireNonNull(config, "config is null");
        this.advertiseAddress = requireNonNull(advertiseAddress, "advertiseAddress is null");
    }

    @Override
    public void handle(HttpServerRequest request)
    {
        request.body().onComplete(body -> {
            if (body.failed()) {
                request.response().setStatusCode(400).end(body.cause().getMessage());
                return;
            }
            Buffer buffer = body.result();
            if (buffer.length() > MAX_BODY) {
                request.response().setStatusCode(413).end("request body too large");
                return;
            }
            try {
                dispatch(request, buffer.toString(StandardCharsets.UTF_8));
            }
            catch (NomadApiException e) {
                fail(request, e.status(), e.getMessage());
            }
            catch (ClusterState.VariableConflict e) {
                HttpServerResponse response = request.response();
                headers(response, e.index);
                response.setStatusCode(409).end(Buffer.buffer(Json.bytes(e.current)));
            }
            catch (RuntimeException e) {
                log.warn("internal error on {} {}", request.method(), request.path(), e);
                fail(request, 500, e.toString());
            }
        });
    }

    private void fail(HttpServerRequest request, int status, String message)
    {
        if (request.response().ended()) {
            return;
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message);
    }

    /** Requests served so far from clients whose User-Agent starts with the prefix, by "METHOD /path" (query dropped). */
    java.util.Map<String, Long> requestCounts(String userAgentPrefix)
    {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        requestCounts.forEach((key, count) -> {
            int tab = key.indexOf('\t');
            if (key.substring(0, tab).startsWith(userAgentPrefix)) {
                counts.merge(key.substring(tab + 1), count.get(), Long::sum);
            }
        });
        return counts;
    }

    private void dispatch(HttpServerRequest request, String body)
    {
        String path = request.path();
        HttpMethod method = request.method();
        String userAgent = request.getHeader("User-Agent") == null ? "" : request.getHeader("User-Agent");
        requestCounts.computeIfAbsent(userAgent + "\t" + method.name() + " " + path, key -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
        log.debug("request: {} {}", method, request.uri());
        if (!path.startsWith("/v1/")) {
            unknown(request);
            return;
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.substring(4).split("/", -1)) {
            parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
        }
        String first = parts.get(0);
        if (first.equals("status")) {
            status(request, parts);
            return;
        }
        authorize(request);
        switch (first) {
            case "jobs" -> {
                if (parts.size() != 1) {
                    unknown(request);
                }
                else if (method == HttpMethod.GET) {
                    blocking(request, () -> listJobsReply(request));
                }
                else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    register(request, body, null);
                }
                else {
                    throw new NomadApiException(405, INVALID_METHOD);
                }
            }
            case "job" -> job(request, parts, body);
            case "allocations" -> exact(request, parts, 1, () -> blocking(request, () -> listAllocs(request, alloc -> true, "allocs")));
            case "allocation" -> allocation(request, parts);
            case "evaluations" -> exact(request, parts, 1, () -> blocking(request, () -> listEvals(request, eval -> true)));
            case "evaluation" -> evaluation(request, parts);
            case "deployments" -> exact(request, parts, 1, () -> blocking(request, () -> listDeployments(d -> true)));
            case "deployment" -> deployment(request, parts);
            case "nodes" -> exact(request, parts, 1, () -> blocking(request, () -> listNodes(request)));
            case "node" -> node(request, parts, body);
            case "scaling" -> scaling(request, parts);
            case "vars" -> exact(request, parts, 1, () -> blocking(request, () -> listVars(request)));
            case "var" -> variable(request, parts, body);
            case "agent" -> agent(request, parts);
            case "regions" -> exact(request, parts, 1, () -> respond(request, new Reply(0, Json.array().add(config.region()))));
            default -> unknown(request);
        }
    }

    private void exact(HttpServerRequest request, List<String> parts, int size, Runnable action)
    {
        if (parts.size() != size) {
            unknown(request);
            return;
        }
        if (request.method() != HttpMethod.GET) {
            throw new NomadApiException(405, INVALID_METHOD);
        }
        action.run();
    }

    private void unknown(HttpServerRequest request)
    {
        log.warn("unknown endpoint: {} {}", request.method(), request.uri());
        fail(request, 404, "404 page not found\n");
    }

    private void authorize(HttpServerRequest request)
    {
        if (config.aclToken().isEmpty()) {
            return;
        }
        String token = request.getHeader("X-Nomad-Token");
        if (token == null) {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.startsWith("Bearer ")) {
                token = authorization.substring("Bearer ".length()).trim();
            }
        }
        if (token == null || token.isEmpty()) {
            throw NomadApiException.permissionDenied();
        }
        if (!token.equals(config.aclToken().get())) {
            throw new NomadApiException(403, "ACL token not found");
        }
    }

    // ---------------------------------------------------------------- responses and blocking

    private void headers(HttpServerResponse response, long index)
    {
        response.putHeader("Content-Type", "application/json");
        response.putHeader("X-Nomad-Index", Long.toString(Math.max(index, 1)));
        response.putHeader("X-Nomad-KnownLeader", "true");
        response.putHeader("X-Nomad-LastContact", "0");
    }

    private void respond(HttpServerRequest request, Reply reply)
    {
        HttpServerResponse response = request.response();
        if (response.ended()) {
            return;
        }
        headers(response, reply.index());
        response.end(Buffer.buffer(Json.bytes(reply.body())));
    }

    private void blocking(HttpServerRequest request, Supplier<Reply> query)
    {
        long minIndex = parseLong(request.getParam("index"), "index");
        Duration wait = parseWait(request.getParam("wait"));
        Context context = vertx.getOrCreateContext();
        AtomicBoolean done = new AtomicBoolean();
        Reply first = state.read(() -> {
            Reply reply = query.get();
            if (minIndex > 0 && reply.index() <= minIndex) {
                registerWaiter(request, query, minIndex, context, done);
            }
            return reply;
        });
        if (minIndex == 0 || first.index() > minIndex) {
            respond(request, first);
            return;
        }
        parked.incrementAndGet();
        vertx.setTimer(Math.max(1, wait.toMillis()), timer -> {
            if (done.compareAndSet(false, true)) {
                parked.decrementAndGet();
                answer(request, query);
            }
        });
        request.connection().closeHandler(closed -> {
            if (done.compareAndSet(false, true)) {
                parked.decrementAndGet();
            }
        });
    }

    /** Blocking queries waiting now for a change or their wait time. */
    int parkedQueries()
    {
        return parked.get();
    }

    private void registerWaiter(HttpServerRequest request, Supplier<Reply> query, long minIndex, Context context, AtomicBoolean done)
    {
        state.onNextChange(() -> context.runOnContext(ignored -> {
            if (done.get()) {
                return;
            }
            Reply reply = state.read(() -> {
                Reply next = query.get();
                if (next.index() <= minIndex) {
                    registerWaiter(request, query, minIndex, context, done);
                }
                return next;
            });
            if (reply.index() > minIndex && done.compareAndSet(false, true)) {
                parked.decrementAndGet();
                respond(request, reply);
            }
        }));
    }

    private void answer(HttpServerRequest request, Supplier<Reply> query)
    {
        try {
            respond(request, state.read(query));
        }
        catch (NomadApiException e) {
            fail(request, e.status(), e.getMessage());
        }
    }

    private static long parseLong(String value, String name)
    {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            throw NomadApiException.badRequest("Failed to parse " + name + ": " + e.getMessage());
        }
    }

    static Duration parseWait(String value)
    {
        if (value == null || value.isEmpty()) {
            return Duration.ofMinutes(5);
        }
        Duration wait;
        try {
            wait = GoDuration.parse(value);
        }
        catch (IllegalArgumentException e) {
            throw NomadApiException.badRequest("Invalid wait time");
        }
        return wait.compareTo(Duration.ofMinutes(10)) > 0 ? Duration.ofMinutes(10) : wait;
    }

    private static String namespace(HttpServerRequest request)
    {
        String namespace = request.getParam("namespace");
        return namespace == null || namespace.isEmpty() ? "default" : namespace;
    }

    private static boolean param(HttpServerRequest request, String name)
    {
        String value = request.getParam(name);
        return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
    }

    private static String prefix(HttpServerRequest request)
    {
        String prefix = request.getParam("prefix");
        return prefix == null ? "" : prefix;
    }

    // ---------------------------------------------------------------- status and agent

    private void status(HttpServerRequest request, List<String> parts)
    {
        if (parts.size() != 2) {
            unknown(request);
            return;
        }
        String server = advertiseAddress.get().replaceFirst(":\\d+$", "") + ":4647";
        switch (parts.get(1)) {
            case "leader" -> respond(request, new Reply(state.latestIndex(), TextNode.valueOf(server)));
            case "peers" -> respond(request, new Reply(state.latestIndex(), Json.array().add(server)));
            default -> unknown(request);
        }
    }

    private void agent(HttpServerRequest request, List<String> parts)
    {
        if (parts.size() == 2 && parts.get(1).equals("self")) {
            ObjectNode self = Json.object();
            ObjectNode agentConfig = Json.object();
            agentConfig.put("Region", config.region());
            agentConfig.put("Datacenter", config.nodes().isEmpty() ? "dc1" : config.nodes().get(0).datacenter());
            agentConfig.put("NodeName", "nomad-simulator");
            ObjectNode acl = Json.object();
            acl.put("Enabled", config.aclToken().isPresent());
            agentConfig.set("ACL", acl);
            ObjectNode version = Json.object();
            version.put("Version", VirtualNode.NOMAD_VERSION);
            version.put("VersionPrerelease", "");
            version.put("VersionMetadata", "");
            agentConfig.set("Version", version);
            ObjectNode server = Json.object();
            server.put("Enabled", true);
            agentConfig.set("Server", server);
            ObjectNode client = Json.object();
            client.put("Enabled", true);
            agentConfig.set("Client", client);
            self.set("config", agentConfig);
            ObjectNode member = Json.object();
            member.put("Name", "nomad-simulator." + config.region());
            member.put("Addr", "127.0.0.1");
            member.put("Port", 4648);
            ObjectNode tags = Json.object();
            tags.put("region", config.region());
            tags.put("dc", agentConfig.get("Datacenter").asText());
            tags.put("role", "nomad");
            tags.put("build", VirtualNode.NOMAD_VERSION);
            member.set("Tags", tags);
            member.put("Status", "alive");
            self.set("member", member);
            ObjectNode stats = Json.object();
            ObjectNode nomad = Json.object();
            nomad.put("leader", "true");
            nomad.put("server", "true");
            stats.set("nomad", nomad);
            self.set("stats", stats);
            respond(request, new Reply(0, self));
            return;
        }
        if (parts.size() == 2 && parts.get(1).equals("health")) {
            ObjectNode health = Json.object();
            ObjectNode ok = Json.object();
            ok.put("ok", true);
            ok.put("message", "ok");
            health.set("client", ok);
            health.set("server", ok.deepCopy());
            respond(request, new Reply(0, health));
            return;
        }
        unknown(request);
    }

    // ---------------------------------------------------------------- jobs

    private void register(HttpServerRequest request, String body, String pathJobId)
    {
        if (body.isEmpty()) {
            throw NomadApiException.badRequest("Request body is empty");
        }
        JsonNode root = Json.parse(body);
        if (!root.isObject()) {
            throw NomadApiException.badRequest("json: cannot unmarshal " + (root.isArray() ? "array" : "value") + " into Go value of type api.JobRegisterRequest");
        }
        JsonNode jobNode = Json.field(root, "Job");
        if (jobNode == null) {
            throw NomadApiException.badRequest("Job must be specified");
        }
        if (Json.field(jobNode, "ID") == null) {
            throw NomadApiException.badRequest("Job ID hasn't been provided");
        }
        if (pathJobId != null && !Json.field(jobNode, "ID").asText().equals(pathJobId)) {
            throw NomadApiException.badRequest("Job ID does not match name");
        }
        JsonNode enforce = Json.field(root, "EnforceIndex");
        if (enforce != null && !enforce.isBoolean()) {
            throw NomadApiException.badRequest("json: cannot unmarshal " + enforce.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " into Go struct field JobRegisterRequest.EnforceIndex of type bool");
        }
        List<String> unknownFields = new ArrayList<>();
        ObjectNode job = JobSpec.canonicalize(jobNode, config.region(), unknownFields);
        if (job.get("Type").asText().equals("system")) {
            for (JsonNode group : job.get("TaskGroups")) {
                if (!group.get("Scaling").isNull()) {
                    throw NomadApiException.badRequest("Task groups with job type system do not support scaling blocks");
                }
            }
        }
        if (!unknownFields.isEmpty()) {
            log.warn("job {} has fields Nomad ignores: {}", job.get("ID").asText(), unknownFields);
        }
        JobSpec.validate(job);
        String requestNamespace = request.getParam("namespace");
        if (requestNamespace != null && !requestNamespace.isEmpty()) {
            job.put("Namespace", requestNamespace);
        }
        if (!job.get("Namespace").asText().equals("default")) {
            throw new NomadApiException(500, "job \"" + job.get("ID").asText() + "\" is in nonexistent namespace \"" + job.get("Namespace").asText() + "\"");
        }
        ClusterState.RegisterResult result = state.register(job, enforce != null && enforce.asBoolean(), Json.number(root, "JobModifyIndex", 0), "");
        ObjectNode out = Json.object();
        out.put("EvalID", result.evalId());
        out.put("EvalCreateIndex", result.evalCreateIndex());
        out.put("JobModifyIndex", result.jobModifyIndex());
        out.put("Warnings", result.warnings());
        out.put("Index", result.index());
        out.put("LastIndex", 0);
        out.put("KnownLeader", false);
        out.put("LastContact", 0);
        out.put("NextToken", "");
        respond(request, new Reply(result.index(), out));
    }

    private void job(HttpServerRequest request, List<String> parts, String body)
    {
        if (parts.size() < 2 || parts.get(1).isEmpty()) {
            unknown(request);
            return;
        }
        String jobId = parts.get(1);
        String namespace = namespace(request);
        HttpMethod method = request.method();
        String action = parts.size() > 2 ? String.join("/", parts.subList(2, parts.size())) : "";
        switch (action) {
            case "" -> {
                if (method == HttpMethod.GET) {
                    blocking(request, () -> {
                        JobEntry job = state.job(namespace, jobId);
                        if (job == null) {
                            throw NomadApiException.notFound("job not found");
                        }
                        return new Reply(job.current.get("ModifyIndex").asLong(), job.current.deepCopy());
                    });
                }
                else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    register(request, body, jobId);
                }
                else if (method == HttpMethod.DELETE) {
                    ClusterState.DeregisterResult result = state.deregister(namespace, jobId, param(request, "purge"));
                    ObjectNode out = Json.object();
                    out.put("EvalID", result.evalId());
                    out.put("EvalCreateIndex", result.index());
                    out.put("JobModifyIndex", result.jobModifyIndex());
                    out.put("VolumeEvalID", "");
                    out.put("VolumeEvalIndex", 0);
                    out.put("Index", result.index());
                    out.put("LastIndex", 0);
                    out.put("KnownLeader", false);
                    out.put("LastContact", 0);
                    out.put("NextToken", "");
                    respond(request, new Reply(result.index(), out));
                }
                else {
                    throw new NomadApiException(405, INVALID_METHOD);
                }
            }
            case "plan" -> {
                requireMethod(request, HttpMethod.PUT, HttpMethod.POST);
                plan(request, body, jobId, namespace);
            }
            case "versions" -> {
                requireMethod(request, HttpMethod.GET);
                boolean diffs = param(request, "diffs");
                blocking(request, () -> {
                    JobEntry job = state.job(namespace, jobId);
                    if (job == null) {
                        throw NomadApiException.notFound("job versions not found");
                    }
                    ObjectNode out = Json.object();
                    ArrayNode versions = Json.array();
                    job.versions.forEach(v -> versions.add(v.deepCopy()));
                    out.set("Versions", versions);
                    if (diffs) {
                        ArrayNode diffArray = Json.array();
                        for (int i = 0; i + 1 < job.versions.size(); i++) {
                            diffArray.add(JobDiff.diff(job.versions.get(i + 1), job.versions.get(i)));
                        }
                        out.set("Diffs", diffArray);
                    }
                    else {
                        out.putNull("Diffs");
                    }
                    return new Reply(job.versions.isEmpty() ? 1 : job.versions.get(0).get("ModifyIndex").asLong(), out);
                });
            }
            case "scale" -> {
                if (method == HttpMethod.GET) {
                    blocking(request, () -> scaleStatus(namespace, jobId));
                }
                else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    scale(request, body, jobId, namespace);
                }
                else {
                    throw new NomadApiException(405, INVALID_METHOD);
                }
            }
            case "allocations" -> {
                requireMethod(request, HttpMethod.GET);
                boolean all = param(request, "all");
                blocking(request, () -> {
                    JobEntry job = state.job(namespace, jobId);
                    return listAllocs(request, alloc -> alloc.jobId.equals(jobId) && alloc.namespace.equals(namespace)
                            && (all || job == null || alloc.jobCreateIndex == job.createIndex), "allocs");
                });
            }
            case "evaluations" -> {
                requireMethod(request, HttpMethod.GET);
                blocking(request, () -> listEvals(request, eval -> eval.get("JobID").asText().equals(jobId)));
            }
            case "deployments" -> {
                requireMethod(request, HttpMethod.GET);
                blocking(request, () -> listDeployments(d -> d.jobId.equals(jobId) && d.namespace.equals(namespace)));
            }
            case "deployment" -> {
                requireMethod(request, HttpMethod.GET);
                blocking(request, () -> {
                    JobEntry job = state.job(namespace, jobId);
                    Deployment latest = job == null ? null : state.latestDeployment(job);
                    return new Reply(state.tableIndex("deployment"), latest == null ? Json.nullable(null) : latest.toJson());
                });
            }
            case "summary" -> {
                requireMethod(request, HttpMethod.GET);
                blocking(request, () -> {
                    JobEntry job = state.job(namespace, jobId);
                    if (job == null) {
                        throw NomadApiException.notFound("job not found");
                    }
                    return new Reply(state.tableIndex("job_summary"), summary(job));
                });
            }
            default -> unknown(request);
        }
    }

    private static void requireMethod(HttpServerRequest request, HttpMethod... methods)
    {
        for (HttpMethod method : methods) {
            if (request.method() == method) {
                return;
            }
        }
        throw new NomadApiException(405, INVALID_METHOD);
    }

    private ObjectNode summary(JobEntry job)
    {
        ObjectNode out = Json.object();
        out.put("JobID", job.id);
        out.put("Namespace", job.namespace);
        ObjectNode groups = Json.object();
        for (JsonNode group : job.current.get("TaskGroups")) {
            ObjectNode counts = Json.object();
            for (String field : List.of("Queued", "Complete", "Failed", "Running", "Starting", "Lost", "Unknown")) {
                counts.put(field, 0);
            }
            groups.set(group.get("Name").asText(), counts);
        }
        for (Allocation alloc : state.allocs()) {
            if (!alloc.jobId.equals(job.id) || alloc.jobCreateIndex != job.createIndex) {
                continue;
            }
            ObjectNode counts = (ObjectNode) groups.get(alloc.group);
            if (counts == null) {
                continue;
            }
            String field = switch (alloc.clientStatus) {
                case "running" -> "Running";
                case "pending" -> "Starting";
                case "complete" -> "Complete";
                case "failed" -> "Failed";
                case "lost" -> "Lost";
                default -> "Unknown";
            };
            counts.put(field, counts.get(field).asInt() + 1);
        }
        out.set("Summary", groups);
        ObjectNode children = Json.object();
        children.put("Pending", 0);
        children.put("Running", 0);
        children.put("Dead", 0);
        out.set("Children", children);
        out.put("CreateIndex", job.createIndex);
        out.put("ModifyIndex", state.tableIndex("job_summary"));
        return out;
    }

    private Reply listJobsReply(HttpServerRequest request)
    {
        String prefix = prefix(request);
        String namespace = request.getParam("namespace");
        boolean meta = param(request, "meta");
        ArrayNode out = Json.array();
        state.jobs().stream()
                .filter(job -> job.id.startsWith(prefix))
                .filter(job -> namespace == null || namespace.equals("*") || namespace.equals(job.namespace))
                .sorted(Comparator.comparing(job -> job.id))
                .forEach(job -> {
                    JsonNode j = job.current;
                    ObjectNode stub = Json.object();
                    stub.put("ID", job.id);
                    stub.put("ParentID", j.get("ParentID").asText());
                    stub.put("Name", j.get("Name").asText());
                    stub.put("Namespace", job.namespace);
                    stub.set("Datacenters", j.get("Datacenters").deepCopy());
                    stub.put("NodePool", j.get("NodePool").asText());
                    stub.put("Multiregion", (String) null);
                    stub.put("Type", j.get("Type").asText());
                    stub.put("Priority", j.get("Priority").asInt());
                    stub.put("Periodic", !j.get("Periodic").isNull());
                    stub.put("ParameterizedJob", !j.get("ParameterizedJob").isNull());
                    stub.put("Stop", j.get("Stop").asBoolean());
                    stub.put("Status", j.get("Status").asText());
                    stub.put("StatusDescription", j.get("StatusDescription").asText());
                    stub.set("JobSummary", summary(job));
                    stub.put("CreateIndex", job.createIndex);
                    stub.put("ModifyIndex", j.get("ModifyIndex").asLong());
                    stub.put("JobModifyIndex", j.get("JobModifyIndex").asLong());
                    stub.put("SubmitTime", j.get("SubmitTime").asLong());
                    if (meta && !j.get("Meta").isNull()) {
                        stub.set("Meta", j.get("Meta").deepCopy());
                    }
                    out.add(stub);
                });
        return new Reply(state.tableIndex("jobs"), out);
    }

    private Reply scaleStatus(String namespace, String jobId)
    {
        JobEntry job = state.job(namespace, jobId);
        if (job == null) {
            throw NomadApiException.notFound("job not found");
        }
        ObjectNode out = Json.object();
        out.put("JobID", job.id);
        out.put("Namespace", job.namespace);
        out.put("JobCreateIndex", job.createIndex);
        out.put("JobModifyIndex", job.current.get("ModifyIndex").asLong());
        out.put("JobStopped", job.current.get("Stop").asBoolean());
        ObjectNode groups = Json.object();
        long maxIndex = Math.max(job.current.get("ModifyIndex").asLong(), job.eventsIndex);
        for (JsonNode group : job.current.get("TaskGroups")) {
            String name = group.get("Name").asText();
            int placed = 0;
            int running = 0;
            int healthy = 0;
            int unhealthy = 0;
            for (Allocation alloc : state.allocs()) {
                if (!alloc.jobId.equals(jobId) || !alloc.group.equals(name) || alloc.terminal()) {
                    continue;
                }
                placed++;
                running += alloc.clientStatus.equals("running") ? 1 : 0;
                healthy += Boolean.TRUE.equals(alloc.healthy) ? 1 : 0;
                unhealthy += Boolean.FALSE.equals(alloc.healthy) ? 1 : 0;
                maxIndex = Math.max(maxIndex, alloc.modifyIndex);
            }
            ObjectNode status = Json.object();
            status.put("Desired", group.get("Count").asInt());
            status.put("Placed", placed);
            status.put("Running", running);
            status.put("Healthy", healthy);
            status.put("Unhealthy", unhealthy);
            List<ObjectNode> events = job.scalingEvents.get(name);
            if (events == null) {
                status.putNull("Events");
            }
            else {
                ArrayNode array = Json.array();
                events.forEach(e -> array.add(e.deepCopy()));
                status.set("Events", array);
            }
            groups.set(name, status);
        }
        // allocations stopped since the last change also move the index
        for (Allocation alloc : state.allocs()) {
            if (alloc.jobId.equals(jobId)) {
                maxIndex = Math.max(maxIndex, alloc.modifyIndex);
            }
        }
        out.set("TaskGroups", groups);
        return new Reply(maxIndex, out);
    }

    private void scale(HttpServerRequest request, String body, String jobId, String namespace)
    {
        if (body.isEmpty()) {
            throw NomadApiException.badRequest("Request body is empty");
        }
        JsonNode root = Json.parse(body);
        JsonNode target = Json.field(root, "Target");
        if (target != null && !target.isObject()) {
            throw NomadApiException.badRequest("json: cannot unmarshal " + (target.isArray() ? "array" : "value") + " into Go struct field ScalingRequest.Target of type map[string]string");
        }
        String targetJob = Json.text(target, "Job", "");
        if (!targetJob.isEmpty() && !targetJob.equals(jobId)) {
            throw NomadApiException.badRequest("job ID in payload did not match URL");
        }
        JsonNode countNode = Json.field(root, "Count");
        if (countNode != null && !countNode.isIntegralNumber()) {
            throw NomadApiException.badRequest("json: cannot unmarshal " + (countNode.isTextual() ? "string" : "number") + " into Go struct field ScalingRequest.Count of type int64");
        }
        Long count = countNode == null ? null : countNode.asLong();
        boolean error = Json.bool(root, "Error", false);
        String group = Json.text(target, "Group", "");
        if (group.isEmpty()) {
            throw new NomadApiException(400, "missing task group name for scaling action");
        }
        if (count != null && count < 0) {
            throw new NomadApiException(400, "scaling action count can't be negative");
        }
        if (count != null && error) {
            throw new NomadApiException(400, "scaling action should not contain count if error is true");
        }
        long jobModifyIndex = Json.number(root, "JobModifyIndex", 0);
        if (jobModifyIndex > 0 && count != null) {
            long current = state.read(() -> {
                JobEntry job = state.job(namespace, jobId);
                return job == null ? 0 : job.jobModifyIndex();
            });
            if (current != 0 && current != jobModifyIndex) {
                throw new NomadApiException(500, "Enforcing job modify index " + jobModifyIndex + ": job exists with conflicting job modify index: " + current);
            }
        }
        ClusterState.RegisterResult result = state.scale(namespace, jobId, group, count, Json.text(root, "Message", ""), error, Json.field(root, "Meta"));
        ObjectNode out = Json.object();
        out.put("EvalID", result.evalId());
        out.put("EvalCreateIndex", result.evalCreateIndex());
        out.put("JobModifyIndex", result.jobModifyIndex());
        out.put("Warnings", "");
        out.put("Index", result.index());
        out.put("LastIndex", 0);
        out.put("KnownLeader", false);
        out.put("LastContact", 0);
        out.put("NextToken", "");
        respond(request, new Reply(result.index(), out));
    }

    private void plan(HttpServerRequest request, String body, String jobId, String namespace)
    {
        if (body.isEmpty()) {
            throw NomadApiException.badRequest("Request body is empty");
        }
        JsonNode root = Json.parse(body);
        JsonNode jobNode = Json.field(root, "Job");
        if (jobNode == null) {
            throw NomadApiException.badRequest("Job must be specified");
        }
        if (Json.field(jobNode, "ID") == null) {
            throw NomadApiException.badRequest("Job must have a valid ID");
        }
        if (!Json.field(jobNode, "ID").asText().equals(jobId)) {
            throw NomadApiException.badRequest("Job ID does not match");
        }
        ObjectNode job = JobSpec.canonicalize(jobNode, config.region(), new ArrayList<>());
        JobSpec.validate(job);
        boolean wantDiff = Json.bool(root, "Diff", false);
        Reply reply = state.read(() -> {
            JobEntry existing = state.job(namespace, jobId);
            ObjectNode out = Json.object();
            out.put("JobModifyIndex", existing == null ? 0 : existing.jobModifyIndex());
            out.putNull("CreatedEvals");
            ObjectNode annotations = Json.object();
            ObjectNode desired = Json.object();
            ObjectNode diff = JobDiff.diff(existing == null ? null : existing.current, job);
            for (JsonNode group : job.get("TaskGroups")) {
                String name = group.get("Name").asText();
                JsonNode oldGroup = existing == null ? null : existing.group(name);
                List<Allocation> live = new ArrayList<>();
                for (Allocation alloc : state.allocs()) {
                    if (existing != null && alloc.jobId.equals(jobId) && alloc.group.equals(name) && !alloc.terminal() && alloc.jobCreateIndex == existing.createIndex) {
                        live.add(alloc);
                    }
                }
                int count = job.get("Stop").asBoolean() ? 0 : group.get("Count").asInt();
                int kept = Math.min(live.size(), count);
                boolean destructive = oldGroup != null && ClusterState.destructive(existing.current, oldGroup, job, group);
                boolean changed = existing != null && !JobDiff.diff(existing.current, job).get("Type").asText().equals("None");
                ObjectNode updates = Json.object();
                updates.put("Ignore", destructive || changed ? 0 : kept);
                updates.put("Place", Math.max(0, count - live.size()));
                updates.put("Migrate", 0);
                updates.put("Stop", Math.max(0, live.size() - count));
                updates.put("InPlaceUpdate", !destructive && changed ? kept : 0);
                updates.put("DestructiveUpdate", destructive ? kept : 0);
                updates.put("Canary", 0);
                updates.put("Preemptions", 0);
                updates.put("Reconnect", 0);
                updates.put("RescheduleNow", 0);
                updates.put("RescheduleLater", 0);
                updates.put("Disconnect", 0);
                desired.set(name, updates);
                JobDiff.annotateGroup(diff, name, updates);
            }
            annotations.set("DesiredTGUpdates", desired);
            annotations.putNull("PreemptedAllocs");
            out.set("Annotations", annotations);
            out.set("Diff", wantDiff ? diff : null);
            out.putNull("FailedTGAllocs");
            out.put("NextPeriodicLaunch", Json.ZERO_TIME);
            out.put("Warnings", "");
            out.put("Index", state.latestIndex());
            return new Reply(state.latestIndex(), out);
        });
        respond(request, reply);
    }

    // ---------------------------------------------------------------- allocations, evals, deployments

    private Reply listAllocs(HttpServerRequest request, java.util.function.Predicate<Allocation> filter, String table)
    {
        String prefix = prefix(request);
        boolean resources = param(request, "resources");
        String taskStatesParam = request.getParam("task_states");
        boolean taskStates = taskStatesParam == null || Boolean.parseBoolean(taskStatesParam);
        ArrayNode out = Json.array();
        long max = 0;
        for (Allocation alloc : state.allocs()) {
            if (filter.test(alloc) && alloc.id.startsWith(prefix)) {
                out.add(alloc.stub(alloc.job.get("Type").asText(), resources, taskStates));
                max = Math.max(max, alloc.modifyIndex);
            }
        }
        return new Reply(Math.max(state.tableIndex(table), 1), out);
    }

    private void allocation(HttpServerRequest request, List<String> parts)
    {
        if (parts.size() < 2) {
            unknown(request);
            return;
        }
        String id = parts.get(1);
        if (parts.size() == 2) {
            requireMethod(request, HttpMethod.GET);
            blocking(request, () -> {
                Allocation alloc = findAlloc(id);
                return new Reply(alloc.modifyIndex, alloc.full());
            });
        }
        else if (parts.size() == 3 && parts.get(2).equals("stop")) {
            requireMethod(request, HttpMethod.PUT, HttpMethod.POST);
            String allocId = state.read(() -> findAlloc(id).id);
            ObjectNode out = state.stopAllocation(allocId);
            respond(request, new Reply(out.get("Index").asLong(), out));
        }
        else {
            unknown(request);
        }
    }

    private Allocation findAlloc(String id)
    {
        Allocation alloc = state.alloc(id);
        if (alloc == null && id.length() >= 8) {
            List<Allocation> matches = state.allocs().stream().filter(a -> a.id.startsWith(id)).toList();
            if (matches.size() == 1) {
                alloc = matches.get(0);
            }
        }
        if (alloc == null) {
            throw NomadApiException.notFound("alloc not found");
        }
        return alloc;
    }

    private Reply listEvals(HttpServerRequest request, java.util.function.Predicate<ObjectNode> filter)
    {
        String prefix = prefix(request);
        String job = request.getParam("job");
        String status = request.getParam("status");
        ArrayNode out = Json.array();
        List<ObjectNode> evals = new ArrayList<>(state.evals());
        java.util.Collections.reverse(evals);
        for (ObjectNode eval : evals) {
            if (filter.test(eval) && eval.get("ID").asText().startsWith(prefix)
                    && (job == null || eval.get("JobID").asText().equals(job))
                    && (status == null || eval.get("Status").asText().equals(status))) {
                out.add(eval.deepCopy());
            }
        }
        return new Reply(state.tableIndex("evals"), out);
    }

    private void evaluation(HttpServerRequest request, List<String> parts)
    {
        if (parts.size() < 2) {
            unknown(request);
            return;
        }
        String id = parts.get(1);
        requireMethod(request, HttpMethod.GET);
        if (parts.size() == 2) {
            blocking(request, () -> {
                ObjectNode eval = state.eval(id);
                if (eval == null) {
                    throw NomadApiException.notFound("eval not found");
                }
                return new Reply(eval.get("ModifyIndex").asLong(), eval.deepCopy());
            });
        }
        else if (parts.size() == 3 && parts.get(2).equals("allocations")) {
            blocking(request, () -> listAllocs(request, alloc -> alloc.evalId.equals(id), "allocs"));
        }
        else {
            unknown(request);
        }
    }

    private Reply listDeployments(java.util.function.Predicate<Deployment> filter)
    {
        ArrayNode out = Json.array();
        List<Deployment> deployments = new ArrayList<>(state.deployments());
        java.util.Collections.reverse(deployments);
        deployments.stream().filter(filter).forEach(d -> out.add(d.toJson()));
        return new Reply(state.tableIndex("deployment"), out);
    }

    private void deployment(HttpServerRequest request, List<String> parts)
    {
        requireMethod(request, HttpMethod.GET);
        if (parts.size() == 2) {
            String id = parts.get(1);
            blocking(request, () -> {
                Deployment deployment = state.deployment(id);
                if (deployment == null) {
                    throw NomadApiException.notFound("deployment not found");
                }
                return new Reply(deployment.modifyIndex, deployment.toJson());
            });
        }
        else if (parts.size() == 3 && parts.get(1).equals("allocations")) {
            String id = parts.get(2);
            blocking(request, () -> listAllocs(request, alloc -> alloc.deploymentId.equals(id), "allocs"));
        }
        else {
            unknown(request);
        }
    }

    // ---------------------------------------------------------------- nodes

    private Reply listNodes(HttpServerRequest request)
    {
        String prefix = prefix(request);
        boolean resources = param(request, "resources");
        boolean os = param(request, "os");
        ArrayNode out = Json.array();
        for (VirtualNode node : state.nodes()) {
            if (node.id.startsWith(prefix)) {
                out.add(node.stub(resources, os));
            }
        }
        return new Reply(state.tableIndex("nodes"), out);
    }

    private void node(HttpServerRequest request, List<String> parts, String body)
    {
        if (parts.size() < 2) {
            unknown(request);
            return;
        }
        String id = parts.get(1);
        if (parts.size() == 2) {
            requireMethod(request, HttpMethod.GET);
            blocking(request, () -> {
                VirtualNode node = findNode(id);
                return new Reply(node.modifyIndex, node.full());
            });
            return;
        }
        switch (parts.get(2)) {
            case "allocations" -> {
                requireMethod(request, HttpMethod.GET);
                blocking(request, () -> {
                    VirtualNode node = findNode(id);
                    ArrayNode out = Json.array();
                    state.allocs().stream().filter(alloc -> alloc.nodeId.equals(node.id)).forEach(alloc -> out.add(alloc.full()));
                    return new Reply(state.tableIndex("allocs"), out);
                });
            }
            case "drain" -> {
                requireMethod(request, HttpMethod.PUT, HttpMethod.POST);
                if (body.isEmpty()) {
                    throw NomadApiException.badRequest("Request body is empty");
                }
                JsonNode root = Json.parse(body);
                JsonNode spec = Json.field(root, "DrainSpec");
                if (spec != null && !spec.isObject()) {
                    throw NomadApiException.badRequest("json: cannot unmarshal value into Go struct field NodeUpdateDrainRequest.DrainSpec of type api.DrainSpec");
                }
                if (spec != null && Json.field(spec, "Deadline") != null && !Json.field(spec, "Deadline").isIntegralNumber()) {
                    throw NomadApiException.badRequest("json: cannot unmarshal " + (Json.field(spec, "Deadline").isTextual() ? "string" : "number")
                            + " into Go struct field DrainSpec.DrainSpec.Deadline of type time.Duration");
                }
                String nodeId = state.read(() -> findNode(id).id);
                ObjectNode out = state.drain(nodeId, spec, Json.bool(root, "MarkEligible", false), Json.field(root, "Meta"));
                respond(request, new Reply(out.get("Index").asLong(), out));
            }
            case "eligibility" -> {
                requireMethod(request, HttpMethod.PUT, HttpMethod.POST);
                if (body.isEmpty()) {
                    throw NomadApiException.badRequest("Request body is empty");
                }
                JsonNode root = Json.parse(body);
                String nodeId = state.read(() -> findNode(id).id);
                ObjectNode out = state.eligibility(nodeId, Json.text(root, "Eligibility", ""));
                respond(request, new Reply(out.get("Index").asLong(), out));
            }
            default -> unknown(request);
        }
    }

    private VirtualNode findNode(String id)
    {
        VirtualNode node = state.node(id);
        if (node == null && id.length() >= 4) {
            List<VirtualNode> matches = state.nodes().stream().filter(n -> n.id.startsWith(id)).toList();
            if (matches.size() == 1) {
                node = matches.get(0);
            }
        }
        if (node == null) {
            throw NomadApiException.notFound("node not found");
        }
        return node;
    }

    // ---------------------------------------------------------------- scaling policies

    private void scaling(HttpServerRequest request, List<String> parts)
    {
        if (parts.size() == 2 && parts.get(1).equals("policies")) {
            requireMethod(request, HttpMethod.GET);
            String job = request.getParam("job");
            String type = request.getParam("type");
            blocking(request, () -> {
                ArrayNode out = Json.array();
                for (PolicyEntry entry : state.policies()) {
                    JsonNode policy = entry.policy;
                    if (job != null && !job.isEmpty() && !policy.get("Target").get("Job").asText().equals(job)) {
                        continue;
                    }
                    if (type != null && !type.isEmpty() && !policy.get("Type").asText().startsWith(type)) {
                        continue;
                    }
                    ObjectNode stub = Json.object();
                    stub.put("ID", entry.id);
                    stub.put("Enabled", policy.get("Enabled").asBoolean());
                    stub.put("Type", policy.get("Type").asText());
                    stub.set("Target", policy.get("Target").deepCopy());
                    stub.put("CreateIndex", entry.createIndex);
                    stub.put("ModifyIndex", entry.modifyIndex);
                    out.add(stub);
                }
                return new Reply(state.tableIndex("scaling_policy"), out);
            });
        }
        else if (parts.size() == 3 && parts.get(1).equals("policy")) {
            requireMethod(request, HttpMethod.GET);
            String id = parts.get(2);
            blocking(request, () -> {
                Optional<PolicyEntry> entry = state.policies().stream().filter(p -> p.id.equals(id)).findFirst();
                if (entry.isEmpty()) {
                    throw NomadApiException.notFound("policy not found");
                }
                ObjectNode policy = Json.object();
                JsonNode stored = entry.get().policy;
                policy.set("Min", stored.get("Min").deepCopy());
                policy.set("Max", stored.get("Max").deepCopy());
                policy.set("Policy", stored.get("Policy").deepCopy());
                policy.put("Enabled", stored.get("Enabled").asBoolean());
                policy.put("Type", stored.get("Type").asText());
                policy.put("ID", entry.get().id);
                policy.put("Namespace", stored.get("Namespace").asText());
                policy.set("Target", stored.get("Target").deepCopy());
                policy.put("CreateIndex", entry.get().createIndex);
                policy.put("ModifyIndex", entry.get().modifyIndex);
                return new Reply(entry.get().modifyIndex, policy);
            });
        }
        else {
            unknown(request);
        }
    }

    // ---------------------------------------------------------------- variables

    private Reply listVars(HttpServerRequest request)
    {
        String prefix = prefix(request);
        ArrayNode out = Json.array();
        state.variables().stream()
                .filter(v -> v.path.startsWith(prefix))
                .sorted(Comparator.comparing(v -> v.path))
                .forEach(v -> out.add(v.toJson(false)));
        return new Reply(state.tableIndex("vars"), out);
    }

    private void variable(HttpServerRequest request, List<String> parts, String body)
    {
        String path = String.join("/", parts.subList(1, parts.size()));
        if (path.isEmpty()) {
            throw NomadApiException.badRequest("missing variable path");
        }
        String namespace = namespace(request);
        HttpMethod method = request.method();
        Long cas = request.getParam("cas") == null ? null : parseCas(request.getParam("cas"));
        if (method == HttpMethod.GET) {
            blocking(request, () -> {
                VarEntry entry = state.variable(namespace, path);
                if (entry == null) {
                    throw NomadApiException.notFound("variable not found");
                }
                return new Reply(entry.modifyIndex, entry.toJson(true));
            });
        }
        else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
            if (body.isEmpty()) {
                throw NomadApiException.badRequest("Request body is empty");
            }
            JsonNode root = Json.parse(body);
            JsonNode items = Json.field(root, "Items");
            if (items != null && !items.isObject()) {
                throw NomadApiException.badRequest("json: cannot unmarshal " + (items.isArray() ? "array" : "value") + " into Go struct field Variable.Items of type api.VariableItems");
            }
            if (items == null || items.isEmpty()) {
                throw NomadApiException.badRequest("variable missing required Items object");
            }
            items.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw NomadApiException.badRequest("json: cannot unmarshal " + (e.getValue().isNumber() ? "number" : "value") + " into Go struct field Variable.Items of type string");
                }
            });
            ObjectNode stored = state.putVariable(namespace, path, (ObjectNode) items, cas);
            respond(request, new Reply(stored.get("ModifyIndex").asLong(), stored));
        }
        else if (method == HttpMethod.DELETE) {
            long idx = state.deleteVariable(namespace, path, cas);
            HttpServerResponse response = request.response();
            headers(response, idx);
            // Nomad 1.6.1 answers a deleted variable with 204 No Content (NomadApiContractRealAgentIT)
            response.setStatusCode(204).end();
        }
        else {
            throw new NomadApiException(400, INVALID_METHOD);
        }
    }

    private static long parseCas(String value)
    {
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            throw NomadApiException.badRequest("can not parse cas: " + e.getMessage());
        }
    }
}
