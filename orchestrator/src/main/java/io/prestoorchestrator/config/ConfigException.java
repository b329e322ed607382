package io.prestoorchestrator.config;

import static java.util.Objects.requireNonNull;

/** Configuration that cannot be used; the message names the key (and its source) and what to fix. */
public class ConfigException
        extends RuntimeException
{
    private final String key;

    public ConfigException(String key, String problem)
    {
        super("configuration key '" + requireNonNull(key, "key is null") + "' " + requireNonNull(problem, "problem is null"));
        this.key = key;
    }

    public ConfigException(String message)
    {
        super(requireNonNull(message, "message is null"));
        this.key = null;
    }

    /** The key at fault, or null when the problem is with the file as a whole. */
    public String key()
    {
        return key;
    }
}
