package io.prestoorchestrator.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

/** Builds routers from an OpenAPI contract the one way the service (and its tests) use. */
public final class ApiRouters
{
    private ApiRouters() {}

    /** A builder that reads bodies up to {@code maxBodySize} and validates requests against the contract. */
    public static RouterBuilder builder(Vertx vertx, OpenAPIContract contract, long maxBodySize)
    {
        // the body is read by BodyHandler, so the validator must take it from there
        return RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
                .rootHandler(BodyHandler.create().setBodyLimit(maxBodySize));
    }

    /** The router, with every failure and routing error answered as problem+json. */
    public static Router build(RouterBuilder builder)
    {
        Router router = builder.createRouter();
        router.route().failureHandler(new ProblemHandler());
        router.errorHandler(404, ProblemHandler.forStatus(404));
        router.errorHandler(405, ProblemHandler.forStatus(405));
        return router;
    }
}
