package io.prestoorchestrator.api;

import io.prestoorchestrator.error.AuthenticationException;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.ForbiddenException;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one failure handler: maps every failure (our exceptions, OpenAPI validation, routing errors,
 * anything unexpected) to an RFC 9457 {@code application/problem+json} response.
 */
public final class ProblemHandler
        implements Handler<RoutingContext>
{
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:presto-orchestrator:problem:";
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter \"?([^\"\\s]+)\"?");

    @Override
    public void handle(RoutingContext context)
    {
        if (context.response().closed() || context.failure() instanceof HttpClosedException) {
            // the connection went away (the client, or an idle or head timeout): nobody to answer, nothing went wrong here
            log.atDebug().addKeyValue("path", context.request().path()).log("Connection closed before the answer");
            return;
        }
        if (context.response().headWritten()) {
            // too late for a problem document; make sure the connection does not hang
            context.response().reset();
            return;
        }
        Problem problem = toProblem(context);
        send(context, problem);
    }

    /** Answers a status without a failure (404/405 from the router) as a problem document. */
    public static Handler<RoutingContext> forStatus(int status)
    {
        return context -> send(context, statusProblem(context, status, null));
    }

    /**
     * The router's 405, with the {@code Allow} header RFC 9110 requires: the methods the contract
     * has for the path (with or without a trailing slash, as the router matches it).
     */
    public static Handler<RoutingContext> methodNotAllowed(OpenAPIContract contract)
    {
        return context -> {
            String path = context.normalizedPath();
            Path found = contract.findPath(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            List<String> allowed = found == null ? List.of() : found.getOperations().stream().map(operation -> operation.getHttpMethod().name()).sorted().toList();
            context.response().putHeader("Allow", String.join(", ", allowed));
            send(context, new Problem("method-not-allowed", "Method Not Allowed", 405,
                    "Method " + context.request().method() + " is not allowed on " + context.request().path() + (allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", allowed))));
        };
    }

    /**
     * For {@code HttpServer.invalidRequestHandler}: a request Vert.x could not decode (a request line
     * or head too long, or not HTTP) answered as a problem document instead of an empty body, and
     * the connection closed, as Vert.x's own handler does. The request's URI is not echoed.
     */
    public static void invalidRequest(HttpServerRequest request)
    {
        Throwable cause = request.decoderResult().cause();
        Problem problem = cause instanceof TooLongHttpLineException
                ? new Problem("uri-too-long", "URI Too Long", 414, "The request line is longer than this server accepts (" + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes)")
                : cause instanceof TooLongHttpHeaderException
                        ? new Problem("headers-too-large", "Request Header Fields Too Large", 431, "The request head is larger than this server accepts (" + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes)")
                        : new Problem("bad-request", "Bad Request", 400, "The request is not valid HTTP/1.1");
        request.response()
                .setStatusCode(problem.status())
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("Connection", "close")
                .end(problem.toJson(null).encode())
                .onComplete(ignored -> request.connection().close());
    }

    private static Problem statusProblem(RoutingContext context, int status, String detail)
    {
        return switch (status) {
            case 404 -> new Problem("not-found", "Not Found", 404, "No resource at " + context.request().path());
            case 405 -> new Problem("method-not-allowed", "Method Not Allowed", 405,
                    "Method " + context.request().method() + " is not allowed on " + context.request().path());
            case 413 -> new Problem("payload-too-large", "Payload Too Large", 413, "The request body is larger than the configured limit (http.max-body-size)");
            case 415 -> new Problem("unsupported-media-type", "Unsupported Media Type", 415, "Send the request body as application/json");
            default -> new Problem("http-" + status, "HTTP " + status, status, detail == null ? "HTTP error " + status : detail);
        };
    }

    private static Problem toProblem(RoutingContext context)
    {
        Throwable failure = context.failure();
        if (failure == null) {
            return statusProblem(context, context.statusCode() > 0 ? context.statusCode() : 500, null);
        }
        if (failure instanceof HttpException http && http.getCause() != null && !(http.getCause() instanceof HttpException)) {
            // vert.x wraps validation and other failures into HttpException
            failure = http.getCause();
        }
        if (failure instanceof InvalidInputException e) {
            return e.semantic()
                    ? new Problem("invalid-input", "Unprocessable Input", 422, e.getMessage()).withFieldErrors(e.fieldErrors())
                    : new Problem("invalid-input", "Invalid Input", 400, e.getMessage()).withFieldErrors(e.fieldErrors());
        }
        if (failure instanceof NotFoundException e) {
            return new Problem("not-found", "Not Found", 404, e.getMessage());
        }
        if (failure instanceof ConflictException e) {
            return new Problem("conflict", "Conflict", 409, e.getMessage());
        }
        if (failure instanceof DependencyException e) {
            return new Problem(e.unavailable() ? "dependency-unavailable" : "dependency-failed",
                    e.unavailable() ? "Dependency Unavailable" : "Dependency Failed",
                    e.unavailable() ? 503 : 502, e.getMessage()).with("dependency", e.dependency());
        }
        if (failure instanceof AuthenticationException e) {
            context.response().putHeader("WWW-Authenticate", e.tokenPresented()
                    ? "Bearer realm=\"presto-orchestrator\", error=\"invalid_token\""
                    : "Bearer realm=\"presto-orchestrator\"");
            return new Problem("unauthorized", "Unauthorized", 401, e.getMessage());
        }
        if (failure instanceof ForbiddenException e) {
            return new Problem("forbidden", "Forbidden", 403, e.getMessage());
        }
        if (failure instanceof SchemaValidationException e && parameterName(e.getMessage()) != null) {
            // a parameter (query, path, header) with a value outside its schema
            String parameter = parameterName(e.getMessage());
            return new Problem("invalid-input", "Invalid Input", 400, e.getMessage())
                    .withFieldErrors(List.of(new FieldError(parameter, e.getMessage())));
        }
        if (failure instanceof SchemaValidationException e) {
            List<FieldError> errors = fieldErrors(e);
            return new Problem("invalid-input", "Invalid Input", 400, describe(errors, e.getMessage())).withFieldErrors(errors);
        }
        if (failure instanceof ValidatorException e) {
            return new Problem("invalid-input", "Invalid Input", 400, e.getMessage())
                    .withFieldErrors(List.of(new FieldError(Objects.requireNonNullElse(parameterName(e.getMessage()), "/"), e.getMessage())));
        }
        if (failure instanceof HttpException e) {
            return statusProblem(context, e.getStatusCode(), e.getPayload() != null ? e.getPayload() : e.getMessage());
        }
        String incident = UUID.randomUUID().toString();
        log.atError().setCause(failure)
                .addKeyValue("incident", incident)
                .addKeyValue("path", context.request().path())
                .log("Unexpected failure");
        return new Problem("internal", "Internal Server Error", 500,
                "The orchestrator failed unexpectedly; the log has the details under incident " + incident).with("incident", incident);
    }

    private static List<FieldError> fieldErrors(SchemaValidationException e)
    {
        List<FieldError> errors = new ArrayList<>();
        collect(e.getOutputUnit(), errors);
        if (errors.isEmpty()) {
            errors.add(new FieldError("/", e.getMessage()));
        }
        return errors;
    }

    private static void collect(OutputUnit unit, List<FieldError> errors)
    {
        if (unit == null) {
            return;
        }
        if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
            for (OutputUnit child : unit.getErrors()) {
                collect(child, errors);
            }
            return;
        }
        if (unit.getError() != null) {
            String location = unit.getInstanceLocation();
            String field = location == null || location.isEmpty() || "#".equals(location) ? "/" : location.replaceFirst("^#", "");
            FieldError error = new FieldError(field, unit.getError());
            if (!errors.contains(error)) {
                errors.add(error);
            }
        }
    }

    private static String describe(List<FieldError> errors, String fallback)
    {
        if (errors.isEmpty()) {
            return fallback;
        }
        FieldError first = errors.get(0);
        return "Invalid request: " + first.field() + ": " + first.message() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    }

    /** The parameter a vertx-openapi message is about ("... query parameter limit ..."), or null for the body. */
    private static String parameterName(String message)
    {
        if (message == null) {
            return null;
        }
        Matcher matcher = PARAMETER.matcher(message);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static void send(RoutingContext context, Problem problem)
    {
        HttpServerResponse response = context.response();
        response.setStatusCode(problem.status())
                .putHeader("Content-Type", CONTENT_TYPE)
                .end(problem.toJson(context.request().path()).encode());
    }

    /** An RFC 9457 problem document. */
    record Problem(String type, String title, int status, String detail, JsonObject extensions)
    {
        Problem(String type, String title, int status, String detail)
        {
            this(type, title, status, detail, new JsonObject());
        }

        Problem with(String key, Object value)
        {
            JsonObject copy = extensions.copy();
            copy.put(key, value);
            return new Problem(type, title, status, detail, copy);
        }

        Problem withFieldErrors(List<FieldError> errors)
        {
            JsonArray array = new JsonArray();
            errors.forEach(error -> array.add(new JsonObject().put("field", error.field()).put("message", error.message())));
            return with("errors", array);
        }

        /** @param instance the request's path; null leaves it out */
        JsonObject toJson(String instance)
        {
            JsonObject json = new JsonObject()
                    .put("type", TYPE_PREFIX + type)
                    .put("title", title)
                    .put("status", status)
                    .put("detail", detail);
            if (instance != null) {
                json.put("instance", instance);
            }
            extensions.forEach(entry -> json.put(entry.getKey(), entry.getValue()));
            return json;
        }
    }
}
