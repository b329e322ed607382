package io.prestoorchestrator.sim.consul.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.prestoorchestrator.sim.consul.state.GoDuration;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Reads a JSON object the way Consul's Go decoder does: field names match case-insensitively (and,
 * for the snake_case aliases Consul accepts, without underscores), unknown fields are rejected
 * ({@code json: unknown field "X"}), {@code null} means "not set", and a value of the wrong type
 * is reported as {@code json: cannot unmarshal string into Go struct field T.F of type int}.
 * Every failure is a {@link DecodeException}; callers prefix it with "Request decode failed: ".
 */
final class JsonFields
{
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final String goType;
    private final Map<String, JsonNode> fields;

    private JsonFields(String goType, Map<String, JsonNode> fields)
    {
        this.goType = requireNonNull(goType, "goType is null");
        this.fields = requireNonNull(fields, "fields is null");
    }

    /**
     * Parses a request body that must be one JSON object with only the given fields.
     */
    static JsonFields parse(Buffer body, String goType, Set<String> knownFields)
    {
        String text = body.toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new DecodeException("EOF");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        }
        catch (JsonProcessingException e) {
            throw new DecodeException("invalid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (!node.isObject()) {
            throw new DecodeException("json: cannot unmarshal " + jsonType(node) + " into Go value of type " + goType);
        }
        return of(node, goType, knownFields);
    }

    static JsonFields of(JsonNode node, String goType, Set<String> knownFields)
    {
        Set<String> known = knownFields.stream().map(JsonFields::normalize).collect(Collectors.toSet());
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> iterator = node.fields();
        while (iterator.hasNext()) {
            Map.Entry<String, JsonNode> field = iterator.next();
            String normalized = normalize(field.getKey());
            if (!known.contains(normalized)) {
                throw new DecodeException("json: unknown field \"" + field.getKey() + "\"");
            }
            if (!field.getValue().isNull()) {
                fields.put(normalized, field.getValue());
            }
        }
        return new JsonFields(goType, fields);
    }

    private static String normalize(String name)
    {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    boolean isEmpty()
    {
        return fields.isEmpty();
    }

    boolean has(String field)
    {
        return fields.containsKey(normalize(field));
    }

    Optional<JsonNode> node(String field)
    {
        return Optional.ofNullable(fields.get(normalize(field)));
    }

    String string(String field)
    {
        return node(field).map(value -> {
            if (!value.isTextual()) {
                throw typeError(field, value, "string");
            }
            return value.asText();
        }).orElse("");
    }

    int integer(String field)
    {
        return node(field).map(value -> {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw typeError(field, value, "int");
            }
            return value.intValue();
        }).orElse(0);
    }

    long unsignedLong(String field)
    {
        return node(field).map(value -> {
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw typeError(field, value, "uint64");
            }
            return value.longValue();
        }).orElse(0L);
    }

    boolean bool(String field)
    {
        return node(field).map(value -> {
            if (!value.isBoolean()) {
                throw typeError(field, value, "bool");
            }
            return value.booleanValue();
        }).orElse(false);
    }

    List<String> stringList(String field)
    {
        return node(field).map(value -> {
            if (!value.isArray()) {
                throw typeError(field, value, "[]string");
            }
            List<String> result = new ArrayList<>();
            for (JsonNode element : value) {
                if (!element.isTextual()) {
                    throw typeError(field, element, "string");
                }
                result.add(element.asText());
            }
            return List.copyOf(result);
        }).orElse(List.of());
    }

    Map<String, String> stringMap(String field)
    {
        return node(field).map(value -> {
            if (!value.isObject()) {
                throw typeError(field, value, "map[string]string");
            }
            Map<String, String> result = new LinkedHashMap<>();
            value.fields().forEachRemaining(entry -> {
                if (!entry.getValue().isTextual()) {
                    throw typeError(field, entry.getValue(), "string");
                }
                result.put(entry.getKey(), entry.getValue().asText());
            });
            return result;
        }).orElse(Map.of());
    }

    Map<String, List<String>> stringListMap(String field)
    {
        return node(field).map(value -> {
            if (!value.isObject()) {
                throw typeError(field, value, "map[string][]string");
            }
            Map<String, List<String>> result = new LinkedHashMap<>();
            value.fields().forEachRemaining(entry -> {
                if (!entry.getValue().isArray()) {
                    throw typeError(field, entry.getValue(), "[]string");
                }
                List<String> values = new ArrayList<>();
                entry.getValue().forEach(element -> {
                    if (!element.isTextual()) {
                        throw typeError(field, element, "string");
                    }
                    values.add(element.asText());
                });
                result.put(entry.getKey(), List.copyOf(values));
            });
            return result;
        }).orElse(Map.of());
    }

    /**
     * A nested object with its own schema, e.g. the service's "Check".
     */
    Optional<JsonFields> object(String field, String nestedGoType, Set<String> knownFields)
    {
        return node(field).map(value -> {
            if (!value.isObject()) {
                throw typeError(field, value, nestedGoType);
            }
            return of(value, nestedGoType, knownFields);
        });
    }

    List<JsonFields> objectList(String field, String nestedGoType, Set<String> knownFields)
    {
        return node(field).map(value -> {
            if (!value.isArray()) {
                throw typeError(field, value, "[]" + nestedGoType);
            }
            List<JsonFields> result = new ArrayList<>();
            for (JsonNode element : value) {
                if (element.isNull()) {
                    continue;
                }
                if (!element.isObject()) {
                    throw typeError(field, element, nestedGoType);
                }
                result.add(of(element, nestedGoType, knownFields));
            }
            return List.copyOf(result);
        }).orElse(List.of());
    }

    /**
     * A duration given as a Go duration string ("10s") or as nanoseconds, as Consul's check
     * decoding accepts both.
     */
    Optional<Duration> duration(String field)
    {
        return node(field).map(value -> {
            if (value.isTextual()) {
                if (value.asText().isEmpty()) {
                    return Duration.ZERO;
                }
                try {
                    return GoDuration.parse(value.asText());
                }
                catch (IllegalArgumentException e) {
                    throw new DecodeException(e.getMessage());
                }
            }
            if (value.isNumber()) {
                return Duration.ofNanos(value.longValue());
            }
            throw typeError(field, value, "time.Duration");
        }).filter(duration -> !duration.isZero());
    }

    private DecodeException typeError(String field, JsonNode value, String targetType)
    {
        return typeMismatch(goType, field, value, targetType);
    }

    /**
     * Go's message for a JSON value of the wrong type in a struct field.
     */
    static DecodeException typeMismatch(String goType, String field, JsonNode value, String targetType)
    {
        String description = value.isNumber() ? "number " + value.asText() : jsonType(value);
        return new DecodeException("json: cannot unmarshal " + description + " into Go struct field " + goType + "." + field + " of type " + targetType);
    }

    private static String jsonType(JsonNode node)
    {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            case STRING, BINARY -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "bool";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    static final class DecodeException
            extends RuntimeException
    {
        DecodeException(String message)
        {
            super(message);
        }
    }
}
