package io.prestoorchestrator.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Spec and catalog files as the CLI reads them: YAML, or JSON when the name ends in {@code .json};
 * duplicate keys are refused. Scalars YAML types on its own ({@code version: 476},
 * {@code spill-enabled: true}) become the strings the API contract expects, so a file renders
 * offline and deploys through the API alike.
 */
final class Documents
{
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory()).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern SOURCE_REFERENCE = Pattern.compile("\\s*\\(start marker at \\[Source:.*$");
    private static final List<String> SPEC_TEXT_FIELDS = List.of("name", "version", "image", "environment");
    private static final List<String> STRING_MAPS = List.of("properties", "labels", "secretProperties");

    private Documents() {}

    /** A cluster spec (the {@code POST /v1/clusters} body) from a file. */
    static ObjectNode spec(Path file)
    {
        ObjectNode spec = object(file, "spec file");
        SPEC_TEXT_FIELDS.forEach(field -> textual(spec, field));
        if (spec.get("jvm") instanceof ObjectNode jvm) {
            textual(jvm, "heap");
        }
        if (spec.get("queryMemory") instanceof ObjectNode queryMemory) {
            textual(queryMemory, "maxPerNode");
            textual(queryMemory, "max");
        }
        stringMaps(spec);
        return spec;
    }

    /** One catalog (the {@code /v1/catalogs} body), or several as {@code GET /v1/catalogs} lists them ({@code {"catalogs": [...]}}). */
    static List<ObjectNode> catalogs(Path file)
    {
        return catalogs(object(file, "catalog file"), "catalog file " + file);
    }

    /** Catalogs from text read elsewhere (standard input): JSON when it starts with '{', else YAML. */
    static List<ObjectNode> catalogs(String text, String source)
    {
        boolean json = text.stripLeading().startsWith("{");
        return catalogs(object(text, source, json), source);
    }

    private static List<ObjectNode> catalogs(ObjectNode document, String source)
    {
        if (document.size() == 1 && document.get("catalogs") != null) {
            JsonNode list = document.get("catalogs");
            if (!list.isArray()) {
                throw CliException.badInput(source + ": catalogs must be a list of catalog definitions");
            }
            List<ObjectNode> catalogs = new ArrayList<>();
            for (JsonNode item : list) {
                if (!item.isObject()) {
                    throw CliException.badInput(source + ": every entry of catalogs must be an object (a catalog definition)");
                }
                stringMaps((ObjectNode) item);
                catalogs.add((ObjectNode) item);
            }
            return catalogs;
        }
        stringMaps(document);
        return List.of(document);
    }

    private static ObjectNode object(Path file, String what)
    {
        boolean json = file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        String text;
        try {
            text = Files.readString(file);
        }
        catch (NoSuchFileException e) {
            throw CliException.badInput("cannot read " + what + " " + file + ": no such file");
        }
        catch (IOException e) {
            throw CliException.badInput("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        return object(text, what + " " + file, json);
    }

    private static ObjectNode object(String text, String source, boolean json)
    {
        JsonNode tree;
        try {
            tree = (json ? JSON : YAML).readTree(text);
        }
        catch (JacksonException e) {
            throw CliException.badInput(source + " is not valid " + (json ? "JSON" : "YAML") + ": " + firstLine(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (tree == null || !tree.isObject()) {
            throw CliException.badInput(source + " must hold one object, found " + (tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return (ObjectNode) tree;
    }

    private static void stringMaps(ObjectNode node)
    {
        for (String field : STRING_MAPS) {
            if (node.get(field) instanceof ObjectNode map) {
                map.fieldNames().forEachRemaining(name -> textual(map, name));
            }
        }
    }

    private static void textual(ObjectNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value != null && (value.isNumber() || value.isBoolean())) {
            node.set(field, TextNode.valueOf(value.asText()));
        }
    }

    private static String firstLine(String text)
    {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        // Jackson's location of an unclosed object repeats what the (line, column) suffix says
        return SOURCE_REFERENCE.matcher(line).replaceAll("");
    }
}
