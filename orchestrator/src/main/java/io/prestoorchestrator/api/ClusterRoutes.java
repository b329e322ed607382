package io.prestoorchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterDocuments;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.operations.ClusterService;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.error.Failures;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The cluster, catalog and operation routes of the contract. Handlers only translate: JSON in,
 * {@link ClusterService} call, JSON out; failures go to {@link ProblemHandler}. Long changes answer
 * 202 with the operation and a {@code Location} to poll.
 */
public final class ClusterRoutes
{
    /** What a create request gets for every field it leaves out. */
    public static final ClusterSpec DEFAULTS = ClusterDocuments.DEFAULTS;

    private final ClusterService service;
    /** {@code GET /v1/clusters/{name}}'s bodies, encoded again only when a cluster's view changed. */
    private final EncodedViews views = new EncodedViews(view -> encode(view(view)));

    public ClusterRoutes(ClusterService service)
    {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RouterBuilder builder)
    {
        builder.getRoute("listClusters").addHandler(context -> {
            int limit = context.queryParams().contains("limit") ? Integer.parseInt(context.queryParams().get("limit")) : 50;
            Optional<String> after = Optional.ofNullable(context.queryParams().get("after"));
            reply(context, service.list(limit, after), records -> {
                ObjectNode page = ClusterJson.MAPPER.createObjectNode();
                var items = page.putArray("clusters");
                records.forEach(record -> items.add(summary(record)));
                if (records.size() == limit) {
                    page.put("next", records.get(records.size() - 1).name());
                }
                return page;
            }, 200);
        });
        builder.getRoute("createCluster").addHandler(context -> accepted(context, service.create(ClusterDocuments.create(ClusterDocuments.parseObject(context.body().asString())), actor(context))));
        builder.getRoute("getCluster").addHandler(context -> replyText(context, service.get(name(context)), views::json, ignored -> 200));
        builder.getRoute("updateCluster").addHandler(context -> {
            String name = name(context);
            CompletionStage<ClusterService.Updated> updated = service.get(name).thenCompose(current -> {
                ObjectNode tree = ClusterJson.MAPPER.valueToTree(current.record().spec());
                return service.update(name, specFrom(context.body().asString(), tree), actor(context));
            });
            reply(context, updated, value -> value.started().isPresent() ? acceptedBody(context, value.operation()) : unchanged(name, value),
                    value -> value.started().isPresent() ? 202 : 200);
        });
        builder.getRoute("deleteCluster").addHandler(context -> accepted(context, service.delete(name(context), actor(context))));
        builder.getRoute("stopCluster").addHandler(context -> accepted(context, service.stop(name(context), actor(context), Boolean.parseBoolean(context.queryParams().get("force")))));
        builder.getRoute("startCluster").addHandler(context -> accepted(context, service.start(name(context), actor(context))));
        builder.getRoute("restartCluster").addHandler(context -> accepted(context, service.restart(name(context), actor(context))));
        // Nomad's plan of the job, and which path the catalog changes take (issue 18: live or the rolling restart)
        builder.getRoute("planCluster").addHandler(context -> reply(context, service.plan(name(context), actor(context))
                .thenCombine(service.catalogPlan(name(context), actor(context)), (plan, catalogs) -> {
                    ObjectNode body = ClusterJson.MAPPER.valueToTree(plan);
                    body.set("catalogs", ClusterJson.MAPPER.valueToTree(catalogs));
                    return body;
                }), body -> body, 200));
        builder.getRoute("getClusterJob").addHandler(context -> reply(context, service.renderedJob(name(context), actor(context)), job -> job, 200));
        builder.getRoute("getClusterEvents").addHandler(context -> reply(context, service.events(name(context)), events -> {
            ObjectNode body = ClusterJson.MAPPER.createObjectNode();
            body.set("events", ClusterJson.MAPPER.valueToTree(events));
            return body;
        }, 200));
        builder.getRoute("getOperation").addHandler(context -> reply(context, service.operation(context.pathParam("id")), ClusterJson.MAPPER::valueToTree, 200));

        builder.getRoute("listCatalogs").addHandler(context -> reply(context, service.catalogs(), catalogs -> {
            ObjectNode body = ClusterJson.MAPPER.createObjectNode();
            body.set("catalogs", ClusterJson.MAPPER.valueToTree(catalogs));
            return body;
        }, 200));
        builder.getRoute("createCatalog").addHandler(context -> reply(context,
                service.createCatalog(catalogFrom(context.body().asString(), Optional.empty())), ClusterJson.MAPPER::valueToTree, 201));
        builder.getRoute("getCatalog").addHandler(context -> reply(context, service.catalog(name(context)), ClusterJson.MAPPER::valueToTree, 200));
        builder.getRoute("updateCatalog").addHandler(context -> reply(context,
                service.updateCatalog(catalogFrom(context.body().asString(), Optional.of(name(context))), actor(context)), operations -> {
                    ObjectNode body = ClusterJson.MAPPER.createObjectNode();
                    body.set("restarts", ClusterJson.MAPPER.valueToTree(operations));
                    return body;
                }, 200));
        builder.getRoute("deleteCatalog").addHandler(context -> reply(context, service.deleteCatalog(name(context)), ignored -> null, 204));
    }

    /** The request body merged over {@code base} (RFC 7396 merge-patch semantics), bound strictly to a spec. */
    static ClusterSpec specFrom(String body, ObjectNode base)
    {
        return ClusterDocuments.specFrom(ClusterDocuments.parseObject(body), base);
    }

    static CatalogDefinition catalogFrom(String body, Optional<String> pathName)
    {
        return ClusterDocuments.catalog(ClusterDocuments.parseObject(body), pathName);
    }

    private static ObjectNode summary(ClusterRecord record)
    {
        ObjectNode node = ClusterJson.MAPPER.createObjectNode();
        node.put("name", record.name());
        node.put("state", record.state().label());
        node.put("version", record.spec().version());
        node.put("workers", record.spec().workers().count());
        record.activeOperation().ifPresent(id -> node.put("activeOperation", id));
        return node;
    }

    private static ObjectNode view(ClusterView view)
    {
        ObjectNode node = summary(view.record());
        node.set("spec", ClusterJson.MAPPER.valueToTree(view.record().spec()));
        node.put("createdAt", view.record().createdAt().toString());
        node.put("updatedAt", view.record().updatedAt().toString());
        node.put("createdBy", view.record().createdBy());
        node.set("status", ClusterJson.MAPPER.valueToTree(view.status()));
        return node;
    }

    private static String name(RoutingContext context)
    {
        return context.pathParam("name");
    }

    private static String actor(RoutingContext context)
    {
        String principal = context.get(BearerAuthHandler.PRINCIPAL);
        return principal == null ? "anonymous" : principal;
    }

    private static void accepted(RoutingContext context, CompletionStage<Operation> operation)
    {
        reply(context, operation, value -> acceptedBody(context, value), 202);
    }

    private static JsonNode acceptedBody(RoutingContext context, Operation operation)
    {
        context.response().putHeader("Location", "/v1/operations/" + operation.id());
        return ClusterJson.MAPPER.valueToTree(operation);
    }

    /** A PATCH whose spec is the cluster's already: 200, nothing started (the contract's SpecUnchanged). */
    private static JsonNode unchanged(String name, ClusterService.Updated updated)
    {
        ObjectNode body = ClusterJson.MAPPER.createObjectNode();
        body.put("cluster", name);
        body.put("changed", false);
        body.put("message", "The spec is unchanged: nothing was registered with Nomad and no allocation was touched"
                + updated.activeOperation().map(id -> "; operation " + id + " is applying this spec").orElse(""));
        updated.activeOperation().ifPresent(id -> body.put("activeOperation", id));
        return body;
    }

    /** Completes the response on the request's own Vert.x context, whatever thread the stage finishes on; a failure goes to the problem handler. */
    static <T> void reply(RoutingContext context, CompletionStage<T> stage, Function<T, JsonNode> body, int status)
    {
        reply(context, stage, body, ignored -> status);
    }

    static <T> void reply(RoutingContext context, CompletionStage<T> stage, Function<T, JsonNode> body, Function<T, Integer> status)
    {
        replyText(context, stage, value -> {
            JsonNode json = body.apply(value);
            return json == null ? null : encode(json);
        }, status);
    }

    /** As {@link #reply}, with the body already encoded ({@code null}: no body). */
    static <T> void replyText(RoutingContext context, CompletionStage<T> stage, Function<T, String> body, Function<T, Integer> status)
    {
        Context vertxContext = Vertx.currentContext();
        stage.whenComplete((value, failure) -> vertxContext.runOnContext(ignored -> {
            if (failure != null) {
                context.fail(Failures.unwrap(failure));
                return;
            }
            try {
                String json = body.apply(value);
                context.response().setStatusCode(status.apply(value));
                if (json == null) {
                    context.response().end();
                }
                else {
                    context.response().putHeader("Content-Type", "application/json").end(json);
                }
            }
            catch (RuntimeException e) {
                context.fail(e);
            }
        }));
    }

    private static String encode(JsonNode json)
    {
        try {
            return ClusterJson.MAPPER.writeValueAsString(json);
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
