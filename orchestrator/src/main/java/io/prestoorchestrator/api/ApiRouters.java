package io.prestoorchestrator.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/** Builds routers from an OpenAPI contract the one way the service (and its tests) use. */
public final class ApiRouters
{
    private static final RequestExtractor EXTRACTOR = RequestExtractor.withBodyHandler();

    private ApiRouters() {}

    /**
     * A builder whose every operation's route first runs {@code authentication} for that operation,
     * then reads the body (up to {@code maxBodySize}, 413 above), then validates the request against
     * the contract, then the handlers the caller adds. Nothing is
     * decided before the router matched a route: a request no operation matches gets the router's
     * 404 or 405, and a request it does match is authenticated as that operation (with or without a
     * trailing slash, which the router ignores).
     *
     * @param authentication what an operation requires of a request; it calls {@code next()} or fails the request
     */
    public static RouterBuilder builder(Vertx vertx, OpenAPIContract contract, long maxBodySize, Function<Operation, Handler<RoutingContext>> authentication)
    {
        requireNonNull(authentication, "authentication is null");
        RouterBuilder builder = RouterBuilder.create(vertx, contract, EXTRACTOR);
        // the validators of the contract's parameter and body schemas, built once instead of on every request
        RequestValidatorImpl validator = (RequestValidatorImpl) RequestValidator.create(vertx, ReusedValidators.of(contract));
        // read only once the request is authenticated, and never to disk: the multipart file parts
        // Vert.x would otherwise store under file-uploads/ (and keep) are dropped; no operation takes files
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize);
        for (OpenAPIRoute route : builder.getRoutes()) {
            Operation operation = route.getOperation();
            Handler<RoutingContext> authenticate = requireNonNull(authentication.apply(operation), () -> "no authentication for " + operation.getOperationId());
            // Vert.x's own security and validation handlers would run before the handlers added here;
            // both are done here instead, in this order
            route.setDoSecurity(false)
                    .setDoValidation(false)
                    .addHandler(authenticate)
                    // Vert.x orders a handler it recognises as a BodyHandler before every other one, for
                    // authentication schemes that read the body (form login, digest); ours read headers only.
                    // Wrapped, it runs after them: they answer synchronously, so no body data passes unread
                    .addHandler(context -> body.handle(context))
                    .addHandler(context -> validate(validator, operation, context));
        }
        return builder;
    }

    /** The router, with every failure and routing error answered as problem+json ({@code contract} is the builder's, for 405's Allow). */
    public static Router build(RouterBuilder builder, OpenAPIContract contract)
    {
        Router router = builder.createRouter();
        router.route().failureHandler(new ProblemHandler());
        router.errorHandler(404, ProblemHandler.forStatus(404));
        router.errorHandler(405, ProblemHandler.methodNotAllowed(contract));
        return router;
    }

    /**
     * What vertx-web-openapi-router's validation handler does (the extractor takes the body from BodyHandler), at this
     * point of the route. The library validates on a worker thread ({@code executeBlocking}) and comes back to the event
     * loop, two hops per request (issue 23 profiled them on {@code GET /v1/clusters/{name}}); an operation without a body
     * has only its parameters to check, a few bytes each against validators built once, so those are checked here, on
     * the event loop, with the library's own per-parameter check. A body (up to {@code http.max-body-size}) still goes
     * the library's way.
     */
    private static void validate(RequestValidatorImpl validator, Operation operation, RoutingContext context)
    {
        EXTRACTOR.extractValidatableRequest(context, operation)
                .compose(request -> operation.getRequestBody() == null
                        ? Future.succeededFuture(validateParameters(validator, operation, request))
                        : validator.validate(request, operation.getOperationId()))
                .onSuccess(validated -> {
                    context.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
                    context.next();
                })
                .onFailure(failure -> context.fail(failure instanceof ValidatorException
                        ? new HttpException(400, failure.getMessage(), failure)
                        : failure));
    }

    /** The parameters of a request to {@code operation}, which has no body, validated as the library's {@code validate} does; throws its ValidatorException. */
    static ValidatedRequest validateParameters(RequestValidatorImpl validator, Operation operation, ValidatableRequest request)
    {
        Map<String, RequestParameter> cookies = new HashMap<>();
        Map<String, RequestParameter> headers = new HashMap<>();
        Map<String, RequestParameter> path = new HashMap<>();
        Map<String, RequestParameter> query = new HashMap<>();
        for (Parameter parameter : operation.getParameters()) {
            String name = parameter.getName();
            switch (parameter.getIn()) {
                case COOKIE -> cookies.put(name, validator.validateParameter(parameter, request.getCookies().get(name)));
                case HEADER -> headers.put(name, validator.validateParameter(parameter, request.getHeaders().get(name)));
                case PATH -> path.put(name, validator.validateParameter(parameter, request.getPathParameters().get(name)));
                case QUERY -> query.put(name, validator.validateParameter(parameter, request.getQuery().get(name)));
            }
        }
        return new ValidatedRequestImpl(cookies, headers, path, query);
    }
}
