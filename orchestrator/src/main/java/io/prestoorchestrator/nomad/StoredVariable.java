package io.prestoorchestrator.nomad;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A Nomad Variable as Nomad stores it: secret items with their values at a path, read by task
 * templates ({@code nomadVar}), and its modify index for check-and-set writes. (What a rendered job
 * asks to be written, items naming SSM parameters, is {@code render.NomadVariable}.) Its
 * {@link #toString()} shows the item names, never their values.
 */
public record StoredVariable(String path, Map<String, String> items, long modifyIndex)
{
    public StoredVariable
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
        return "StoredVariable[path=" + path + ", items=" + new TreeMap<>(items).keySet() + " (values hidden), modifyIndex=" + modifyIndex + "]";
    }
}
