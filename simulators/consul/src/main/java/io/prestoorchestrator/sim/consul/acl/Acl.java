package io.prestoorchestrator.sim.consul.acl;

import java.util.Optional;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Token resolution. ACLs are enabled exactly when a management token is configured; then the
 * default policy is "deny", an empty token is the anonymous token and any other unknown token is
 * answered with "ACL not found", as a Consul agent with {@code acl.enabled = true} does.
 */
public final class Acl
{
    public static final String ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002";

    private final Optional<String> managementToken;
    private final Authorizer management = new Authorizer(UUID.randomUUID().toString(), true);
    private final Authorizer anonymous = new Authorizer(ANONYMOUS_ACCESSOR_ID, false);

    public Acl(Optional<String> managementToken)
    {
        this.managementToken = requireNonNull(managementToken, "managementToken is null");
        managementToken.ifPresent(token -> {
            if (token.isBlank()) {
                throw new IllegalArgumentException("ACL token is blank");
            }
        });
    }

    public boolean enabled()
    {
        return managementToken.isPresent();
    }

    /**
     * @param token the request's token, empty when it sent none
     */
    public Authorizer resolve(String token)
    {
        requireNonNull(token, "token is null");
        if (managementToken.isEmpty()) {
            return Authorizer.ACLS_DISABLED;
        }
        if (token.isEmpty()) {
            return anonymous;
        }
        if (token.equals(managementToken.get())) {
            return management;
        }
        throw AclException.aclNotFound();
    }
}
