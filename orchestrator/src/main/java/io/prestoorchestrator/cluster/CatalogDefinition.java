package io.prestoorchestrator.cluster;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A catalog that clusters can attach: {@code catalog/<name>.properties}.
 *
 * @param name catalog name (the file name and the name in SQL)
 * @param connectorName {@code connector.name}
 * @param properties plain properties (no secrets: {@link CatalogValidator} refuses secret-looking keys here)
 * @param secretProperties property name to an SSM reference {@code ssm:/path}, never a value; the
 *         value reaches the task through a Nomad Variable, never the job spec
 */
public record CatalogDefinition(String name, String connectorName, Map<String, String> properties, Map<String, String> secretProperties)
{
    public static final String SSM_REFERENCE_PREFIX = "ssm:";

    public CatalogDefinition
    {
        requireNonNull(name, "name is null");
        requireNonNull(connectorName, "connectorName is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        secretProperties = Map.copyOf(requireNonNull(secretProperties, "secretProperties is null"));
    }

    /** The SSM parameter name a secret property refers to ({@code ssm:/a/b} -> {@code /a/b}). */
    public static String ssmPath(String reference)
    {
        if (!reference.startsWith(SSM_REFERENCE_PREFIX)) {
            throw new IllegalArgumentException("not an SSM reference: must start with " + SSM_REFERENCE_PREFIX);
        }
        return reference.substring(SSM_REFERENCE_PREFIX.length());
    }
}
