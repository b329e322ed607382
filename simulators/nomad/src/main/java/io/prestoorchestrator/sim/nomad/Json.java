package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON helpers for Nomad's PascalCase wire format. Go's encoding/json matches field names
 * case-insensitively when decoding, so lookups here do too.
 */
final class Json
{
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private Json() {}

    static ObjectNode object()
    {
        return F.objectNode();
    }

    static ArrayNode array()
    {
        return F.arrayNode();
    }

    /** Case-insensitive field lookup as Go's decoder does; null when absent or JSON null. */
    static JsonNode field(JsonNode node, String name)
    {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact.isNull() ? null : exact;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue().isNull() ? null : entry.getValue();
            }
        }
        return null;
    }

    static String text(JsonNode node, String name, String defaultValue)
    {
        JsonNode value = field(node, name);
        return value == null ? defaultValue : value.asText();
    }

    static long number(JsonNode node, String name, long defaultValue)
    {
        JsonNode value = field(node, name);
        return value == null ? defaultValue : value.asLong();
    }

    static boolean bool(JsonNode node, String name, boolean defaultValue)
    {
        JsonNode value = field(node, name);
        return value == null ? defaultValue : value.asBoolean();
    }

    static JsonNode nullable(JsonNode node)
    {
        return node == null ? NullNode.getInstance() : node;
    }

    static String time(long epochNanos)
    {
        if (epochNanos == 0) {
            return ZERO_TIME;
        }
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(0, epochNanos));
    }

    static byte[] bytes(JsonNode node)
    {
        try {
            return MAPPER.writeValueAsBytes(node);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String body)
    {
        try {
            return MAPPER.readTree(body);
        }
        catch (JsonProcessingException e) {
            throw NomadApiException.badRequest(goStyleDecodeError(e));
        }
    }

    private static String goStyleDecodeError(JsonProcessingException e)
    {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Unexpected end-of-input")) {
            return "unexpected EOF";
        }
        long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        return "invalid character in JSON at offset " + offset + ": " + message;
    }
}
