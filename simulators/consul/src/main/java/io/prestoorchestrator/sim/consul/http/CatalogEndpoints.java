package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Resource;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.NodeInfo;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.prestoorchestrator.sim.consul.state.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * /v1/catalog and /v1/health: the read side of services, nodes and checks. Every endpoint is a
 * blocking query. Lists are filtered by the token's read rights, as Consul filters them.
 */
final class CatalogEndpoints
{
    private final StateStore store;
    private final BlockingReads reads;

    CatalogEndpoints(StateStore store, BlockingReads reads)
    {
        this.store = requireNonNull(store, "store is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    void register(Routes routes)
    {
        routes.exact("/v1/catalog/datacenters", List.of("GET"), this::datacenters);
        routes.exact("/v1/catalog/nodes", List.of("GET"), this::nodes);
        routes.exact("/v1/catalog/services", List.of("GET"), this::services);
        routes.subtree("/v1/catalog/service/", List.of("GET"), this::serviceNodes);
        routes.subtree("/v1/catalog/node/", List.of("GET"), this::nodeServices);
        routes.subtree("/v1/health/service/", List.of("GET"), this::healthService);
        routes.subtree("/v1/health/checks/", List.of("GET"), this::serviceChecks);
        routes.subtree("/v1/health/state/", List.of("GET"), this::checksInState);
        routes.subtree("/v1/health/node/", List.of("GET"), this::nodeChecks);
    }

    private void datacenters(Call call)
    {
        // not a blocking query in Consul, and not ACL-filtered
        call.respondJson(new JsonArray().add(store.node().datacenter()));
    }

    private void nodes(Call call)
    {
        reads.read(call, changes -> changes.touches(Topics.NODES), authorizer -> store.read(() -> {
            JsonArray nodes = new JsonArray();
            NodeInfo node = store.node();
            if (authorizer.canRead(Resource.NODE, node.name()) && nodeMetaMatches(call)) {
                nodes.add(Render.node(node, store.nodeCreateIndex()));
            }
            return QueryResult.ok(store.topicIndex(Topics.NODES), nodes);
        }));
    }

    private void services(Call call)
    {
        reads.read(call, changes -> changes.touches(Topics.SERVICES), authorizer -> store.read(() -> {
            Map<String, TreeSet<String>> tagsByName = new TreeMap<>();
            if (nodeMetaMatches(call)) {
                for (ServiceInstance service : store.services()) {
                    if (authorizer.canRead(Resource.SERVICE, service.name())) {
                        tagsByName.computeIfAbsent(service.name(), ignored -> new TreeSet<>()).addAll(service.tags());
                    }
                }
            }
            JsonObject services = new JsonObject();
            tagsByName.forEach((name, tags) -> services.put(name, new JsonArray(new ArrayList<>(tags))));
            return QueryResult.ok(store.topicIndex(Topics.SERVICES), services);
        }));
    }

    private void serviceNodes(Call call)
    {
        String name = requireServiceName(call);
        List<String> tags = call.params().getAll("tag");
        reads.read(call, changes -> changes.touches(Topics.service(name)), authorizer -> store.read(() -> {
            JsonArray nodes = new JsonArray();
            for (ServiceInstance service : instances(authorizer, name, tags, call)) {
                nodes.add(Render.catalogServiceNode(store.node(), service));
            }
            return QueryResult.ok(serviceIndex(name), nodes);
        }));
    }

    /**
     * The node and its services; an unknown node answers 200 with no body, as Consul does.
     */
    private void nodeServices(Call call)
    {
        String nodeName = call.suffix();
        if (nodeName.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing node name");
        }
        reads.read(call, changes -> changes.touches(Topics.SERVICES) || changes.touches(Topics.NODES), authorizer -> store.read(() -> {
            long index = Math.max(store.topicIndex(Topics.SERVICES), store.topicIndex(Topics.NODES));
            NodeInfo node = store.node();
            if (!(nodeName.equals(node.name()) || nodeName.equals(node.id())) || !authorizer.canRead(Resource.NODE, node.name())) {
                return QueryResult.ok(index, null);
            }
            JsonObject services = new JsonObject();
            for (ServiceInstance service : store.services()) {
                if (authorizer.canRead(Resource.SERVICE, service.name())) {
                    services.put(service.id(), Render.nodeService(service));
                }
            }
            return QueryResult.ok(index, new JsonObject().put("Node", Render.node(node, store.nodeCreateIndex())).put("Services", services));
        }));
    }

    private void healthService(Call call)
    {
        String name = requireServiceName(call);
        List<String> tags = call.params().getAll("tag");
        boolean passingOnly = passingParam(call);
        reads.read(call, changes -> changes.touches(Topics.service(name)), authorizer -> store.read(() -> {
            JsonArray entries = new JsonArray();
            boolean nodeVisible = authorizer.canRead(Resource.NODE, store.node().name());
            for (ServiceInstance service : instances(authorizer, name, tags, call)) {
                if (!nodeVisible) {
                    continue;
                }
                List<HealthCheck> checks = new ArrayList<>(store.nodeChecks());
                checks.addAll(store.checksOfService(service.id()));
                if (passingOnly && checks.stream().anyMatch(check -> check.status() != CheckStatus.PASSING)) {
                    continue;
                }
                entries.add(Render.healthServiceEntry(store.node(), store.nodeCreateIndex(), service, checks));
            }
            return QueryResult.ok(serviceIndex(name), entries);
        }));
    }

    private void serviceChecks(Call call)
    {
        String name = requireServiceName(call);
        reads.read(call, changes -> changes.touches(Topics.service(name)), authorizer -> store.read(() -> {
            JsonArray checks = new JsonArray();
            if (authorizer.canRead(Resource.SERVICE, name) && nodeMetaMatches(call)) {
                store.checks().stream()
                        .filter(check -> check.serviceName().equals(name))
                        .forEach(check -> checks.add(Render.healthCheck(check)));
            }
            return QueryResult.ok(serviceIndex(name), checks);
        }));
    }

    private void checksInState(Call call)
    {
        String state = call.suffix();
        if (state.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing check state");
        }
        Optional<CheckStatus> status = CheckStatus.fromWireName(state);
        if (status.isEmpty() && !state.equals("any")) {
            throw ConsulHttpException.badRequest("Invalid check state");
        }
        reads.read(call, changes -> changes.touches(Topics.CHECKS), authorizer -> store.read(() -> {
            JsonArray checks = new JsonArray();
            if (nodeMetaMatches(call)) {
                for (HealthCheck check : store.checks()) {
                    if ((status.isEmpty() || check.status() == status.get()) && visible(authorizer, check)) {
                        checks.add(Render.healthCheck(check));
                    }
                }
            }
            return QueryResult.ok(store.topicIndex(Topics.CHECKS), checks);
        }));
    }

    private void nodeChecks(Call call)
    {
        String nodeName = call.suffix();
        if (nodeName.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing node name");
        }
        reads.read(call, changes -> changes.touches(Topics.CHECKS), authorizer -> store.read(() -> {
            JsonArray checks = new JsonArray();
            if (nodeName.equals(store.node().name()) || nodeName.equals(store.node().id())) {
                for (HealthCheck check : store.checks()) {
                    if (visible(authorizer, check)) {
                        checks.add(Render.healthCheck(check));
                    }
                }
            }
            return QueryResult.ok(store.topicIndex(Topics.CHECKS), checks);
        }));
    }

    private List<ServiceInstance> instances(Authorizer authorizer, String name, List<String> tags, Call call)
    {
        if (!authorizer.canRead(Resource.SERVICE, name) || !nodeMetaMatches(call)) {
            return List.of();
        }
        return store.services().stream()
                .filter(service -> service.name().equals(name))
                .filter(service -> service.tags().containsAll(tags))
                .toList();
    }

    private boolean visible(Authorizer authorizer, HealthCheck check)
    {
        return check.isServiceCheck()
                ? authorizer.canRead(Resource.SERVICE, check.serviceName())
                : authorizer.canRead(Resource.NODE, check.node());
    }

    /**
     * The index of one service's instances and checks; the services table index for a name that
     * was never registered.
     */
    private long serviceIndex(String name)
    {
        long index = store.topicIndex(Topics.service(name));
        return index != 0 ? index : store.topicIndex(Topics.SERVICES);
    }

    /**
     * ?node-meta=key:value filters; the simulated node's meta is consul-network-segment and consul-version.
     */
    private boolean nodeMetaMatches(Call call)
    {
        for (String filter : call.params().getAll("node-meta")) {
            String[] pair = filter.split(":", 2);
            String value = pair.length == 2 ? pair[1] : "";
            boolean matches = switch (pair[0]) {
                case "consul-network-segment" -> value.isEmpty();
                case "consul-version" -> value.equals(Render.CONSUL_VERSION);
                default -> false;
            };
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    private static boolean passingParam(Call call)
    {
        if (!call.hasParam("passing")) {
            return false;
        }
        String value = call.params().get("passing");
        if (value.isEmpty()) {
            return true;
        }
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ConsulHttpException.badRequest("Invalid value for ?passing");
        };
    }

    private static String requireServiceName(Call call)
    {
        String name = call.suffix();
        if (name.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing service name");
        }
        return name;
    }
}
