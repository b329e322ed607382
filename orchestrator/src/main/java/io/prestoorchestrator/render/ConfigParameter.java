package io.prestoorchestrator.render;

import static java.util.Objects.requireNonNull;

/**
 * A non-secret configuration value from the parameter store, chamber-style
 * ({@code /<prefix>/<cluster>/<key>}, case preserved). Templates read it as {@code params[key]}.
 *
 * @param key the name below the cluster's path
 * @param version the parameter's version, recorded in the job's provenance meta
 */
public record ConfigParameter(String key, String value, long version)
{
    public ConfigParameter
    {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
    }
}
