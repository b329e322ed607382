package io.prestoorchestrator.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Loads {@link OrchestratorConfig}: defaults in code, overlaid by a YAML file, overlaid by
 * environment variables {@code ORCHESTRATOR_<SECTION>_<KEY>} (e.g. {@code ORCHESTRATOR_NOMAD_ADDRESS},
 * {@code ORCHESTRATOR_HTTP_SHUTDOWN_TIMEOUT}); {@link #NOT_CONFIGURATION} are not keys and are
 * ignored. An unknown key, in the file or the environment,
 * or a value that does not parse, fails with a {@link ConfigException} naming the key and where it was set.
 */
public final class ConfigLoader
{
    public static final String ENV_PREFIX = "ORCHESTRATOR_";
    /** Environment variable naming the config file; not itself a configuration key. */
    public static final String CONFIG_FILE_ENV = "ORCHESTRATOR_CONFIG";
    /** The CLI's API URL ({@code cli.ApiOptions}); {@code source .local/env} sets it in the shell that may also run {@code serve}. */
    public static final String CLIENT_URL_ENV = "ORCHESTRATOR_URL";
    /** The CLI's API token, as {@link #CLIENT_URL_ENV}. */
    public static final String CLIENT_TOKEN_ENV = "ORCHESTRATOR_TOKEN";
    /** Variables with the prefix that are not configuration keys: the config file and the CLI's own. */
    public static final Set<String> NOT_CONFIGURATION = Set.of(CONFIG_FILE_ENV, CLIENT_URL_ENV, CLIENT_TOKEN_ENV);

    private static final ObjectMapper MAPPER = mapper(new YAMLFactory());

    private ConfigLoader() {}

    public static OrchestratorConfig load(Optional<Path> file, Map<String, String> environment)
    {
        requireNonNull(file, "file is null");
        requireNonNull(environment, "environment is null");
        ObjectNode tree = MAPPER.valueToTree(OrchestratorConfig.DEFAULTS);
        Map<String, String> sources = new HashMap<>();
        if (file.isPresent()) {
            mergeFile(tree, file.get(), sources);
        }
        overlayEnvironment(tree, environment, sources);
        return bind(tree, sources);
    }

    /** The mapper used for config values, with durations written as {@code 30s} and secrets masked. */
    public static ObjectMapper mapper(com.fasterxml.jackson.core.JsonFactory factory)
    {
        SimpleModule module = new SimpleModule("orchestrator-config");
        module.addDeserializer(Duration.class, new JsonDeserializer<>()
        {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context)
                    throws IOException
            {
                String text = parser.getValueAsString();
                try {
                    return Durations.parse(text);
                }
                catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(parser, e.getMessage(), text, Duration.class);
                }
            }
        });
        module.addSerializer(Duration.class, new JsonSerializer<>()
        {
            @Override
            public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider)
                    throws IOException
            {
                generator.writeString(Durations.format(value));
            }
        });
        module.addDeserializer(Secret.class, new JsonDeserializer<>()
        {
            @Override
            public Secret deserialize(JsonParser parser, DeserializationContext context)
                    throws IOException
            {
                String text = parser.getValueAsString();
                if (text == null || text.isBlank()) {
                    // never echo the value
                    throw InvalidFormatException.from(parser, "a secret must be a non-blank string", Secret.MASK, Secret.class);
                }
                return Secret.of(text);
            }
        });
        module.addSerializer(Secret.class, new JsonSerializer<>()
        {
            @Override
            public void serialize(Secret value, JsonGenerator generator, SerializerProvider provider)
                    throws IOException
            {
                generator.writeString(Secret.MASK);
            }
        });
        return JsonMapper.builder(factory)
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .addModule(new Jdk8Module())
                .addModule(module)
                .build();
    }

    private static void mergeFile(ObjectNode tree, Path file, Map<String, String> sources)
    {
        JsonNode parsed;
        try {
            String text = Files.readString(file);
            parsed = text.isBlank() ? JsonNodeFactory.instance.objectNode() : MAPPER.readTree(text);
        }
        catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        catch (JsonProcessingException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        catch (IOException e) {
            throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage());
        }
        if (parsed == null || parsed.isNull() || parsed.isMissingNode()) {
            return;
        }
        if (!parsed.isObject()) {
            throw new ConfigException("configuration file " + file + " must hold a mapping of sections " + fieldNames(tree));
        }
        merge(tree, (ObjectNode) parsed, "", "file " + file, sources);
    }

    private static void merge(ObjectNode target, ObjectNode overlay, String prefix, String source, Map<String, String> sources)
    {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode existing = target.get(field.getKey());
            if (existing != null && existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), key + ".", source, sources);
            }
            else {
                // unknown keys are kept here and rejected, with their source, when binding
                target.set(field.getKey(), field.getValue());
                sources.put(key, source);
            }
        }
    }

    private static void overlayEnvironment(ObjectNode tree, Map<String, String> environment, Map<String, String> sources)
    {
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(ENV_PREFIX) || NOT_CONFIGURATION.contains(name)) {
                continue;
            }
            String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            int split = rest.indexOf('_');
            String section = split < 0 ? rest : rest.substring(0, split);
            String key = split < 0 ? "" : rest.substring(split + 1).replace('_', '-');
            JsonNode sectionNode = tree.get(section);
            if (sectionNode == null || !sectionNode.isObject()) {
                throw new ConfigException("environment variable " + name + " does not name a configuration section; sections are " + fieldNames(tree));
            }
            if (!sectionNode.has(key)) {
                throw new ConfigException("environment variable " + name + " does not name a configuration key ('" + section + "." + key
                        + "'); keys under '" + section + "' are " + fieldNames(sectionNode));
            }
            JsonNode current = sectionNode.get(key);
            if (current.isContainerNode()) {
                throw new ConfigException(section + "." + key, "is a " + (current.isArray() ? "list" : "mapping")
                        + " and cannot be set from environment variable " + name + "; set it in the configuration file");
            }
            String value = variable.getValue();
            ((ObjectNode) sectionNode).set(key, value.isEmpty() ? JsonNodeFactory.instance.nullNode() : TextNode.valueOf(value));
            sources.put(section + "." + key, "environment variable " + name);
        }
    }

    private static OrchestratorConfig bind(ObjectNode tree, Map<String, String> sources)
    {
        try {
            return MAPPER.treeToValue(tree, OrchestratorConfig.class);
        }
        catch (UnrecognizedPropertyException e) {
            String key = path(e);
            List<String> known = new ArrayList<>();
            if (e.getKnownPropertyIds() != null) {
                e.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
            }
            known.sort(null);
            String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
            throw new ConfigException(key, "is unknown" + from(key, sources)
                    + "; known keys" + (parent.isEmpty() ? "" : " under '" + parent + "'") + " are " + known);
        }
        catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ConfigException configException) {
                throw configException;
            }
            throw new ConfigException(path(e), "is invalid: " + rootMessage(e));
        }
        catch (InvalidFormatException e) {
            String key = path(e);
            Object value = e.getTargetType() == Secret.class ? Secret.MASK : e.getValue();
            throw new ConfigException(key, "has an invalid value '" + value + "'" + from(key, sources) + ": " + expectation(e));
        }
        catch (JsonMappingException e) {
            String key = path(e);
            throw new ConfigException(key, "is invalid" + from(key, sources) + ": " + e.getOriginalMessage());
        }
        catch (JsonProcessingException e) {
            throw new ConfigException("configuration cannot be read: " + e.getOriginalMessage());
        }
    }

    private static String expectation(InvalidFormatException e)
    {
        Class<?> type = e.getTargetType();
        if (type == null) {
            return e.getOriginalMessage();
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "expected a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "expected true or false";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                values.add(constant.toString().toLowerCase(Locale.ROOT));
            }
            return "expected one of " + values;
        }
        if (type == Duration.class) {
            return "expected a duration such as 500ms, 30s, 5m, 1h";
        }
        return e.getOriginalMessage();
    }

    private static String from(String key, Map<String, String> sources)
    {
        String source = sources.get(key);
        return source == null ? "" : " (set in " + source + ")";
    }

    private static String path(JsonMappingException e)
    {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "<root>" : path.toString();
    }

    private static String rootMessage(Throwable e)
    {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static List<String> fieldNames(JsonNode node)
    {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }
}
