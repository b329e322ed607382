package io.prestoorchestrator.config.ssm;

import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.DependencyException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * {@link ParameterStore} on AWS SSM: {@code GetParametersByPath}, recursive, decrypted, paginated
 * (one call per 10 parameters instead of one per parameter, which is what throttled chamber).
 * Throttling is retried with backoff by the SDK's standard retry policy.
 */
public final class SsmParameterStore
        implements ParameterStore
{
    private final SsmClient ssm;

    public SsmParameterStore(SsmClient ssm)
    {
        this.ssm = requireNonNull(ssm, "ssm is null");
    }

    @Override
    public java.util.Optional<Parameter> get(String name)
    {
        requireNonNull(name, "name is null");
        try {
            var parameter = ssm.getParameter(GetParameterRequest.builder().name(name).withDecryption(true).build()).parameter();
            return java.util.Optional.of(new Parameter(parameter.name(), Secret.of(parameter.value()), parameter.version()));
        }
        catch (ParameterNotFoundException e) {
            return java.util.Optional.empty();
        }
        catch (SdkException e) {
            throw new DependencyException("aws-ssm", "SSM GetParameter " + name + " failed: " + e.getMessage(), e instanceof SdkClientException, e);
        }
    }

    @Override
    public List<Parameter> byPath(String path)
    {
        requireNonNull(path, "path is null");
        try {
            List<Parameter> parameters = new ArrayList<>();
            ssm.getParametersByPathPaginator(GetParametersByPathRequest.builder().path(path).recursive(true).withDecryption(true).build())
                    .forEach(page -> page.parameters()
                            .forEach(parameter -> parameters.add(new Parameter(parameter.name(), Secret.of(parameter.value()), parameter.version()))));
            return List.copyOf(parameters);
        }
        catch (SdkException e) {
            // SDK messages do not contain parameter values
            throw new DependencyException("aws-ssm", "SSM GetParametersByPath on " + path + " failed: " + e.getMessage(), e instanceof SdkClientException, e);
        }
    }
}
