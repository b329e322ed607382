package io.prestoorchestrator.sim.consul.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.sim.consul.agent.CheckRegistration;
import io.prestoorchestrator.sim.consul.state.CheckSpec;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.ServiceInstance.TaggedAddress;
import io.prestoorchestrator.sim.consul.state.ServiceInstance.Weights;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Consul's service and check definitions as the agent endpoints take them: the accepted fields
 * (Go's decoder rejects any other), defaults (service ID = name, check IDs "service:ID[:n]"),
 * CheckType.Validate() and Type(), and the metadata, weights and address rules.
 */
final class ServiceDefinitions
{
    static final Set<String> SERVICE_FIELDS = Set.of("Kind", "ID", "Name", "Tags", "Address", "TaggedAddresses", "Meta", "Port",
            "SocketPath", "Check", "Checks", "Weights", "Token", "EnableTagOverride", "Proxy", "Connect", "Namespace", "Partition", "Locality");
    private static final Set<String> CHECK_TYPE_FIELDS = Set.of("CheckID", "Name", "Status", "Notes", "Args", "ScriptArgs", "DockerContainerID",
            "Shell", "Interval", "Timeout", "TTL", "HTTP", "Header", "Method", "Body", "DisableRedirects", "TCP", "TCPUseTLS", "UDP",
            "TLSServerName", "TLSSkipVerify", "GRPC", "GRPCUseTLS", "H2PING", "H2PingUseTLS", "AliasNode", "AliasService",
            "SuccessBeforePassing", "FailuresBeforeWarning", "FailuresBeforeCritical", "DeregisterCriticalServiceAfter", "OSService",
            "OutputMaxSize", "Namespace", "Partition");
    static final Set<String> CHECK_DEFINITION_FIELDS = union(CHECK_TYPE_FIELDS, Set.of("ID", "ServiceID", "Token"));
    private static final Set<String> TAGGED_ADDRESS_FIELDS = Set.of("Address", "Port");
    private static final Set<String> WEIGHTS_FIELDS = Set.of("Passing", "Warning");
    private static final Pattern META_KEY = Pattern.compile("^[a-zA-Z0-9_-]+$");


    private final String nodeName;

    ServiceDefinitions(String nodeName)
    {
        this.nodeName = requireNonNull(nodeName, "nodeName is null");
    }

    /**
     * Reads a /v1/agent/service/register body into the service and its check registrations
     * (IDs and names defaulted as Consul does), validating like Consul's agent.
     */
    ServiceRegistration service(JsonFields fields, String name, String address)
    {
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
            checks.add(check(check, checkId, checkName, parsed.service(), "Status for checks must 'passing', 'warning', 'critical'"));
        }
        return new ServiceRegistration(parsed.service(), checks);
    }

    /**
     * Runs a decoding step, turning Go-style decode errors into Consul's 400 "Request decode failed".
     */
    static <T> T decode(Supplier<T> decoder)
    {
        try {
            return decoder.get();
        }
        catch (JsonFields.DecodeException e) {
            throw ConsulHttpException.decodeFailed(e.getMessage());
        }
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

    /**
     * A check of a service registration, or (service null) a node check from /v1/agent/check/register.
     */
    CheckRegistration check(JsonFields check, String checkId, String checkName, ServiceInstance service, String badStatusMessage)
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
        HealthCheck healthCheck = new HealthCheck(nodeName, checkId, checkName, status.orElse(CheckStatus.CRITICAL), check.string("Notes"), "",
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

    record ServiceRegistration(ServiceInstance service, List<CheckRegistration> checks)
    {
        ServiceRegistration
        {
            requireNonNull(service, "service is null");
            checks = List.copyOf(checks);
        }
    }
}
