package io.prestoorchestrator.config.ssm;

import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.DependencyException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import static java.util.Objects.requireNonNull;

/**
 * A {@link ParameterStore} in memory, held to {@link ParameterStoreContract} as SSM behaves: a path
 * names a hierarchy ({@code /a/b} holds {@code /a/b/c}, not {@code /a/bc}), every put is a new
 * version from 1, and once {@link #unreachable(boolean) unreachable} every read fails as the
 * {@code aws-ssm} dependency, as {@link SsmParameterStore} does when SSM cannot be reached.
 */
public final class InMemoryParameterStore
        implements ParameterStore
{
    private final Map<String, Parameter> parameters = new ConcurrentSkipListMap<>();
    private volatile boolean unreachable;

    /** Stores {@code value} at {@code name} (a SecureString or not: SSM decrypts on read, so both read alike) as its next version. */
    public InMemoryParameterStore put(String name, String value)
    {
        requireNonNull(name, "name is null");
        Secret secret = Secret.of(value);
        parameters.compute(name, (key, old) -> new Parameter(key, secret, old == null ? 1 : old.version() + 1));
        return this;
    }

    /** While true, every read fails as SSM failing to answer. */
    public InMemoryParameterStore unreachable(boolean unreachable)
    {
        this.unreachable = unreachable;
        return this;
    }

    @Override
    public List<Parameter> byPath(String path)
    {
        requireNonNull(path, "path is null");
        checkReachable("GetParametersByPath on " + path);
        String hierarchy = path.endsWith("/") ? path : path + "/";
        return parameters.values().stream().filter(parameter -> parameter.name().startsWith(hierarchy)).toList();
    }

    @Override
    public Optional<Parameter> get(String name)
    {
        requireNonNull(name, "name is null");
        checkReachable("GetParameter " + name);
        return Optional.ofNullable(parameters.get(name));
    }

    private void checkReachable(String call)
    {
        if (unreachable) {
            throw new DependencyException("aws-ssm", "SSM " + call + " failed: Unable to execute HTTP request: Connection refused", true, null);
        }
    }
}
