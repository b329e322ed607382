package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.InvalidInputException;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Cluster specs and catalogs as documents (the bodies of {@code POST /v1/clusters}, {@code PATCH},
 * {@code /v1/catalogs}): the defaults a create applies, RFC 7396 merge patch, and strict binding
 * whose errors name the field. The API and the CLI's offline {@code render} share it, so a spec
 * file renders exactly as the service would deploy it.
 */
public final class ClusterDocuments
{
    /** What a create request gets for every field it leaves out. */
    public static final ClusterSpec DEFAULTS = new ClusterSpec("defaults", Flavour.TRINO, "476", Optional.empty(), "local",
            new Resources(1000, 1024), new Workers(2, 1, 4), new Resources(1000, 1024),
            new JvmSettings(DataSize.valueOf("512MB"), 0.3), new QueryMemory(DataSize.valueOf("256MB"), DataSize.valueOf("1GB")),
            List.of(), Map.of(), false, Map.of());

    private ClusterDocuments() {}

    /** The spec a create request makes of {@code body}: the body merged over {@link #DEFAULTS}. */
    public static ClusterSpec create(JsonNode body)
    {
        return specFrom(body, defaultsTree());
    }

    /** The spec an update makes of {@code patch} applied to {@code current}. */
    public static ClusterSpec patch(ClusterSpec current, JsonNode patch)
    {
        return specFrom(patch, ClusterJson.MAPPER.valueToTree(current));
    }

    /** {@code patch} merged over {@code base} (RFC 7396 merge-patch semantics; {@code base} is changed), bound strictly to a spec. */
    public static ClusterSpec specFrom(JsonNode patch, ObjectNode base)
    {
        requireObject(patch, "the cluster spec");
        for (String bound : List.of("min", "max")) {
            if (patch.path("autoscaling").has(bound)) {
                throw InvalidInputException.malformed("/autoscaling/" + bound, "the autoscaler's bounds are the worker group's: set /workers/" + bound + " instead");
            }
        }
        merge(base, patch);
        try {
            return ClusterJson.MAPPER.treeToValue(base, ClusterSpec.class);
        }
        catch (UnrecognizedPropertyException e) {
            throw InvalidInputException.malformed(pointer(e), "invalid cluster spec: unknown field '" + e.getPropertyName() + "': known fields here are " + known(e));
        }
        catch (JsonMappingException e) {
            throw InvalidInputException.malformed(pointer(e), "invalid cluster spec: " + e.getOriginalMessage());
        }
        catch (JsonProcessingException e) {
            throw InvalidInputException.malformed("/", "invalid cluster spec: " + e.getOriginalMessage());
        }
    }

    /**
     * A catalog definition; {@code pathName}, when present, is the name the request path gives,
     * which the body may repeat but not contradict.
     */
    public static CatalogDefinition catalog(JsonNode body, Optional<String> pathName)
    {
        requireObject(body, "the catalog");
        ObjectNode tree = body.deepCopy();
        pathName.ifPresent(name -> {
            if (tree.hasNonNull("name") && !tree.get("name").asText().equals(name)) {
                throw InvalidInputException.malformed("/name", "name is " + tree.get("name").asText() + " but the path names " + name + ": a catalog cannot be renamed");
            }
            tree.put("name", name);
        });
        ObjectNode withDefaults = ClusterJson.MAPPER.createObjectNode();
        withDefaults.putObject("properties");
        withDefaults.putObject("secretProperties");
        merge(withDefaults, tree);
        try {
            return ClusterJson.MAPPER.treeToValue(withDefaults, CatalogDefinition.class);
        }
        catch (UnrecognizedPropertyException e) {
            throw InvalidInputException.malformed(pointer(e), "invalid catalog: unknown field '" + e.getPropertyName() + "': known fields here are " + known(e));
        }
        catch (JsonMappingException e) {
            throw InvalidInputException.malformed(pointer(e), "invalid catalog: " + e.getOriginalMessage());
        }
        catch (JsonProcessingException e) {
            throw InvalidInputException.malformed("/", "invalid catalog: " + e.getOriginalMessage());
        }
    }

    /** A JSON request body that must be an object. */
    public static JsonNode parseObject(String body)
    {
        try {
            JsonNode tree = ClusterJson.MAPPER.readTree(body == null ? "" : body);
            if (tree == null || !tree.isObject()) {
                throw InvalidInputException.malformed("/", "the request body must be a JSON object");
            }
            return tree;
        }
        catch (JsonProcessingException e) {
            throw InvalidInputException.malformed("/", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static ObjectNode defaultsTree()
    {
        ObjectNode tree = ClusterJson.MAPPER.valueToTree(DEFAULTS);
        tree.remove("name");
        return tree;
    }

    private static void requireObject(JsonNode node, String what)
    {
        if (node == null || !node.isObject()) {
            throw InvalidInputException.malformed("/", what + " must be an object");
        }
    }

    private static void merge(ObjectNode target, JsonNode patch)
    {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            boolean mergeable = existing != null && existing.isObject() && field.getValue().isObject()
                    && !field.getKey().equals("properties") && !field.getKey().equals("labels") && !field.getKey().equals("secretProperties");
            if (mergeable) {
                merge((ObjectNode) existing, field.getValue());
            }
            else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static String known(UnrecognizedPropertyException e)
    {
        return e.getKnownPropertyIds() == null ? "[]" : new TreeSet<>(e.getKnownPropertyIds().stream().map(String::valueOf).toList()).toString();
    }

    private static String pointer(JsonMappingException e)
    {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            pointer.append('/').append(reference.getFieldName() != null ? reference.getFieldName() : String.valueOf(reference.getIndex()));
        }
        return pointer.isEmpty() ? "/" : pointer.toString();
    }
}
