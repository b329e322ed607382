package io.prestoorchestrator.config.ssm;

import io.prestoorchestrator.config.Secret;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Chamber-style configuration in a parameter store: {@code /<prefix>/<service>/<key>}, names kept
 * exactly as stored (no lower-casing). Blocking: call it from a worker, never the event loop.
 */
public interface ParameterStore
{
    /** Every parameter under {@code path}, recursively, decrypted. */
    List<Parameter> byPath(String path);

    /** One parameter by its full name, decrypted; empty when it does not exist. */
    java.util.Optional<Parameter> get(String name);

    /**
     * A parameter. Its value is a {@link Secret}: whether or not it was a SecureString, it is
     * handled as one and never logged.
     */
    record Parameter(String name, Secret value, long version)
    {
        public Parameter
        {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
        }
    }
}
