package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.state.CheckSpec;
import io.prestoorchestrator.sim.consul.state.GoDuration;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.KvEntry;
import io.prestoorchestrator.sim.consul.state.NodeInfo;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.Session;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Consul's JSON shapes, field names and field order for the simulator's records.
 */
final class Render
{
    static final String CONSUL_VERSION = "1.20.1";
    static final int SERVER_PORT = 8300;
    static final int SERF_LAN_PORT = 8301;

    private Render() {}

    static JsonObject node(NodeInfo node, long createIndex)
    {
        return new JsonObject()
                .put("ID", node.id())
                .put("Node", node.name())
                .put("Address", node.address())
                .put("Datacenter", node.datacenter())
                .put("TaggedAddresses", nodeTaggedAddresses(node))
                .put("Meta", new JsonObject().put("consul-network-segment", "").put("consul-version", CONSUL_VERSION))
                .put("CreateIndex", createIndex)
                .put("ModifyIndex", createIndex);
    }

    private static JsonObject nodeTaggedAddresses(NodeInfo node)
    {
        return new JsonObject()
                .put("lan", node.address())
                .put("lan_ipv4", node.address())
                .put("wan", node.address())
                .put("wan_ipv4", node.address());
    }

    /**
     * An entry of /v1/agent/services (api.AgentService).
     */
    static JsonObject agentService(ServiceInstance service, String datacenter)
    {
        JsonObject json = new JsonObject();
        if (!service.kind().isEmpty()) {
            json.put("Kind", service.kind());
        }
        json.put("ID", service.id())
                .put("Service", service.name())
                .put("Tags", new JsonArray(service.tags()))
                .put("Meta", sortedObject(service.meta()))
                .put("Port", service.port())
                .put("Address", service.address());
        if (!service.taggedAddresses().isEmpty()) {
            json.put("TaggedAddresses", taggedAddresses(service));
        }
        return json.put("Weights", weights(service))
                .put("EnableTagOverride", service.enableTagOverride())
                .put("Datacenter", datacenter);
    }

    /**
     * The "Service" of a /v1/health/service entry (structs.NodeService).
     */
    static JsonObject nodeService(ServiceInstance service)
    {
        JsonObject json = new JsonObject();
        if (!service.kind().isEmpty()) {
            json.put("Kind", service.kind());
        }
        json.put("ID", service.id())
                .put("Service", service.name())
                .put("Tags", new JsonArray(service.tags()))
                .put("Address", service.address());
        if (!service.taggedAddresses().isEmpty()) {
            json.put("TaggedAddresses", taggedAddresses(service));
        }
        return json.put("Meta", sortedObject(service.meta()))
                .put("Port", service.port())
                .put("Weights", weights(service))
                .put("EnableTagOverride", service.enableTagOverride())
                .put("Proxy", emptyProxy())
                .put("Connect", new JsonObject())
                .put("PeerName", "")
                .put("CreateIndex", service.createIndex())
                .put("ModifyIndex", service.modifyIndex());
    }

    /**
     * An entry of /v1/catalog/service/:name (structs.ServiceNode).
     */
    static JsonObject catalogServiceNode(NodeInfo node, ServiceInstance service)
    {
        JsonObject json = new JsonObject()
                .put("ID", node.id())
                .put("Node", node.name())
                .put("Address", node.address())
                .put("Datacenter", node.datacenter())
                .put("TaggedAddresses", nodeTaggedAddresses(node))
                .put("NodeMeta", new JsonObject().put("consul-network-segment", "").put("consul-version", CONSUL_VERSION))
                .put("ServiceKind", service.kind())
                .put("ServiceID", service.id())
                .put("ServiceName", service.name())
                .put("ServiceTags", new JsonArray(service.tags()))
                .put("ServiceAddress", service.address());
        if (!service.taggedAddresses().isEmpty()) {
            json.put("ServiceTaggedAddresses", taggedAddresses(service));
        }
        return json.put("ServiceWeights", weights(service))
                .put("ServiceMeta", sortedObject(service.meta()))
                .put("ServicePort", service.port())
                .put("ServiceSocketPath", "")
                .put("ServiceEnableTagOverride", service.enableTagOverride())
                .put("ServiceProxy", emptyProxy())
                .put("ServiceConnect", new JsonObject())
                .put("ServicePeerName", "")
                .put("CreateIndex", service.createIndex())
                .put("ModifyIndex", service.modifyIndex());
    }

    static JsonObject healthServiceEntry(NodeInfo node, long nodeCreateIndex, ServiceInstance service, List<HealthCheck> checks)
    {
        JsonArray checksJson = new JsonArray();
        checks.forEach(check -> checksJson.add(healthCheck(check)));
        return new JsonObject()
                .put("Node", node(node, nodeCreateIndex))
                .put("Service", nodeService(service))
                .put("Checks", checksJson);
    }

    /**
     * A check as /v1/health/* and /v1/agent/checks render it (structs.HealthCheck).
     */
    static JsonObject healthCheck(HealthCheck check)
    {
        CheckSpec spec = check.spec().orElse(null);
        JsonObject json = new JsonObject()
                .put("Node", check.node())
                .put("CheckID", check.checkId())
                .put("Name", check.name())
                .put("Status", check.status().wireName())
                .put("Notes", check.notes())
                .put("Output", check.output())
                .put("ServiceID", check.serviceId())
                .put("ServiceName", check.serviceName())
                .put("ServiceTags", new JsonArray(check.serviceTags()))
                .put("Type", check.type())
                .put("Interval", spec == null ? "" : spec.interval().map(GoDuration::format).orElse(""))
                .put("Timeout", spec == null ? "" : spec.timeout().map(GoDuration::format).orElse(""))
                .put("ExposedPort", 0);
        return json.put("Definition", definition(spec))
                .put("CreateIndex", check.createIndex())
                .put("ModifyIndex", check.modifyIndex());
    }

    private static JsonObject definition(CheckSpec spec)
    {
        JsonObject json = new JsonObject();
        if (spec == null) {
            return json;
        }
        spec.http().ifPresent(http -> json.put("HTTP", http));
        if (!spec.header().isEmpty()) {
            JsonObject header = new JsonObject();
            spec.header().forEach((name, values) -> header.put(name, new JsonArray(values)));
            json.put("Header", header);
        }
        if (spec.http().isPresent() && !spec.method().equals("GET")) {
            json.put("Method", spec.method());
        }
        spec.body().ifPresent(body -> json.put("Body", body));
        if (spec.tlsSkipVerify()) {
            json.put("TLSSkipVerify", true);
        }
        spec.tcp().ifPresent(tcp -> json.put("TCP", tcp));
        spec.interval().ifPresent(interval -> json.put("Interval", GoDuration.format(interval)));
        spec.timeout().ifPresent(timeout -> json.put("Timeout", GoDuration.format(timeout)));
        spec.deregisterCriticalServiceAfter().ifPresent(after -> json.put("DeregisterCriticalServiceAfter", GoDuration.format(after)));
        spec.ttl().ifPresent(ttl -> json.put("TTL", GoDuration.format(ttl)));
        return json;
    }

    static JsonObject kvEntry(KvEntry entry)
    {
        JsonObject json = new JsonObject()
                .put("LockIndex", entry.lockIndex())
                .put("Key", entry.key())
                .put("Flags", entry.flags())
                .put("Value", entry.value().map(bytes -> Base64.getEncoder().encodeToString(bytes)).orElse(null));
        entry.session().ifPresent(session -> json.put("Session", session));
        return json.put("CreateIndex", entry.createIndex())
                .put("ModifyIndex", entry.modifyIndex());
    }

    static JsonObject session(Session session)
    {
        JsonArray serviceChecks = null;
        if (!session.serviceChecks().isEmpty()) {
            serviceChecks = new JsonArray();
            for (String id : session.serviceChecks()) {
                serviceChecks.add(new JsonObject().put("ID", id).put("Namespace", ""));
            }
        }
        JsonObject json = new JsonObject()
                .put("ID", session.id())
                .put("Name", session.name())
                .put("Node", session.node())
                .put("LockDelay", session.lockDelay().toNanos())
                .put("Behavior", session.behavior().wireName())
                .put("TTL", session.ttl())
                .put("NodeChecks", session.nodeChecks().isEmpty() ? null : new JsonArray(session.nodeChecks()))
                .put("ServiceChecks", serviceChecks);
        // the deprecated "Checks" is only rendered when the node checks are more than the default serfHealth
        if (!session.nodeChecks().isEmpty() && !session.nodeChecks().equals(List.of(StateStore.SERF_HEALTH))) {
            json.put("Checks", new JsonArray(session.nodeChecks()));
        }
        return json.put("CreateIndex", session.createIndex())
                .put("ModifyIndex", session.modifyIndex());
    }

    /**
     * The serf member of /v1/agent/members and /v1/agent/self.
     */
    static JsonObject member(NodeInfo node)
    {
        return new JsonObject()
                .put("Name", node.name())
                .put("Addr", node.address())
                .put("Port", SERF_LAN_PORT)
                .put("Tags", new JsonObject()
                        .put("acls", "0")
                        .put("build", CONSUL_VERSION + ":simulator")
                        .put("dc", node.datacenter())
                        .put("id", node.id())
                        .put("port", Integer.toString(SERVER_PORT))
                        .put("role", "consul")
                        .put("segment", "")
                        .put("vsn", "2")
                        .put("vsn_max", "3")
                        .put("vsn_min", "2"))
                .put("Status", 1)
                .put("ProtocolMin", 1)
                .put("ProtocolMax", 5)
                .put("ProtocolCur", 2)
                .put("DelegateMin", 2)
                .put("DelegateMax", 5)
                .put("DelegateCur", 4);
    }

    private static JsonObject taggedAddresses(ServiceInstance service)
    {
        JsonObject json = new JsonObject();
        service.taggedAddresses().forEach((tag, address) -> json.put(tag, new JsonObject().put("Address", address.address()).put("Port", address.port())));
        return json;
    }

    private static JsonObject weights(ServiceInstance service)
    {
        return new JsonObject().put("Passing", service.weights().passing()).put("Warning", service.weights().warning());
    }

    private static JsonObject emptyProxy()
    {
        return new JsonObject().put("Mode", "").put("MeshGateway", new JsonObject()).put("Expose", new JsonObject());
    }

    static JsonObject sortedObject(Map<String, String> map)
    {
        JsonObject json = new JsonObject();
        map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> json.put(entry.getKey(), entry.getValue()));
        return json;
    }
}
