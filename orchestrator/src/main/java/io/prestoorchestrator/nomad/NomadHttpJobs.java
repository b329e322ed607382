package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.follow.Indexed;
import io.prestoorchestrator.http.DependencyHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * {@link NomadJobs} on Nomad's HTTP API (1.6+), through {@link DependencyHttp}: every call carries
 * {@code namespace} and {@code region} from {@link NomadConfig}; reads of watched objects are
 * blocking queries ({@code ?index=&wait=}, {@code X-Nomad-Index}).
 */
public final class NomadHttpJobs
        implements NomadJobs, NomadListings
{
    private static final Logger log = LoggerFactory.getLogger(NomadHttpJobs.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Nomad's Job.Register refuses a stale EnforceIndex with an error starting like this (HTTP 500). */
    private static final String ENFORCE_INDEX_ERROR = "Enforcing job modify index";
    /** Nomad answers job validation errors as a multierror text ("1 error occurred: ..."). */
    private static final Pattern VALIDATION_ERROR = Pattern.compile("\\d+ errors? occurred");
    private static final String SCALING_BLOCKED = "blocked due to active deployment";

    private final DependencyHttp nomad;
    private final String namespace;
    private final String region;
    private final Duration watchWait;

    public NomadHttpJobs(DependencyHttp nomad, NomadConfig config)
    {
        this(nomad, config, Duration.ofSeconds(30));
    }

    /** @param watchWait how long one blocking query of a deployment watch may be held by Nomad */
    public NomadHttpJobs(DependencyHttp nomad, NomadConfig config, Duration watchWait)
    {
        this.nomad = requireNonNull(nomad, "nomad is null");
        requireNonNull(config, "config is null");
        this.namespace = config.namespace();
        this.region = config.region();
        this.watchWait = requireNonNull(watchWait, "watchWait is null");
    }

    // ---------------------------------------------------------------- jobs

    @Override
    public CompletionStage<RegisterResult> register(ObjectNode job, OptionalLong expectedJobModifyIndex)
    {
        requireNonNull(expectedJobModifyIndex, "expectedJobModifyIndex is null");
        ObjectNode placed = placed(job);
        String jobId = placed.path("ID").asText();
        ObjectNode body = JSON.objectNode();
        body.set("Job", placed);
        expectedJobModifyIndex.ifPresent(index -> {
            body.put("EnforceIndex", true);
            body.put("JobModifyIndex", index);
        });
        return nomad.send(request(HttpMethod.PUT, "/v1/jobs"), Optional.of(body), Set.of(400, 500))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw registerFailure(jobId, expectedJobModifyIndex, response);
                    }
                    RegisterResult result = registerResult(nomad.json(response));
                    log.info("nomad job registered: job={} job_modify_index={} eval={} enforce_index={}", jobId, result.jobModifyIndex(), result.evalId(),
                            expectedJobModifyIndex.isPresent() ? expectedJobModifyIndex.getAsLong() : "none");
                    return result;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<JobPlan> plan(ObjectNode job)
    {
        ObjectNode placed = placed(job);
        String jobId = placed.path("ID").asText();
        ObjectNode body = JSON.objectNode();
        body.set("Job", placed);
        body.put("Diff", true);
        return nomad.send(request(HttpMethod.POST, "/v1/job/" + segment(jobId) + "/plan"), Optional.of(body), Set.of(400, 500))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw jobRefused(jobId, response);
                    }
                    return plan(nomad.json(response));
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Optional<NomadJob>> job(String jobId)
    {
        checkId(jobId, "jobId");
        return nomad.send(request(HttpMethod.GET, "/v1/job/" + segment(jobId)), Optional.empty(), Set.of(404))
                .map(response -> response.statusCode() == 404 ? Optional.<NomadJob>empty() : Optional.of(job(nomad.json(response))))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<List<NomadJob>> versions(String jobId)
    {
        checkId(jobId, "jobId");
        return nomad.send(request(HttpMethod.GET, "/v1/job/" + segment(jobId) + "/versions"), Optional.empty(), Set.of(404))
                .map(response -> {
                    if (response.statusCode() == 404) {
                        return List.<NomadJob>of();
                    }
                    List<NomadJob> versions = new ArrayList<>();
                    nomad.json(response).path("Versions").forEach(version -> versions.add(job(version)));
                    versions.sort((a, b) -> Long.compare(b.version(), a.version()));
                    return List.copyOf(versions);
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Optional<RegisterResult>> deregister(String jobId, boolean purge)
    {
        checkId(jobId, "jobId");
        HttpRequest<Buffer> request = request(HttpMethod.DELETE, "/v1/job/" + segment(jobId));
        request.addQueryParam("purge", Boolean.toString(purge));
        return nomad.send(request, Optional.empty(), Set.of(404))
                .map(response -> {
                    if (response.statusCode() == 404) {
                        return Optional.<RegisterResult>empty();
                    }
                    RegisterResult result = registerResult(nomad.json(response));
                    log.info("nomad job deregistered: job={} purge={} eval={}", jobId, purge, result.evalId());
                    return Optional.of(result);
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> promote(String deploymentId)
    {
        checkId(deploymentId, "deploymentId");
        HttpRequest<Buffer> request = request(HttpMethod.POST, "/v1/deployment/promote/" + segment(deploymentId));
        ObjectNode body = JSON.objectNode().put("DeploymentID", deploymentId).put("All", true);
        return nomad.send(request, Optional.of(body), Set.of())
                .map(response -> {
                    log.info("nomad deployment promoted: deployment={}", deploymentId);
                    return (Void) null;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> failDeployment(String deploymentId)
    {
        checkId(deploymentId, "deploymentId");
        HttpRequest<Buffer> request = request(HttpMethod.POST, "/v1/deployment/fail/" + segment(deploymentId));
        return nomad.send(request, Optional.empty(), Set.of())
                .map(response -> {
                    log.info("nomad deployment failed on purpose: deployment={}", deploymentId);
                    return (Void) null;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<RegisterResult> revert(String jobId, long version, long enforcePriorVersion)
    {
        checkId(jobId, "jobId");
        HttpRequest<Buffer> request = request(HttpMethod.POST, "/v1/job/" + segment(jobId) + "/revert");
        ObjectNode body = JSON.objectNode().put("JobID", jobId).put("JobVersion", version).put("EnforcePriorVersion", enforcePriorVersion);
        return nomad.send(request, Optional.of(body), Set.of())
                .map(response -> {
                    RegisterResult result = registerResult(nomad.json(response));
                    log.info("nomad job reverted: job={} to version={} eval={}", jobId, version, result.evalId());
                    return result;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<RegisterResult> scale(String jobId, String group, int count, String message)
    {
        checkId(jobId, "jobId");
        checkId(group, "group");
        requireNonNull(message, "message is null");
        if (count < 0) {
            throw new IllegalArgumentException("count is negative: " + count);
        }
        ObjectNode body = JSON.objectNode();
        body.put("Count", count);
        body.putObject("Target").put("Group", group);
        body.put("Message", message);
        return nomad.send(request(HttpMethod.POST, "/v1/job/" + segment(jobId) + "/scale"), Optional.of(body), Set.of(400, 404))
                .map(response -> {
                    String text = response.bodyAsString() == null ? "" : response.bodyAsString().strip();
                    if (response.statusCode() == 404) {
                        throw new NotFoundException("Nomad has no job '" + jobId + "' to scale (" + DependencyHttp.abbreviate(text) + ")");
                    }
                    if (response.statusCode() == 400 && text.contains(SCALING_BLOCKED)) {
                        throw scalingBlocked(jobId, group, text);
                    }
                    if (response.statusCode() == 400) {
                        throw InvalidInputException.unprocessable("/count", "Nomad refused to scale job '" + jobId + "' group '" + group + "' to " + count + ": " + text);
                    }
                    RegisterResult result = registerResult(nomad.json(response));
                    log.info("nomad group scaled: job={} group={} count={} eval={} reason={}", jobId, group, count, result.evalId(), message);
                    return result;
                })
                .toCompletionStage();
    }

    /** Nomad refuses to scale a job while one of its deployments runs ("job scaling blocked due to active deployment"). */
    public static ConflictException scalingBlocked(String jobId, String group, String nomadText)
    {
        return new ConflictException("cannot scale job '" + jobId + "' group '" + group + "' now: a deployment is still running (Nomad: " + nomadText + ")");
    }

    @Override
    public CompletionStage<List<ScalingEvent>> scalingEvents(String jobId, String group)
    {
        checkId(jobId, "jobId");
        checkId(group, "group");
        return nomad.send(request(HttpMethod.GET, "/v1/job/" + segment(jobId) + "/scale"), Optional.empty(), Set.of(404))
                .map(response -> response.statusCode() == 404 ? List.<ScalingEvent>of() : scalingEvents(nomad.json(response).path("TaskGroups").path(group).path("Events")))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<List<AllocationStub>> allocations(String jobId)
    {
        checkId(jobId, "jobId");
        return nomad.send(request(HttpMethod.GET, "/v1/job/" + segment(jobId) + "/allocations"), Optional.empty(), Set.of(404))
                .map(response -> response.statusCode() == 404 ? List.<AllocationStub>of() : allocations(nomad.json(response)))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Indexed<List<JobStub>>> jobs(String prefix, long index, Duration wait)
    {
        requireNonNull(prefix, "prefix is null");
        HttpRequest<Buffer> request = request(HttpMethod.GET, "/v1/jobs");
        request.addQueryParam("prefix", prefix);
        return nomad.send(nomad.blocking(request, index, wait), Optional.empty(), Set.of())
                .map(response -> new Indexed<>(jobStubs(nomad.json(response)), nextIndex(response, index)))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Indexed<Map<String, List<AllocationStub>>>> allocations(long index, Duration wait)
    {
        HttpRequest<Buffer> request = request(HttpMethod.GET, "/v1/allocations");
        request.addQueryParam("task_states", "false");
        return nomad.send(nomad.blocking(request, index, wait), Optional.empty(), Set.of())
                .map(response -> new Indexed<>(allocationsByJob(nomad.json(response)), nextIndex(response, index)))
                .toCompletionStage();
    }

    /** Nomad's rule: an index that is missing, not positive or going backwards (a restored snapshot) restarts from 0. */
    private static long nextIndex(HttpResponse<Buffer> response, long index)
    {
        OptionalLong next = DependencyHttp.index(response, "X-Nomad-Index");
        return next.isEmpty() || next.getAsLong() <= 0 || next.getAsLong() < index ? 0 : next.getAsLong();
    }

    static List<JobStub> jobStubs(JsonNode body)
    {
        List<JobStub> stubs = new ArrayList<>();
        for (JsonNode job : body) {
            stubs.add(new JobStub(job.path("ID").asText(), job.path("ModifyIndex").asLong()));
        }
        return List.copyOf(stubs);
    }

    static Map<String, List<AllocationStub>> allocationsByJob(JsonNode body)
    {
        Map<String, List<JsonNode>> byJob = new LinkedHashMap<>();
        for (JsonNode alloc : body) {
            byJob.computeIfAbsent(alloc.path("JobID").asText(), ignored -> new ArrayList<>()).add(alloc);
        }
        Map<String, List<AllocationStub>> out = new LinkedHashMap<>();
        byJob.forEach((job, allocs) -> out.put(job, allocations(JSON.arrayNode().addAll(allocs))));
        return Map.copyOf(out);
    }

    // ---------------------------------------------------------------- deployments

    @Override
    public CompletionStage<Optional<Deployment>> latestDeployment(String jobId)
    {
        checkId(jobId, "jobId");
        return nomad.send(request(HttpMethod.GET, "/v1/job/" + segment(jobId) + "/deployment"), Optional.empty(), Set.of(404))
                .map(response -> {
                    if (response.statusCode() == 404) {
                        return Optional.<Deployment>empty();
                    }
                    JsonNode body = nomad.json(response);
                    return body.isNull() || body.isMissingNode() ? Optional.<Deployment>empty() : Optional.of(deployment(body));
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<DeploymentOutcome> watchDeployment(String deploymentId, DeploymentListener listener)
    {
        checkId(deploymentId, "deploymentId");
        requireNonNull(listener, "listener is null");
        CompletableFuture<DeploymentOutcome> outcome = new CompletableFuture<>();
        pollDeployment(deploymentId, 0, -1, listener, outcome);
        return outcome;
    }

    private void pollDeployment(String deploymentId, long index, long lastSeenModifyIndex, DeploymentListener listener, CompletableFuture<DeploymentOutcome> outcome)
    {
        if (outcome.isDone()) {
            return;
        }
        HttpRequest<Buffer> request = nomad.blocking(request(HttpMethod.GET, "/v1/deployment/" + segment(deploymentId)), index, watchWait);
        nomad.send(request, Optional.empty(), Set.of(404))
                .compose(response -> {
                    if (response.statusCode() == 404) {
                        return Future.failedFuture(new NotFoundException("Nomad has no deployment '" + deploymentId + "'"));
                    }
                    Deployment deployment = deployment(nomad.json(response));
                    if (deployment.modifyIndex() != lastSeenModifyIndex) {
                        tell(listener, deployment);
                    }
                    if (deployment.terminal()) {
                        return finish(deployment).onSuccess(outcome::complete).mapEmpty();
                    }
                    long next = DependencyHttp.index(response, "X-Nomad-Index").orElse(index);
                    // an index that goes backwards (a restored snapshot) restarts the watch, as Nomad's docs advise
                    pollDeployment(deploymentId, next < index ? 0 : next, deployment.modifyIndex(), listener, outcome);
                    return Future.succeededFuture();
                })
                .onFailure(outcome::completeExceptionally);
    }

    private static void tell(DeploymentListener listener, Deployment deployment)
    {
        try {
            listener.progress(deployment);
        }
        catch (RuntimeException e) {
            log.warn("deployment listener failed: deployment={} job={}", deployment.id(), deployment.jobId(), e);
        }
    }

    private Future<DeploymentOutcome> finish(Deployment deployment)
    {
        log.info("nomad deployment ended: job={} deployment={} version={} status={} description={}",
                deployment.jobId(), deployment.id(), deployment.jobVersion(), deployment.status(), deployment.statusDescription());
        if (deployment.successful()) {
            return Future.succeededFuture(new DeploymentOutcome(deployment, List.of()));
        }
        return nomad.send(request(HttpMethod.GET, "/v1/deployment/allocations/" + segment(deployment.id())), Optional.empty(), Set.of())
                .map(response -> new DeploymentOutcome(deployment, failures(allocations(nomad.json(response)))));
    }

    /** The tasks to blame: failed tasks of unhealthy or failed allocations; all their tasks when none is marked failed. */
    static List<TaskFailure> failures(List<AllocationStub> allocations)
    {
        List<TaskFailure> failures = new ArrayList<>();
        for (AllocationStub alloc : allocations) {
            boolean bad = alloc.healthy().equals(Optional.of(false)) || alloc.clientStatus().equals("failed");
            if (!bad) {
                continue;
            }
            boolean anyFailed = alloc.taskStates().values().stream().anyMatch(TaskState::failed);
            alloc.taskStates().forEach((task, state) -> {
                if (state.failed() || !anyFailed) {
                    failures.add(new TaskFailure(alloc.id(), alloc.name(), alloc.taskGroup(), task, state.state(), state.events()));
                }
            });
        }
        return List.copyOf(failures);
    }

    // ---------------------------------------------------------------- variables

    @Override
    public CompletionStage<Optional<StoredVariable>> variable(String path)
    {
        checkVariablePath(path);
        return nomad.send(request(HttpMethod.GET, "/v1/var/" + variablePath(path)), Optional.empty(), Set.of(404))
                .map(response -> response.statusCode() == 404 ? Optional.<StoredVariable>empty() : Optional.of(variable(nomad.json(response))))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<StoredVariable> putVariable(String path, Map<String, String> items, OptionalLong expectedModifyIndex)
    {
        checkVariablePath(path);
        requireNonNull(items, "items is null");
        requireNonNull(expectedModifyIndex, "expectedModifyIndex is null");
        if (items.isEmpty()) {
            throw new IllegalArgumentException("a Nomad variable needs at least one item");
        }
        ObjectNode body = JSON.objectNode();
        body.put("Namespace", namespace);
        body.put("Path", path);
        ObjectNode itemsNode = body.putObject("Items");
        items.forEach(itemsNode::put);
        HttpRequest<Buffer> request = request(HttpMethod.PUT, "/v1/var/" + variablePath(path));
        expectedModifyIndex.ifPresent(index -> request.addQueryParam("cas", Long.toString(index)));
        return nomad.send(request, Optional.of(body), Set.of(409))
                .map(response -> {
                    if (response.statusCode() == 409) {
                        throw variableConflict(path, expectedModifyIndex, response);
                    }
                    StoredVariable stored = variable(nomad.json(response));
                    log.info("nomad variable written: path={} items={} modify_index={}", path, stored.items().keySet(), stored.modifyIndex());
                    return stored;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> deleteVariable(String path, OptionalLong expectedModifyIndex)
    {
        checkVariablePath(path);
        requireNonNull(expectedModifyIndex, "expectedModifyIndex is null");
        HttpRequest<Buffer> request = request(HttpMethod.DELETE, "/v1/var/" + variablePath(path));
        expectedModifyIndex.ifPresent(index -> request.addQueryParam("cas", Long.toString(index)));
        return nomad.send(request, Optional.empty(), Set.of(404, 409))
                .map(response -> {
                    if (response.statusCode() == 409) {
                        throw variableConflict(path, expectedModifyIndex, response);
                    }
                    if (response.statusCode() != 404) {
                        log.info("nomad variable deleted: path={}", path);
                    }
                    return (Void) null;
                })
                .toCompletionStage();
    }

    // ---------------------------------------------------------------- requests and errors

    private HttpRequest<Buffer> request(HttpMethod method, String path)
    {
        HttpRequest<Buffer> request = nomad.request(method, path);
        request.addQueryParam("namespace", namespace);
        request.addQueryParam("region", region);
        return request;
    }

    /** The job with the configured namespace and region; a job naming others is refused. */
    private ObjectNode placed(ObjectNode job)
    {
        requireNonNull(job, "job is null");
        String id = job.path("ID").asText("");
        checkId(id, "job ID");
        ObjectNode copy = job.deepCopy();
        for (Map.Entry<String, String> field : Map.of("Namespace", namespace, "Region", region).entrySet()) {
            JsonNode given = copy.get(field.getKey());
            if (given != null && !given.isNull() && !given.asText().isEmpty() && !given.asText().equals(field.getValue())) {
                throw InvalidInputException.unprocessable("/" + field.getKey(), "job '" + id + "' names " + field.getKey() + " '" + given.asText()
                        + "' but the orchestrator is configured for '" + field.getValue() + "'");
            }
            copy.put(field.getKey(), field.getValue());
        }
        return copy;
    }

    private RuntimeException registerFailure(String jobId, OptionalLong expected, HttpResponse<Buffer> response)
    {
        String text = response.bodyAsString() == null ? "" : response.bodyAsString().strip();
        if (text.contains(ENFORCE_INDEX_ERROR)) {
            return new ConflictException("job '" + jobId + "' was changed in Nomad since it was read (expected job modify index "
                    + expected.orElse(-1) + "); read it again and retry. Nomad: " + DependencyHttp.abbreviate(text));
        }
        return jobRefused(jobId, response);
    }

    private RuntimeException jobRefused(String jobId, HttpResponse<Buffer> response)
    {
        String text = response.bodyAsString() == null ? "" : response.bodyAsString().strip();
        if (response.statusCode() == 400 || VALIDATION_ERROR.matcher(text).find()) {
            return InvalidInputException.unprocessable("/job", "Nomad refused job '" + jobId + "': " + DependencyHttp.abbreviate(text));
        }
        return nomad.statusFailure(response);
    }

    private ConflictException variableConflict(String path, OptionalLong expected, HttpResponse<Buffer> response)
    {
        long current = 0;
        try {
            current = nomad.json(response).path("ModifyIndex").asLong();
        }
        catch (DependencyException ignored) {
            // the conflict stands without the current index
        }
        return new ConflictException("Nomad variable '" + path + "' changed concurrently: expected index " + expected.orElse(-1)
                + ", it is at " + current + "; read it again and retry");
    }

    private static void checkId(String value, String what)
    {
        requireNonNull(value, what + " is null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " is blank");
        }
    }

    private static void checkVariablePath(String path)
    {
        requireNonNull(path, "path is null");
        if (path.isBlank() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException("bad Nomad variable path: '" + path + "'");
        }
    }

    private static String segment(String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String variablePath(String path)
    {
        List<String> segments = new ArrayList<>();
        for (String part : path.split("/")) {
            segments.add(segment(part));
        }
        return String.join("/", segments);
    }

    // ---------------------------------------------------------------- parsing

    private static RegisterResult registerResult(JsonNode body)
    {
        return new RegisterResult(body.path("EvalID").asText(""), body.path("JobModifyIndex").asLong(), body.path("Warnings").asText(""));
    }

    private static JobPlan plan(JsonNode body)
    {
        JsonNode diff = body.path("Diff");
        Map<String, GroupUpdates> groups = new LinkedHashMap<>();
        body.path("Annotations").path("DesiredTGUpdates").fields().forEachRemaining(entry -> {
            JsonNode u = entry.getValue();
            groups.put(entry.getKey(), new GroupUpdates(u.path("Place").asInt(), u.path("Stop").asInt(), u.path("Ignore").asInt(),
                    u.path("InPlaceUpdate").asInt(), u.path("DestructiveUpdate").asInt(), u.path("Migrate").asInt(), u.path("Canary").asInt()));
        });
        JsonNode failed = body.path("FailedTGAllocs");
        return new JobPlan(diff.path("Type").asText("None"), diff.isMissingNode() ? JSON.nullNode() : diff, groups,
                body.path("JobModifyIndex").asLong(), body.path("Warnings").asText(""), failed.isObject() && !failed.isEmpty());
    }

    static NomadJob job(JsonNode body)
    {
        return new NomadJob(body.path("ID").asText(), body.path("Version").asLong(), body.path("JobModifyIndex").asLong(),
                body.path("Status").asText(""), body.path("Stop").asBoolean(), body.path("Stable").asBoolean(), (ObjectNode) body);
    }

    static List<AllocationStub> allocations(JsonNode body)
    {
        List<AllocationStub> allocations = new ArrayList<>();
        for (JsonNode alloc : body) {
            Map<String, TaskState> states = new LinkedHashMap<>();
            alloc.path("TaskStates").fields().forEachRemaining(entry -> states.put(entry.getKey(), taskState(entry.getValue())));
            JsonNode healthy = alloc.path("DeploymentStatus").path("Healthy");
            allocations.add(new AllocationStub(
                    alloc.path("ID").asText(),
                    alloc.path("Name").asText(),
                    alloc.path("TaskGroup").asText(),
                    alloc.path("ClientStatus").asText(""),
                    alloc.path("DesiredStatus").asText(""),
                    alloc.path("NodeID").asText(""),
                    alloc.path("JobVersion").asLong(),
                    healthy.isBoolean() ? Optional.of(healthy.booleanValue()) : Optional.empty(),
                    states));
        }
        return List.copyOf(allocations);
    }

    static List<ScalingEvent> scalingEvents(JsonNode events)
    {
        List<ScalingEvent> out = new ArrayList<>();
        for (JsonNode event : events) {
            JsonNode count = event.path("Count");
            JsonNode evalId = event.path("EvalID");
            Map<String, String> meta = new LinkedHashMap<>();
            event.path("Meta").fields().forEachRemaining(entry -> meta.put(entry.getKey(), entry.getValue().isValueNode() ? entry.getValue().asText() : entry.getValue().toString()));
            out.add(new ScalingEvent(
                    event.path("Time").asLong(),
                    count.isIntegralNumber() ? OptionalLong.of(count.asLong()) : OptionalLong.empty(),
                    event.path("PreviousCount").asLong(),
                    event.path("Message").asText(""),
                    event.path("Error").asBoolean(),
                    meta,
                    evalId.isTextual() && !evalId.asText().isEmpty() ? Optional.of(evalId.asText()) : Optional.empty()));
        }
        out.sort((a, b) -> Long.compare(b.timeNanos(), a.timeNanos()));
        return List.copyOf(out);
    }

    private static TaskState taskState(JsonNode state)
    {
        List<TaskEvent> events = new ArrayList<>();
        for (JsonNode event : state.path("Events")) {
            Map<String, String> details = new LinkedHashMap<>();
            event.path("Details").fields().forEachRemaining(entry -> details.put(entry.getKey(), entry.getValue().asText()));
            long nanos = event.path("Time").asLong();
            String message = event.path("DisplayMessage").asText("");
            events.add(new TaskEvent(event.path("Type").asText(""), Instant.ofEpochSecond(0, nanos), message, details));
        }
        return new TaskState(state.path("State").asText(""), state.path("Failed").asBoolean(), state.path("Restarts").asLong(), events);
    }

    static Deployment deployment(JsonNode body)
    {
        Map<String, GroupProgress> groups = new LinkedHashMap<>();
        body.path("TaskGroups").fields().forEachRemaining(entry -> {
            JsonNode g = entry.getValue();
            groups.put(entry.getKey(), new GroupProgress(g.path("DesiredTotal").asInt(), g.path("PlacedAllocs").asInt(),
                    g.path("HealthyAllocs").asInt(), g.path("UnhealthyAllocs").asInt(),
                    g.path("DesiredCanaries").asInt(), g.path("PlacedCanaries").size(), g.path("Promoted").asBoolean()));
        });
        return new Deployment(body.path("ID").asText(), body.path("JobID").asText(), body.path("JobVersion").asLong(),
                body.path("Status").asText(""), body.path("StatusDescription").asText(""), groups, body.path("ModifyIndex").asLong());
    }

    private static StoredVariable variable(JsonNode body)
    {
        Map<String, String> items = new LinkedHashMap<>();
        body.path("Items").fields().forEachRemaining(entry -> items.put(entry.getKey(), entry.getValue().asText()));
        return new StoredVariable(body.path("Path").asText(), items, body.path("ModifyIndex").asLong());
    }
}
