package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Acl;
import io.prestoorchestrator.sim.consul.acl.AclException;
import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Access;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Resource;
import io.prestoorchestrator.sim.consul.agent.CheckRegistration;
import io.prestoorchestrator.sim.consul.http.ServiceDefinitions.ServiceRegistration;
import io.prestoorchestrator.sim.consul.agent.LocalAgent;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.NodeInfo;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.prestoorchestrator.sim.consul.state.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * /v1/agent: the local agent's services and checks, its self description and members.
 * Agent reads are not blocking queries in Consul, so they answer at once without X-Consul-Index.
 */
final class AgentEndpoints
{
    private static final Set<String> CHECK_UPDATE_FIELDS = Set.of("Status", "Output");
    private final StateStore store;
    private final LocalAgent agent;
    private final Acl acl;
    private final BlockingReads reads;
    private final ServiceDefinitions definitions;
    private final AgentScope scope;

    AgentEndpoints(StateStore store, LocalAgent agent, Acl acl, BlockingReads reads, AgentScope scope)
    {
        this.scope = requireNonNull(scope, "scope is null");
        this.definitions = new ServiceDefinitions(store.node().name());
        this.store = requireNonNull(store, "store is null");
        this.agent = requireNonNull(agent, "agent is null");
        this.acl = requireNonNull(acl, "acl is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    void register(Routes routes)
    {
        routes.exact("/v1/agent/self", List.of("GET"), this::self);
        routes.exact("/v1/agent/members", List.of("GET"), this::members);
        routes.exact("/v1/agent/services", List.of("GET"), this::services);
        routes.exact("/v1/agent/checks", List.of("GET"), this::checks);
        routes.exact("/v1/agent/service/register", List.of("PUT"), this::registerService);
        routes.subtree("/v1/agent/service/", List.of("GET"), this::service);
        routes.subtree("/v1/agent/service/deregister/", List.of("PUT"), this::deregisterService);
        routes.exact("/v1/agent/check/register", List.of("PUT"), this::registerCheck);
        routes.subtree("/v1/agent/check/deregister/", List.of("PUT"), this::deregisterCheck);
        routes.subtree("/v1/agent/check/pass/", List.of("PUT"), call -> ttlUpdate(call, CheckStatus.PASSING, call.param("note").orElse("")));
        routes.subtree("/v1/agent/check/warn/", List.of("PUT"), call -> ttlUpdate(call, CheckStatus.WARNING, call.param("note").orElse("")));
        routes.subtree("/v1/agent/check/fail/", List.of("PUT"), call -> ttlUpdate(call, CheckStatus.CRITICAL, call.param("note").orElse("")));
        routes.subtree("/v1/agent/check/update/", List.of("PUT"), this::checkUpdate);
        routes.subtree("/v1/agent/service/maintenance/", List.of("PUT"), this::serviceMaintenance);
        routes.exact("/v1/agent/maintenance", List.of("PUT"), this::nodeMaintenance);
    }

    private void self(Call call)
    {
        NodeInfo node = store.node();
        call.authorizer().require(Resource.AGENT, Access.READ, node.name());
        JsonObject config = new JsonObject()
                .put("Datacenter", node.datacenter())
                .put("PrimaryDatacenter", node.datacenter())
                .put("NodeName", node.name())
                .put("NodeID", node.id())
                .put("Revision", "simulator")
                .put("Server", true)
                .put("Version", Render.CONSUL_VERSION)
                .put("BuildDate", "2024-01-01T00:00:00Z");
        call.respondJson(new JsonObject()
                .put("Config", config)
                .put("DebugConfig", new JsonObject()
                        .put("ACLsEnabled", acl.enabled())
                        .put("Datacenter", node.datacenter())
                        .put("NodeName", node.name())
                        .put("DevMode", true))
                .put("Coord", new JsonObject().put("Vec", new JsonArray(List.of(0, 0, 0, 0, 0, 0, 0, 0))).put("Error", 1.5).put("Adjustment", 0).put("Height", 1.0e-5))
                .put("Member", Render.member(node))
                .put("Stats", new JsonObject().put("consul", new JsonObject().put("leader", "true").put("server", "true").put("known_datacenters", "1")))
                .put("Meta", new JsonObject().put("consul-network-segment", "").put("consul-version", Render.CONSUL_VERSION)));
    }

    private void members(Call call)
    {
        JsonArray members = new JsonArray();
        if (call.authorizer().canRead(Resource.NODE, store.node().name())) {
            members.add(Render.member(store.node()));
        }
        call.respondJson(members);
    }

    private void services(Call call)
    {
        Authorizer authorizer = call.authorizer();
        JsonObject services = new JsonObject();
        for (ServiceInstance service : agent.services()) {
            if (scope.ownsService(service.id()) && authorizer.canRead(Resource.SERVICE, service.name())) {
                services.put(service.id(), Render.agentService(service, store.node().datacenter()));
            }
        }
        call.respondJson(services);
    }

    /**
     * One local service with its ContentHash; supports Consul's hash-based blocking (?hash=&wait=).
     */
    private void service(Call call)
    {
        String serviceId = call.suffix();
        reads.readByHash(call, changes -> changes.touches(Topics.SERVICES), authorizer -> store.read(() -> {
            Optional<ServiceInstance> service = agent.service(serviceId).filter(found -> scope.ownsService(found.id()));
            if (service.isEmpty()) {
                return QueryResult.text(404, "unknown service ID: " + serviceId);
            }
            if (!authorizer.canRead(Resource.SERVICE, service.get().name())) {
                return QueryResult.text(403, AclException.permissionDenied(authorizer.accessorId(), "service", "read", service.get().name()).getMessage());
            }
            JsonObject json = Render.agentService(service.get(), store.node().datacenter());
            String hash = contentHash(json.encode());
            return new QueryResult(200, 0, json.put("ContentHash", hash), Map.of("X-Consul-ContentHash", hash));
        }));
    }

    private static String contentHash(String content)
    {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checks(Call call)
    {
        Authorizer authorizer = call.authorizer();
        JsonObject checks = new JsonObject();
        for (HealthCheck check : store.checks()) {
            if (check.checkId().equals(StateStore.SERF_HEALTH) || !scope.ownsCheck(check.checkId(), check.serviceId())) {
                // the agent's own serf check lives in the catalog, not in the agent's local checks
                continue;
            }
            boolean visible = check.isServiceCheck()
                    ? authorizer.canRead(Resource.SERVICE, check.serviceName())
                    : authorizer.canRead(Resource.NODE, check.node());
            if (visible) {
                checks.put(check.checkId(), Render.healthCheck(check).put("CreateIndex", 0).put("ModifyIndex", 0));
            }
        }
        call.respondJson(checks);
    }

    private void registerService(Call call)
    {
        JsonFields fields = ServiceDefinitions.decode(() -> JsonFields.parse(call.body(), "structs.ServiceDefinition", ServiceDefinitions.SERVICE_FIELDS));
        refuseEnterprise(call);
        String name = fields.string("Name");
        if (name.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing service name");
        }
        String address = fields.string("Address");
        if (address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            throw ConsulHttpException.badRequest("Invalid service address");
        }
        Authorizer authorizer = call.authorizer();
        ServiceRegistration registration = definitions.service(fields, name, address);
        authorizer.require(Resource.SERVICE, Access.WRITE, name);
        boolean replaceExistingChecks = call.hasParam("replace-existing-checks")
                && (call.params().get("replace-existing-checks").isEmpty() || call.params().get("replace-existing-checks").equals("true"));
        agent.registerService(registration.service(), registration.checks(), replaceExistingChecks);
        scope.claimService(registration.service().id());
        call.respondEmpty();
    }

    private static void refuseEnterprise(Call call)
    {
        for (String param : List.of("ns", "partition")) {
            if (call.param(param).isPresent()) {
                String feature = param.equals("ns") ? "Namespaces" : "Partitions";
                throw ConsulHttpException.badRequest("Invalid query parameter: \"" + param + "\" - " + feature + " are a Consul Enterprise feature");
            }
        }
    }

    private void deregisterService(Call call)
    {
        String serviceId = call.suffix();
        Authorizer authorizer = call.authorizer();
        ServiceInstance service = agent.service(serviceId).filter(found -> scope.ownsService(found.id())).orElseThrow(() -> ConsulHttpException.notFound(
                "Unknown service ID \"" + serviceId + "\". Ensure that the service ID is passed, not the service name."));
        authorizer.require(Resource.SERVICE, Access.WRITE, service.name());
        agent.deregisterService(serviceId);
        scope.releaseService(serviceId);
        call.respondEmpty();
    }

    private void registerCheck(Call call)
    {
        JsonFields fields = ServiceDefinitions.decode(() -> JsonFields.parse(call.body(), "structs.CheckDefinition", ServiceDefinitions.CHECK_DEFINITION_FIELDS));
        refuseEnterprise(call);
        String name = fields.string("Name");
        if (name.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing check name");
        }
        String statusText = fields.string("Status");
        if (!statusText.isEmpty() && CheckStatus.fromWireName(statusText).isEmpty()) {
            throw ConsulHttpException.badRequest("Bad check status");
        }
        Authorizer authorizer = call.authorizer();
        String checkId = fields.string("ID").isEmpty() ? fields.string("CheckID") : fields.string("ID");
        if (checkId.isEmpty()) {
            checkId = name;
        }
        String serviceId = fields.string("ServiceID");
        ServiceInstance service = null;
        if (!serviceId.isEmpty()) {
            service = agent.service(serviceId).filter(found -> scope.ownsService(found.id()))
                    .orElseThrow(() -> ConsulHttpException.notFound("ServiceID \"" + serviceId + "\" does not exist"));
        }
        CheckRegistration registration = definitions.check(fields, checkId, name, service, "Bad check status");
        if (service != null) {
            authorizer.require(Resource.SERVICE, Access.WRITE, service.name());
        }
        else {
            authorizer.require(Resource.NODE, Access.WRITE, store.node().name());
        }
        agent.registerCheck(registration);
        if (service == null) {
            scope.claimCheck(checkId);
        }
        call.respondEmpty();
    }

    private void deregisterCheck(Call call)
    {
        HealthCheck check = vetCheckUpdate(call);
        agent.deregisterCheck(check.checkId());
        scope.releaseCheck(check.checkId());
        call.respondEmpty();
    }

    private void checkUpdate(Call call)
    {
        JsonFields fields = ServiceDefinitions.decode(() -> JsonFields.parse(call.body(), "agent.checkUpdate", CHECK_UPDATE_FIELDS));
        String statusText = fields.string("Status");
        CheckStatus status = CheckStatus.fromWireName(statusText)
                .orElseThrow(() -> ConsulHttpException.badRequest("Invalid check status: '" + statusText + "'"));
        ttlUpdate(call, status, fields.string("Output"));
    }

    private void ttlUpdate(Call call, CheckStatus status, String output)
    {
        HealthCheck check = vetCheckUpdate(call);
        if (!agent.updateTtl(check.checkId(), status, output)) {
            throw new ConsulHttpException(500, "CheckID \"" + check.checkId() + "\" does not have associated TTL");
        }
        call.respondEmpty();
    }

    /**
     * Consul's vetCheckUpdate: the check must exist (404), and the token must be able to write its
     * service (or the node, for node checks).
     */
    private HealthCheck vetCheckUpdate(Call call)
    {
        String checkId = call.suffix();
        Authorizer authorizer = call.authorizer();
        HealthCheck check = store.check(checkId)
                .filter(found -> !found.checkId().equals(StateStore.SERF_HEALTH))
                .filter(found -> scope.ownsCheck(found.checkId(), found.serviceId()))
                .orElseThrow(() -> ConsulHttpException.notFound("Unknown check ID \"" + checkId + "\". Ensure that the check ID is passed, not the check name."));
        if (check.isServiceCheck()) {
            authorizer.require(Resource.SERVICE, Access.WRITE, check.serviceName());
        }
        else {
            authorizer.require(Resource.NODE, Access.WRITE, check.node());
        }
        return check;
    }

    /**
     * Service maintenance mode: a critical "_service_maintenance:ID" check, as the agent adds it.
     */
    private void serviceMaintenance(Call call)
    {
        String serviceId = call.suffix();
        if (serviceId.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing service ID");
        }
        boolean enable = enableParam(call);
        Authorizer authorizer = call.authorizer();
        ServiceInstance service = agent.service(serviceId)
                .orElseThrow(() -> ConsulHttpException.notFound("No service registered with ID \"" + serviceId + "\""));
        authorizer.require(Resource.SERVICE, Access.WRITE, service.name());
        String checkId = "_service_maintenance:" + serviceId;
        if (enable) {
            String reason = call.param("reason").orElse("Maintenance mode is enabled for this service, but no reason was provided. This is a default message.");
            agent.registerMaintenance(new HealthCheck(store.node().name(), checkId, "Service Maintenance Mode", CheckStatus.CRITICAL, reason, "",
                    service.id(), service.name(), service.tags(), Optional.empty(), Optional.empty(), 0, 0));
        }
        else {
            agent.deregisterCheck(checkId);
        }
        call.respondEmpty();
    }

    private void nodeMaintenance(Call call)
    {
        boolean enable = enableParam(call);
        call.authorizer().require(Resource.NODE, Access.WRITE, store.node().name());
        String checkId = "_node_maintenance";
        if (enable) {
            String reason = call.param("reason").orElse("Maintenance mode is enabled for this node, but no reason was provided. This is a default message.");
            agent.registerMaintenance(new HealthCheck(store.node().name(), checkId, "Node Maintenance Mode", CheckStatus.CRITICAL, reason, "",
                    "", "", List.of(), Optional.empty(), Optional.empty(), 0, 0));
        }
        else {
            agent.deregisterCheck(checkId);
        }
        call.respondEmpty();
    }

    private static boolean enableParam(Call call)
    {
        if (!call.hasParam("enable")) {
            throw ConsulHttpException.badRequest("Missing value for enable");
        }
        String raw = call.params().get("enable");
        return switch (raw) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ConsulHttpException.badRequest("Invalid value for enable: \"" + raw + "\"");
        };
    }
}
