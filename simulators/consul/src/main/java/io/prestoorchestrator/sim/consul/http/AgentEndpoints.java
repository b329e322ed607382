package io.prestoorchestrator.sim.consul.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.sim.consul.acl.Acl;
import io.prestoorchestrator.sim.consul.acl.AclException;
import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Access;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Resource;
import io.prestoorchestrator.sim.consul.agent.CheckRegistration;
import io.prestoorchestrator.sim.consul.agent.LocalAgent;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.CheckSpec;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.NodeInfo;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.ServiceInstance.TaggedAddress;
import io.prestoorchestrator.sim.consul.state.ServiceInstance.Weights;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.prestoorchestrator.sim.consul.state.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * /v1/agent: the local agent's services and checks, its self description and members.
 * Agent reads are not blocking queries in Consul, so they answer at once without X-Consul-Index.
 */
final class AgentEndpoints
{
    private static final Set<String> SERVICE_FIELDS = Set.of("Kind", "ID", "Name", "Tags", "Address", "TaggedAddresses", "Meta", "Port",
            "SocketPath", "Check", "Checks", "Weights", "Token", "EnableTagOverride", "Proxy", "Connect", "Namespace", "Partition", "Locality");
    private static final Set<String> CHECK_TYPE_FIELDS = Set.of("CheckID", "Name", "Status", "Notes", "Args", "ScriptArgs", "DockerContainerID",
            "Shell", "Interval", "Timeout", "TTL", "HTTP", "Header", "Method", "Body", "DisableRedirects", "TCP", "TCPUseTLS", "UDP",
            "TLSServerName", "TLSSkipVerify", "GRPC", "GRPCUseTLS", "H2PING", "H2PingUseTLS", "AliasNode", "AliasService",
            "SuccessBeforePassing", "FailuresBeforeWarning", "FailuresBeforeCritical", "DeregisterCriticalServiceAfter", "OSService",
            "OutputMaxSize", "Namespace", "Partition");
    private static final Set<String> CHECK_DEFINITION_FIELDS = union(CHECK_TYPE_FIELDS, Set.of("ID", "ServiceID", "Token"));
    private static final Set<String> CHECK_UPDATE_FIELDS = Set.of("Status", "Output");
    private static final Set<String> TAGGED_ADDRESS_FIELDS = Set.of("Address", "Port");
    private static final Set<String> WEIGHTS_FIELDS = Set.of("Passing", "Warning");
    private static final Pattern META_KEY = Pattern.compile("^[a-zA-Z0-9_-]+$");

    private final StateStore store;
    private final LocalAgent agent;
    private final Acl acl;
    private final BlockingReads reads;

    AgentEndpoints(StateStore store, LocalAgent agent, Acl acl, BlockingReads reads)
    {
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
            if (authorizer.canRead(Resource.SERVICE, service.name())) {
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
            Optional<ServiceInstance> service = agent.service(serviceId);
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
            if (check.checkId().equals(StateStore.SERF_HEALTH)) {
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
        JsonFields fields = decode(() -> JsonFields.parse(call.body(), "structs.ServiceDefinition", SERVICE_FIELDS));
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
        ParsedService parsed = decode(() -> parseService(fields, name, address));
        refuseUnsimulated(fields);
        List<CheckRegistration> checks = new ArrayList<>();
        for (int i = 0; i < parsed.checks().size(); i++) {
            JsonFields check = parsed.checks().get(i);
            String checkId = check.string("CheckID");
            if (checkId.isEmpty()) {
                checkId = "service:" + parsed.service().id() + (parsed.checks().size() > 1 ? ":" + (i + 1) : "");
            }
            String checkName = check.string("Name").isEmpty() ? "Service '" + name + "' check" : check.string("Name");
            checks.add(checkRegistration(check, checkId, checkName, parsed.service(), "Status for checks must 'passing', 'warning', 'critical'"));
        }
        authorizer.require(Resource.SERVICE, Access.WRITE, name);
        boolean replaceExistingChecks = call.hasParam("replace-existing-checks")
                && (call.params().get("replace-existing-checks").isEmpty() || call.params().get("replace-existing-checks").equals("true"));
        agent.registerService(parsed.service(), checks, replaceExistingChecks);
        call.respondEmpty();
    }

    private ParsedService parseService(JsonFields fields, String name, String address)
    {
        String id = fields.string("ID").isEmpty() ? name : fields.string("ID");
        List<String> tags = fields.stringList("Tags");
        Map<String, String> meta = fields.stringMap("Meta");
        int port = fields.integer("Port");
        Weights weights = Weights.DEFAULT;
        Optional<JsonFields> weightsFields = fields.object("Weights", "structs.Weights", WEIGHTS_FIELDS);
        if (weightsFields.isPresent()) {
            int passing = weightsFields.get().integer("Passing");
            int warning = weightsFields.get().integer("Warning");
            if (passing < 1) {
                throw ConsulHttpException.badRequest("Invalid Weights: Passing must be greater than 0");
            }
            if (warning < 0) {
                throw ConsulHttpException.badRequest("Invalid Weights: Warning must be greater or equal than 0");
            }
            weights = new Weights(passing, warning);
        }
        validateMeta(meta);
        Map<String, TaggedAddress> taggedAddresses = new LinkedHashMap<>();
        Optional<JsonNode> taggedNode = fields.node("TaggedAddresses");
        if (taggedNode.isPresent()) {
            if (!taggedNode.get().isObject()) {
                throw JsonFields.typeMismatch("structs.ServiceDefinition", "TaggedAddresses", taggedNode.get(), "map[string]structs.ServiceAddress");
            }
            taggedNode.get().fields().forEachRemaining(entry -> {
                JsonFields tagged = JsonFields.of(entry.getValue(), "structs.ServiceAddress", TAGGED_ADDRESS_FIELDS);
                taggedAddresses.put(entry.getKey(), new TaggedAddress(tagged.string("Address"), tagged.integer("Port")));
            });
        }
        addDefaultTaggedAddresses(taggedAddresses, address, port);
        List<JsonFields> checks = new ArrayList<>();
        fields.object("Check", "structs.CheckType", CHECK_TYPE_FIELDS).ifPresent(check -> {
            // Consul skips a "Check" equal to the zero CheckType
            if (!check.isEmpty()) {
                checks.add(check);
            }
        });
        checks.addAll(fields.objectList("Checks", "structs.CheckType", CHECK_TYPE_FIELDS));
        ServiceInstance service = new ServiceInstance(fields.string("Kind"), id, name, tags, meta, port, address, taggedAddresses, weights,
                fields.bool("EnableTagOverride"), 0, 0);
        return new ParsedService(service, checks);
    }

    /**
     * An IP service address gets lan_ipv4/wan_ipv4 (or _ipv6) tagged addresses, as the agent adds them.
     */
    private static void addDefaultTaggedAddresses(Map<String, TaggedAddress> taggedAddresses, String address, int port)
    {
        if (address.isEmpty() || !(address.matches("[0-9.]+") || address.contains(":"))) {
            return;
        }
        InetAddress ip;
        try {
            ip = InetAddress.getByName(address);
        }
        catch (UnknownHostException e) {
            return;
        }
        String suffix = ip instanceof Inet4Address ? "_ipv4" : ip instanceof Inet6Address ? "_ipv6" : null;
        if (suffix != null) {
            taggedAddresses.putIfAbsent("lan" + suffix, new TaggedAddress(address, port));
            taggedAddresses.putIfAbsent("wan" + suffix, new TaggedAddress(address, port));
        }
    }

    private static void validateMeta(Map<String, String> meta)
    {
        if (meta.size() > 64) {
            throw ConsulHttpException.badRequest("Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs");
        }
        for (Map.Entry<String, String> entry : meta.entrySet()) {
            String key = entry.getKey();
            String problem = null;
            if (key.isEmpty()) {
                problem = "Key cannot be blank";
            }
            else if (key.length() > 128) {
                problem = "Key is too long (limit: 128 characters)";
            }
            else if (!META_KEY.matcher(key).matches()) {
                problem = "Key contains invalid characters";
            }
            else if (key.startsWith("consul-")) {
                problem = "Key prefix 'consul-' is reserved for internal use";
            }
            else if (entry.getValue().length() > 512) {
                problem = "Value is too long (limit: 512 characters)";
            }
            if (problem != null) {
                throw ConsulHttpException.badRequest("Invalid Service Meta: Couldn't load metadata pair ('" + key + "', '" + entry.getValue() + "'): " + problem);
            }
        }
    }

    private void refuseUnsimulated(JsonFields fields)
    {
        if (!fields.string("Kind").isEmpty() || fields.has("Proxy") || fields.has("Connect")) {
            throw ConsulHttpException.badRequest("The Consul simulator does not simulate Connect (service Kind, Proxy, Connect); register a typical service");
        }
        if (!fields.string("SocketPath").isEmpty()) {
            throw ConsulHttpException.badRequest("The Consul simulator does not simulate unix-socket services (SocketPath)");
        }
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

    private CheckRegistration checkRegistration(JsonFields check, String checkId, String checkName, ServiceInstance service, String badStatusMessage)
    {
        String statusText = check.string("Status");
        Optional<CheckStatus> status = CheckStatus.fromWireName(statusText);
        if (!statusText.isEmpty() && status.isEmpty()) {
            throw ConsulHttpException.badRequest(badStatusMessage);
        }
        for (String enterprise : List.of("Namespace", "Partition")) {
            String value = check.string(enterprise);
            if (!value.isEmpty() && !value.equals("default")) {
                throw ConsulHttpException.badRequest("Invalid check: " + enterprise + "s are a Consul Enterprise feature");
            }
        }
        CheckSpec spec = checkSpec(check);
        HealthCheck healthCheck = new HealthCheck(store.node().name(), checkId, checkName, status.orElse(CheckStatus.CRITICAL), check.string("Notes"), "",
                service == null ? "" : service.id(), service == null ? "" : service.name(), service == null ? List.of() : service.tags(),
                Optional.of(spec), Optional.empty(), 0, 0);
        return new CheckRegistration(healthCheck, status.isPresent());
    }

    /**
     * Consul's CheckType.Validate() and Type().
     */
    private static CheckSpec checkSpec(JsonFields check)
    {
        CheckSpec spec = decode(() -> {
            String http = check.string("HTTP");
            String tcp = check.string("TCP");
            Optional<Duration> interval = check.duration("Interval");
            Optional<Duration> ttl = check.duration("TTL");
            boolean script = !check.stringList("Args").isEmpty() || !check.stringList("ScriptArgs").isEmpty();
            boolean docker = !check.string("DockerContainerID").isEmpty();
            String grpc = check.string("GRPC");
            String udp = check.string("UDP");
            String h2ping = check.string("H2PING");
            String osService = check.string("OSService");
            boolean alias = !check.string("AliasService").isEmpty() || !check.string("AliasNode").isEmpty();
            boolean intervalCheck = script || !http.isEmpty() || !tcp.isEmpty() || !udp.isEmpty() || !grpc.isEmpty() || !h2ping.isEmpty() || !osService.isEmpty();
            if (intervalCheck && interval.map(d -> d.isNegative() || d.isZero()).orElse(true)) {
                throw invalidCheck("Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks");
            }
            if (intervalCheck && alias) {
                throw invalidCheck("Interval cannot be set for Alias checks");
            }
            if (alias && ttl.isPresent()) {
                throw invalidCheck("TTL must be not be set for Alias checks");
            }
            if (!intervalCheck && !alias && ttl.map(d -> d.isNegative() || d.isZero()).orElse(true)) {
                throw invalidCheck("TTL must be > 0 for TTL checks");
            }
            int outputMaxSize = check.integer("OutputMaxSize");
            if (outputMaxSize < 0) {
                throw invalidCheck("MaxOutputMaxSize must be positive");
            }
            String type;
            if (!grpc.isEmpty()) {
                type = "grpc";
            }
            else if (!http.isEmpty()) {
                type = "http";
            }
            else if (ttl.isPresent()) {
                type = "ttl";
            }
            else if (!tcp.isEmpty()) {
                type = "tcp";
            }
            else if (!udp.isEmpty()) {
                type = "udp";
            }
            else if (alias) {
                type = "alias";
            }
            else if (docker) {
                type = "docker";
            }
            else if (script) {
                type = "script";
            }
            else if (!h2ping.isEmpty()) {
                type = "h2ping";
            }
            else {
                type = "os_service";
            }
            String method = check.string("Method").isEmpty() ? "GET" : check.string("Method");
            return new CheckSpec(type, Optional.of(http).filter(s -> !s.isEmpty()), method, check.stringListMap("Header"),
                    Optional.of(check.string("Body")).filter(s -> !s.isEmpty()), Optional.of(tcp).filter(s -> !s.isEmpty()),
                    check.bool("TLSSkipVerify"), interval, check.duration("Timeout"), ttl, check.duration("DeregisterCriticalServiceAfter"),
                    Math.max(0, check.integer("SuccessBeforePassing")), Math.max(0, check.integer("FailuresBeforeWarning")),
                    Math.max(0, check.integer("FailuresBeforeCritical")),
                    outputMaxSize == 0 ? CheckSpec.DEFAULT_OUTPUT_MAX_SIZE : outputMaxSize);
        });
        return spec;
    }

    private static ConsulHttpException invalidCheck(String message)
    {
        return ConsulHttpException.badRequest("Invalid check: " + message);
    }

    private void deregisterService(Call call)
    {
        String serviceId = call.suffix();
        Authorizer authorizer = call.authorizer();
        ServiceInstance service = agent.service(serviceId).orElseThrow(() -> ConsulHttpException.notFound(
                "Unknown service ID \"" + serviceId + "\". Ensure that the service ID is passed, not the service name."));
        authorizer.require(Resource.SERVICE, Access.WRITE, service.name());
        agent.deregisterService(serviceId);
        call.respondEmpty();
    }

    private void registerCheck(Call call)
    {
        JsonFields fields = decode(() -> JsonFields.parse(call.body(), "structs.CheckDefinition", CHECK_DEFINITION_FIELDS));
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
            service = agent.service(serviceId).orElseThrow(() -> ConsulHttpException.notFound("ServiceID \"" + serviceId + "\" does not exist"));
        }
        CheckRegistration registration = checkRegistration(fields, checkId, name, service, "Bad check status");
        if (service != null) {
            authorizer.require(Resource.SERVICE, Access.WRITE, service.name());
        }
        else {
            authorizer.require(Resource.NODE, Access.WRITE, store.node().name());
        }
        agent.registerCheck(registration);
        call.respondEmpty();
    }

    private void deregisterCheck(Call call)
    {
        HealthCheck check = vetCheckUpdate(call);
        agent.deregisterCheck(check.checkId());
        call.respondEmpty();
    }

    private void checkUpdate(Call call)
    {
        JsonFields fields = decode(() -> JsonFields.parse(call.body(), "agent.checkUpdate", CHECK_UPDATE_FIELDS));
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

    private static <T> T decode(Supplier<T> decoder)
    {
        try {
            return decoder.get();
        }
        catch (JsonFields.DecodeException e) {
            throw ConsulHttpException.decodeFailed(e.getMessage());
        }
    }

    private static Set<String> union(Set<String> left, Set<String> right)
    {
        Set<String> union = new HashSet<>(left);
        union.addAll(right);
        return Set.copyOf(union);
    }

    private record ParsedService(ServiceInstance service, List<JsonFields> checks)
    {
        private ParsedService
        {
            requireNonNull(service, "service is null");
            checks = List.copyOf(checks);
        }
    }
}
