package io.prestoorchestrator.nomad;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A Nomad Variable: secret items at a path, read by task templates ({@code nomadVar}). Its
 * {@link #toString()} shows the item names, never their values.
 */
public record NomadVariable(String path, Map<String, String> items, long modifyIndex)
{
    public NomadVariable
    {
        requireNonNull(path, "path is null");
        items = Map.copyOf(requireNonNull(items, "items is null"));
        if (modifyIndex <= 0) {
            throw new IllegalArgumentException("modifyIndex must be positive: " + modifyIndex);
        }
    }

    @Override
    public String toString()
    {
        return "NomadVariable[path=" + path + ", items=" + new TreeMap<>(items).keySet() + " (values hidden), modifyIndex=" + modifyIndex + "]";
    }
}
