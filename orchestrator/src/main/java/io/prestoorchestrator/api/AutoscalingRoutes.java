package io.prestoorchestrator.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.autoscaling.AutoscalingCollector;
import io.prestoorchestrator.autoscaling.AutoscalingView;
import io.prestoorchestrator.autoscaling.ClusterSignal;
import io.prestoorchestrator.autoscaling.CoordinatorTargets;
import io.prestoorchestrator.autoscaling.SignalHistory;
import io.prestoorchestrator.autoscaling.SignalInputs;
import io.prestoorchestrator.autoscaling.WorkersNeeded;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.config.Durations;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /v1/clusters/{name}/autoscaling}: the last computation of the scaling signal — the
 * workers needed, the workers active, the inputs read from the coordinator, the reason, when and
 * from which coordinator — or, before the first poll or while the coordinator does not answer, a
 * {@code status} that says so; and {@code GET /v1/prometheus/targets}: the coordinators for
 * Prometheus's HTTP service discovery.
 */
public final class AutoscalingRoutes
{
    private final AutoscalingCollector collector;
    private final CoordinatorTargets targets;

    public AutoscalingRoutes(AutoscalingCollector collector, CoordinatorTargets targets)
    {
        this.collector = requireNonNull(collector, "collector is null");
        this.targets = requireNonNull(targets, "targets is null");
    }

    public void register(RouterBuilder builder)
    {
        builder.getRoute("getClusterAutoscaling").addHandler(context -> ClusterRoutes.reply(context, collector.view(context.pathParam("name")), AutoscalingRoutes::json, 200));
        builder.getRoute("getClusterAutoscalingHistory").addHandler(context -> ClusterRoutes.reply(context, collector.history(context.pathParam("name")),
                points -> history(context.pathParam("name"), collector.config().pollInterval(), points), 200));
        builder.getRoute("getPrometheusTargets").addHandler(context -> ClusterRoutes.reply(context, targets.coordinators(), AutoscalingRoutes::json, 200));
    }

    static ObjectNode history(String cluster, Duration pollInterval, List<SignalHistory.Point> points)
    {
        ObjectNode node = ClusterJson.MAPPER.createObjectNode();
        node.put("cluster", cluster);
        node.put("window", Durations.format(SignalHistory.WINDOW));
        node.put("pollInterval", Durations.format(pollInterval));
        ArrayNode array = node.putArray("points");
        for (SignalHistory.Point point : points) {
            ObjectNode entry = array.addObject();
            entry.put("at", point.at().toString());
            entry.put("status", point.available() ? "ok" : "unavailable");
            if (point.available()) {
                entry.put("needed", point.needed());
                entry.put("activeWorkers", point.activeWorkers());
                entry.put("drainingWorkers", point.drainingWorkers());
                entry.put("runningQueries", point.runningQueries());
                entry.put("queuedQueries", point.queuedQueries());
            }
        }
        return node;
    }

    static ArrayNode json(List<CoordinatorTargets.TargetGroup> groups)
    {
        ArrayNode array = ClusterJson.MAPPER.createArrayNode();
        for (CoordinatorTargets.TargetGroup group : groups) {
            ObjectNode entry = array.addObject();
            entry.putArray("targets").add(group.target());
            ObjectNode labels = entry.putObject("labels");
            new TreeMap<>(group.labels()).forEach(labels::put);
        }
        return array;
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
