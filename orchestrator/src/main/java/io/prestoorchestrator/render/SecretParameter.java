package io.prestoorchestrator.render;

import static java.util.Objects.requireNonNull;

/**
 * A secret the job needs, by name only: its value never reaches the renderer. The renderer turns it
 * into a Nomad Variable item and a template lookup; the caller copies the value from the parameter
 * store into the variable.
 *
 * @param key what templates call it ({@code secrets[key]}); for cluster secrets the name below the
 *         cluster's path, for catalog secrets anything unique
 * @param ssmName full parameter name, e.g. {@code /presto-orchestrator/adhoc/ldap-password}; catalog
 *         {@code ssm:} references are matched against it
 * @param version the parameter's version, recorded in the job's provenance meta
 */
public record SecretParameter(String key, String ssmName, long version)
{
    public SecretParameter
    {
        requireNonNull(key, "key is null");
        requireNonNull(ssmName, "ssmName is null");
    }
}
