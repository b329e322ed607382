package io.prestoorchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md against the config records: every key the loader accepts is documented, every
 * documented key exists, and every documented default is the one in code. The keys are the loader's own:
 * the tree {@link ConfigLoader} builds from {@link OrchestratorConfig#DEFAULTS} with its own mapper
 * (the file and the environment may set exactly these), plus the keys of the records inside lists
 * ({@code auth.tokens[].name}), found by reflection.
 */
class TestConfigurationDocs
{
    static final Path DOC = Path.of("..", "docs", "configuration.md").toAbsolutePath().normalize();
    private static final String UNSET = "—";
    // | `section.key` | default | meaning |
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z][a-z0-9-]*\\.[a-z0-9.\\[\\]-]+)`\\s*\\|([^|]*)\\|");

    @Test
    void testEveryKeyIsDocumented()
    {
        Set<String> missing = new TreeSet<>(configuredKeys().keySet());
        missing.removeAll(documentedDefaults(read()).keySet());
        assertThat(missing)
                .as("configuration keys of the config records that %s does not list; add a row for each", DOC)
                .isEmpty();
    }

    @Test
    void testEveryDocumentedKeyExists()
    {
        Set<String> unknown = new TreeSet<>(documentedDefaults(read()).keySet());
        unknown.removeAll(configuredKeys().keySet());
        assertThat(unknown)
                .as("keys %s lists that no config record has; remove or rename them", DOC)
                .isEmpty();
    }

    @Test
    void testDocumentedDefaultsAreTheCodesDefaults()
    {
        Map<String, String> documented = documentedDefaults(read());
        Map<String, String> wrong = new TreeMap<>();
        configuredKeys().forEach((key, value) -> {
            String cell = documented.get(key);
            if (cell != null && !defaultMatches(value, cell)) {
                wrong.put(key, "documented " + cell + ", code " + (value.isMissingNode() || value.isNull() ? "unset" : value));
            }
        });
        assertThat(wrong)
                .as("defaults in %s that differ from OrchestratorConfig.DEFAULTS", DOC)
                .isEmpty();
    }

    @Test
    void testDefaultComparison()
    {
        assertThat(defaultMatches(TextNode.valueOf("250ms"), "`250ms`")).isTrue();
        assertThat(defaultMatches(TextNode.valueOf("TEXT"), "`text`")).isTrue();
        assertThat(defaultMatches(TextNode.valueOf("250ms"), "`1s`")).isFalse();
        assertThat(defaultMatches(NullNode.getInstance(), UNSET)).isTrue();
        assertThat(defaultMatches(NullNode.getInstance(), "host name + random suffix")).isTrue();
        assertThat(defaultMatches(NullNode.getInstance(), "`x`")).isFalse();
        assertThat(defaultMatches(TextNode.valueOf("x"), UNSET)).isFalse();
    }

    /** The documented default is the code's: a literal in backticks, {@code []}/{@code {}} for empty containers; unset is {@code —} or words. */
    static boolean defaultMatches(JsonNode value, String cell)
    {
        if (value.isMissingNode() || value.isNull()) {
            return cell.equals(UNSET) || !cell.contains("`");
        }
        if (value.isArray() && value.isEmpty()) {
            return cell.equals("`[]`");
        }
        if (value.isObject() && value.isEmpty()) {
            return cell.equals("`{}`");
        }
        return value.isValueNode() && cell.equalsIgnoreCase("`" + value.asText() + "`");
    }

    /** Every key the loader accepts, with its default ({@code MissingNode} for keys inside list entries). */
    static Map<String, JsonNode> configuredKeys()
    {
        JsonNode tree = ConfigLoader.mapper(new YAMLFactory()).valueToTree(OrchestratorConfig.DEFAULTS);
        Map<String, JsonNode> keys = new LinkedHashMap<>();
        tree.fields().forEachRemaining(section -> section.getValue().fields().forEachRemaining(field -> {
            String key = section.getKey() + "." + field.getKey();
            keys.put(key, field.getValue());
            listElementRecord(section.getKey(), field.getKey()).ifPresent(element -> {
                for (RecordComponent component : element.getRecordComponents()) {
                    keys.put(key + "[]." + kebab(component.getName()), MissingNode.getInstance());
                }
            });
        }));
        assertThat(keys).as("the loader's keys").isNotEmpty();
        return keys;
    }

    private static Optional<Class<?>> listElementRecord(String section, String field)
    {
        for (RecordComponent sectionComponent : OrchestratorConfig.class.getRecordComponents()) {
            if (!kebab(sectionComponent.getName()).equals(section)) {
                continue;
            }
            for (RecordComponent component : sectionComponent.getType().getRecordComponents()) {
                if (kebab(component.getName()).equals(field)
                        && List.class.isAssignableFrom(component.getType())
                        && component.getGenericType() instanceof ParameterizedType list) {
                    Type element = list.getActualTypeArguments()[0];
                    if (element instanceof Class<?> type && type.isRecord()) {
                        return Optional.of(type);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String kebab(String name)
    {
        return new PropertyNamingStrategies.KebabCaseStrategy().translate(name).toLowerCase(Locale.ROOT);
    }

    /** Key -> default cell of every reference row; a key listed twice fails. */
    static Map<String, String> documentedDefaults(List<String> lines)
    {
        Map<String, String> rows = new LinkedHashMap<>();
        Set<String> twice = new HashSet<>();
        for (String line : lines) {
            Matcher row = ROW.matcher(line);
            if (row.find() && rows.put(row.group(1), row.group(2).strip()) != null) {
                twice.add(row.group(1));
            }
        }
        assertThat(twice).as("keys listed more than once in %s", DOC).isEmpty();
        return rows;
    }

    private static List<String> read()
    {
        try {
            return Files.readAllLines(DOC);
        }
        catch (IOException e) {
            throw new AssertionError("cannot read " + DOC, e);
        }
    }
}
