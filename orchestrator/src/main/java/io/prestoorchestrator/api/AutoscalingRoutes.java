package io.prestoorchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.autoscaling.AutoscalingCollector;
import io.prestoorchestrator.autoscaling.AutoscalingView;
import io.prestoorchestrator.autoscaling.ClusterSignal;
import io.prestoorchestrator.autoscaling.SignalInputs;
import io.prestoorchestrator.autoscaling.WorkersNeeded;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.config.Durations;
import io.prestoorchestrator.error.Failures;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /v1/clusters/{name}/autoscaling}: the last computation of the scaling signal — the
 * workers needed, the workers active, the inputs read from the coordinator, the reason, when and
 * from which coordinator — or, before the first poll or while the coordinator does not answer, a
 * {@code status} that says so.
 */
public final class AutoscalingRoutes
{
    private final AutoscalingCollector collector;

    public AutoscalingRoutes(AutoscalingCollector collector)
    {
        this.collector = requireNonNull(collector, "collector is null");
    }

    public void register(RouterBuilder builder)
    {
        builder.getRoute("getClusterAutoscaling").addHandler(context -> {
            Context vertxContext = Vertx.currentContext();
            collector.view(context.pathParam("name")).whenComplete((view, failure) -> vertxContext.runOnContext(ignored -> {
                if (failure != null) {
                    context.fail(Failures.unwrap(failure));
                    return;
                }
                try {
                    context.response().putHeader("Content-Type", "application/json").end(ClusterJson.MAPPER.writeValueAsString(json(view)));
                }
                catch (JsonProcessingException | RuntimeException e) {
                    context.fail(e);
                }
            }));
        });
    }

    static ObjectNode json(AutoscalingView view)
    {
        ObjectNode node = ClusterJson.MAPPER.createObjectNode();
        node.put("cluster", view.cluster());
        node.put("clusterState", view.state().label());
        node.put("pollInterval", Durations.format(view.pollInterval()));
        if (!view.polled()) {
            node.put("status", "not-polled");
            node.put("reason", "the cluster is " + view.state().label() + ": its coordinator is not polled");
            return node;
        }
        if (view.last().isEmpty()) {
            node.put("status", "no-data");
            node.put("reason", "no computation yet: the coordinator is polled every " + Durations.format(view.pollInterval()));
            return node;
        }
        ClusterSignal last = view.last().get();
        node.put("computedAt", last.computedAt().toString());
        last.coordinator().ifPresent(url -> node.put("coordinator", url));
        if (last.error().isPresent()) {
            node.put("status", "unavailable");
            node.put("reason", last.error().get());
            return node;
        }
        WorkersNeeded computation = last.computation().orElseThrow();
        SignalInputs inputs = computation.inputs();
        node.put("status", "ok");
        node.put("needed", computation.needed());
        node.put("currentWorkers", inputs.activeWorkers());
        node.put("change", computation.change());
        node.put("rawNeed", computation.rawNeed());
        node.put("clamp", computation.clamp().name().toLowerCase(Locale.ROOT));
        node.put("reason", computation.reason());
        ObjectNode in = node.putObject("inputs");
        in.put("runningQueries", inputs.runningQueries());
        in.put("queuedQueries", inputs.queuedQueries());
        in.put("waitingQueries", inputs.waitingQueries());
        in.put("fullyBlockedQueries", inputs.fullyBlockedQueries());
        in.put("busyQueries", computation.busyQueries());
        in.put("activeWorkers", inputs.activeWorkers());
        in.put("drainingWorkers", inputs.drainingWorkers());
        in.put("queriesPerWorker", inputs.queriesPerWorker());
        in.put("min", inputs.min());
        in.put("max", inputs.max());
        return node;
    }
}
