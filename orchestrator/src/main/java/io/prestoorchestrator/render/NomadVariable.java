package io.prestoorchestrator.render;

import io.prestoorchestrator.config.Secret;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * A Nomad Variable the job's templates read, to be written before the job is registered.
 * It holds no values: each item names the SSM parameter to copy into it.
 *
 * @param path Nomad variable path, {@code nomad/jobs/<job-id>} (readable by the job's tasks)
 * @param items item key to SSM parameter name
 */
public record NomadVariable(String path, Map<String, String> items)
{
    public NomadVariable
    {
        requireNonNull(path, "path is null");
        items = Map.copyOf(requireNonNull(items, "items is null"));
    }

    /** The items with their values, looked up by SSM parameter name (e.g. from {@code ParameterStore.byPath}). */
    public Map<String, Secret> resolve(Function<String, Secret> valueBySsmName)
    {
        Map<String, Secret> values = new TreeMap<>();
        items.forEach((item, ssmName) -> values.put(item, requireNonNull(valueBySsmName.apply(ssmName), () -> "no value for SSM parameter " + ssmName)));
        return values;
    }
}
