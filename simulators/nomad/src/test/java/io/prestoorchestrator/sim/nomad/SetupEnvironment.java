package io.prestoorchestrator.sim.nomad;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/**
 * Tools installed by scripts/setup.sh, read from the environment it exports
 * ({@code source ~/.cache/presto-orchestrator/env.sh}). Missing means the test fails: never skipped.
 */
final class SetupEnvironment
{
    private SetupEnvironment() {}

    static Path requiredPath(String variable)
    {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            fail(variable + " is not set: run scripts/setup.sh, then `source ~/.cache/presto-orchestrator/env.sh` before mvn verify");
        }
        Path path = Path.of(value);
        if (!Files.exists(path)) {
            fail(variable + "=" + value + " does not exist: run scripts/setup.sh");
        }
        return path;
    }
}
