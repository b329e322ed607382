package io.prestoorchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The operations of an OpenAPI contract and who may call each, read the way the contract's own
 * description states it, independently of the service's {@code BearerAuthHandler}: an operation
 * whose {@code security} (else the document's) is an empty list is public; any other needs a
 * token, of the role in its {@code x-required-role}, else viewer for GET/HEAD and admin for the
 * rest. For tests that judge answers by the contract.
 */
final class ContractOperations
{
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** Who a request comes from. */
    enum Caller
    {
        NONE, VIEWER, ADMIN
    }

    /** What an operation requires. */
    enum Access
    {
        PUBLIC, VIEWER, ADMIN;

        boolean grants(Caller caller)
        {
            return switch (this) {
                case PUBLIC -> true;
                case VIEWER -> caller != Caller.NONE;
                case ADMIN -> caller == Caller.ADMIN;
            };
        }

        /** The status a caller this does not grant must get: 401 without a (valid) token, 403 with a role too low. */
        int refusal(Caller caller)
        {
            if (grants(caller)) {
                throw new IllegalArgumentException(this + " grants " + caller);
            }
            return caller == Caller.NONE ? 401 : 403;
        }
    }

    /**
     * @param method upper case
     * @param path the contract's path template, e.g. {@code /v1/clusters/{name}}
     * @param hasBody whether the operation takes a request body
     */
    record Operation(String operationId, String method, String path, Access access, boolean hasBody)
    {
        Operation
        {
            requireNonNull(operationId, "operationId is null");
            requireNonNull(method, "method is null");
            requireNonNull(path, "path is null");
            requireNonNull(access, "access is null");
        }

        /** The path with every parameter replaced by its value in {@code values} (which must name each). */
        String expand(Map<String, String> values)
        {
            String expanded = path;
            for (String parameter : parameters(path)) {
                String value = requireNonNull(values.get(parameter), () -> "no value for path parameter " + parameter + " of " + operationId);
                expanded = expanded.replace("{" + parameter + "}", value);
            }
            return expanded;
        }

        @Override
        public String toString()
        {
            return operationId + " " + method + " " + path;
        }
    }

    private record Template(Operation operation, Pattern pattern) {}

    private final List<Template> templates;

    private ContractOperations(List<Template> templates)
    {
        this.templates = List.copyOf(templates);
    }

    static ContractOperations parse(String yaml)
            throws IOException
    {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode documentSecurity = root.path("security");
        List<Template> templates = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> entries = path.getValue().fields(); entries.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = entries.next();
                if (!METHODS.contains(entry.getKey())) {
                    continue; // path-level parameters, summary, ...
                }
                String method = entry.getKey().toUpperCase(Locale.ROOT);
                JsonNode operation = entry.getValue();
                String operationId = operation.path("operationId").asText(method + " " + path.getKey());
                Operation parsed = new Operation(operationId, method, path.getKey(),
                        access(operation, documentSecurity, method), operation.has("requestBody"));
                templates.add(new Template(parsed, pattern(path.getKey())));
            }
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("the contract has no operations");
        }
        return new ContractOperations(templates);
    }

    List<Operation> operations()
    {
        return templates.stream().map(Template::operation).toList();
    }

    /**
     * The operation a request goes to: {@code rawPath} (percent-encoded, without the query) matched
     * against the path templates, a parameter matching one non-empty segment, and one trailing slash
     * ignored, as the service's router does. Empty when no operation has that method and path.
     */
    Optional<Operation> match(String method, String rawPath)
    {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        // a literal path (/v1/clusters) wins over a template that also matches
        Optional<Operation> literal = templates.stream()
                .filter(template -> template.operation().method().equalsIgnoreCase(method) && template.operation().path().equals(path))
                .map(Template::operation)
                .findFirst();
        if (literal.isPresent()) {
            return literal;
        }
        return templates.stream()
                .filter(template -> template.operation().method().equalsIgnoreCase(method) && template.pattern().matcher(path).matches())
                .map(Template::operation)
                .findFirst();
    }

    private static Access access(JsonNode operation, JsonNode documentSecurity, String method)
    {
        JsonNode security = operation.has("security") ? operation.get("security") : documentSecurity;
        if (security.isArray() && security.isEmpty()) {
            return Access.PUBLIC;
        }
        if (!security.isArray()) {
            // no security anywhere: OpenAPI's default is public; this contract always declares it
            throw new IllegalArgumentException("operation " + operation.path("operationId").asText() + " has no security requirement, neither its own nor the document's");
        }
        JsonNode declared = operation.get("x-required-role");
        if (declared != null) {
            return switch (declared.asText()) {
                case "viewer" -> Access.VIEWER;
                case "admin" -> Access.ADMIN;
                default -> throw new IllegalArgumentException("operation " + operation.path("operationId").asText() + " has an unknown x-required-role: " + declared.asText());
            };
        }
        return method.equals("GET") || method.equals("HEAD") ? Access.VIEWER : Access.ADMIN;
    }

    private static Pattern pattern(String template)
    {
        StringBuilder regex = new StringBuilder();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                regex.append(Pattern.quote(template.substring(at)));
                break;
            }
            int close = template.indexOf('}', open);
            regex.append(Pattern.quote(template.substring(at, open))).append("[^/]+");
            at = close + 1;
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> parameters(String template)
    {
        List<String> names = new ArrayList<>();
        int at = template.indexOf('{');
        while (at >= 0) {
            int close = template.indexOf('}', at);
            names.add(template.substring(at + 1, close));
            at = template.indexOf('{', close);
        }
        return names;
    }
}
