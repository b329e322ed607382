package io.prestoorchestrator.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers that lock a config record's defaults and key mapping, in the manner of Trino's config tests. */
final class ConfigTesting
{
    private ConfigTesting() {}

    static OrchestratorConfig loadYaml(String yaml)
    {
        return loadYaml(yaml, Map.of());
    }

    static OrchestratorConfig loadYaml(String yaml, Map<String, String> environment)
    {
        try {
            Path file = Files.createTempFile("orchestrator", ".yaml");
            try {
                Files.writeString(file, yaml);
                return ConfigLoader.load(Optional.of(file), environment);
            }
            finally {
                Files.delete(file);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OrchestratorConfig loadEnvironment(Map<String, String> environment)
    {
        return ConfigLoader.load(Optional.empty(), environment);
    }

    /**
     * Asserts the record loaded equals {@code expected} and that {@code expected} differs from the
     * defaults in every component: a mapping test that forgets a key fails.
     */
    static <R extends Record> void assertFullMapping(OrchestratorConfig loaded, Function<OrchestratorConfig, R> section, R expected)
    {
        assertThat(section.apply(loaded)).isEqualTo(expected);
        R defaults = section.apply(OrchestratorConfig.DEFAULTS);
        for (RecordComponent component : expected.getClass().getRecordComponents()) {
            assertThat(value(component, expected))
                    .as("the mapping test must set '%s' to a non-default value", component.getName())
                    .isNotEqualTo(value(component, defaults));
        }
    }

    private static Object value(RecordComponent component, Record record)
    {
        try {
            return component.getAccessor().invoke(record);
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
