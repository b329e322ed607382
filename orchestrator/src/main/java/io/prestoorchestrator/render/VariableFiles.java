package io.prestoorchestrator.render;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prestoorchestrator.error.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Levant-style variable files, one per environment: {@code <templates>/vars/<environment>.yaml} for
 * clusters, {@code <templates>/system/vars/<environment>.yaml} for the system jobs.
 * A string value may refer to the orchestrator's environment as {@code ${env:NAME}}
 * ({@code ${env:NAME:-default}} for a default); an unset variable without a default is an error
 * naming the variable file, the key and the variable.
 */
final class VariableFiles
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private VariableFiles() {}

    static Path path(Path templateDir, String environment)
    {
        return templateDir.resolve("vars").resolve(environment + ".yaml");
    }

    static Map<String, Object> load(Path templateDir, String environment, Map<String, String> processEnvironment)
    {
        Path file = path(templateDir, environment);
        String displayName = "vars/" + environment + ".yaml";
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.unprocessable("/environment", "environment '" + environment + "' has no variable file " + displayName
                    + " in the job templates: use one of " + known(templateDir));
        }
        return load(file, displayName, "/environment", processEnvironment);
    }

    /**
     * Loads one variable file.
     *
     * @param displayName how errors name the file
     * @param field the field of the {@link InvalidInputException} when the file is invalid
     */
    static Map<String, Object> load(Path file, String displayName, String field, Map<String, String> processEnvironment)
    {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.unprocessable(field, "variable file " + displayName + " does not exist");
        }
        return resolved(read(file, displayName, field), "variable file " + displayName, field, processEnvironment);
    }

    /**
     * Explicit variable files, Levant-style: read in order, a later file overriding the keys of the
     * earlier ones (maps merge key by key, anything else is replaced), then {@code ${env:...}}
     * resolved, so that an override can replace a value whose variable is not set. An error's field
     * is the file's {@link #displayName}.
     */
    static Map<String, Object> load(List<Path> files, Path templateDir, Map<String, String> processEnvironment)
    {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no variable files");
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            String displayName = displayName(templateDir, file);
            if (!Files.isRegularFile(file)) {
                throw InvalidInputException.unprocessable(displayName, "variable file " + displayName + " does not exist or is not a file");
            }
            mergeInto(merged, read(file, displayName, displayName));
            names.add(displayName);
        }
        return resolved(merged, (names.size() == 1 ? "variable file " : "variable files ") + String.join(", ", names), names.get(names.size() - 1), processEnvironment);
    }

    /** A variable file as job meta and errors name it: relative to the template directory when inside it, else as given. */
    static String displayName(Path templateDir, Path file)
    {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(templateDir) ? templateDir.relativize(absolute).toString().replace('\\', '/') : file.toString();
    }

    private static Map<String, Object> read(Path file, String displayName, String field)
    {
        Map<String, Object> raw;
        try {
            raw = YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        }
        catch (JacksonException e) {
            throw InvalidInputException.unprocessable(field, "variable file " + displayName + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return raw == null ? Map.of() : raw;
    }

    private static Map<String, Object> resolved(Map<String, Object> raw, String description, String field, Map<String, String> processEnvironment)
    {
        List<String> problems = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> resolved = (Map<String, Object>) resolve(raw, "", processEnvironment, problems);
        if (!problems.isEmpty()) {
            throw InvalidInputException.unprocessable(field, description + ": " + String.join("; ", problems));
        }
        return resolved;
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> target, Map<String, Object> overrides)
    {
        overrides.forEach((key, value) -> {
            if (target.get(key) instanceof Map<?, ?> existing && value instanceof Map<?, ?> override) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) existing);
                mergeInto(merged, (Map<String, Object>) override);
                target.put(key, merged);
            }
            else {
                target.put(key, value);
            }
        });
    }

    static List<String> known(Path templateDir)
    {
        Path vars = templateDir.resolve("vars");
        if (!Files.isDirectory(vars)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(vars)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object resolve(Object value, String key, Map<String, String> environment, List<String> problems)
    {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), resolve(v, key.isEmpty() ? String.valueOf(k) : key + "." + k, environment, problems)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(resolve(list.get(i), key + "[" + i + "]", environment, problems));
            }
            return out;
        }
        if (value instanceof String text && text.contains("${env:")) {
            Matcher matcher = ENV_REFERENCE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String found = environment.get(name);
                if (found == null || found.isEmpty()) {
                    found = matcher.group(2);
                }
                if (found == null) {
                    problems.add(key + " refers to ${env:" + name + "}, which is not set in the orchestrator's environment: set " + name
                            + " (e.g. source ~/.cache/presto-orchestrator/env.sh) or give a default as ${env:" + name + ":-value}");
                    found = "";
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(found));
            }
            matcher.appendTail(out);
            return out.toString();
        }
        if (value == null) {
            problems.add(key + " has no value: give it one or remove it");
        }
        return value;
    }
}
