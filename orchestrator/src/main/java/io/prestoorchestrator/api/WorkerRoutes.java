package io.prestoorchestrator.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.operations.ClusterService;
import io.prestoorchestrator.drain.LiveWorkers;
import io.prestoorchestrator.error.NotFoundException;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** {@code GET /v1/clusters/{name}/workers}: the worker allocations running now, their node and their Trino state. */
public final class WorkerRoutes
{
    private final ClusterService clusters;
    private final LiveWorkers workers;

    public WorkerRoutes(ClusterService clusters, LiveWorkers workers)
    {
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.workers = requireNonNull(workers, "workers is null");
    }

    public void register(RouterBuilder builder)
    {
        builder.getRoute("getClusterWorkers").addHandler(context -> {
            String name = context.pathParam("name");
            CompletionStage<List<LiveWorkers.LiveWorker>> live = clusters.specWorkers(name).thenCompose(count -> count.isEmpty()
                    ? CompletableFuture.failedFuture(new NotFoundException("Cluster '" + name + "' does not exist"))
                    : workers.workers(name));
            ClusterRoutes.reply(context, live, found -> json(name, found), 200);
        });
    }

    static ObjectNode json(String cluster, List<LiveWorkers.LiveWorker> workers)
    {
        ObjectNode node = ClusterJson.MAPPER.createObjectNode();
        node.put("cluster", cluster);
        ArrayNode array = node.putArray("workers");
        for (LiveWorkers.LiveWorker worker : workers) {
            ObjectNode entry = array.addObject();
            entry.put("allocId", worker.allocId());
            entry.put("name", worker.name());
            entry.put("nodeId", worker.nodeId());
            if (worker.consulNode().isPresent()) {
                entry.put("consulNode", worker.consulNode().get());
            }
            else {
                entry.putNull("consulNode");
            }
            entry.put("clientStatus", worker.clientStatus());
            entry.put("desiredStatus", worker.desiredStatus());
            entry.put("registered", worker.registered());
            if (worker.trinoState().isPresent()) {
                entry.put("trinoState", worker.trinoState().get().name());
            }
            else {
                entry.putNull("trinoState");
            }
        }
        return node;
    }
}
