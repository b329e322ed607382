package io.prestoorchestrator.sim.consul.acl;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * What a resolved token may do. The simulator knows two kinds of token: the configured one, which
 * has the global-management policy (everything allowed), and the anonymous token, which under the
 * default-deny policy may do nothing. With ACLs disabled every request is allowed.
 */
public record Authorizer(String accessorId, boolean allowAll)
{
    public static final Authorizer ACLS_DISABLED = new Authorizer("", true);

    public Authorizer
    {
        requireNonNull(accessorId, "accessorId is null");
    }

    public boolean canRead(Resource resource, String name)
    {
        return allowAll;
    }

    /**
     * Throws the 403 Consul gives when the token lacks {@code resource:access} on {@code name}.
     */
    public void require(Resource resource, Access access, String name)
    {
        if (!allowAll) {
            throw AclException.permissionDenied(accessorId, resource.wireName(), access.wireName(), name);
        }
    }

    public enum Resource
    {
        AGENT, NODE, SERVICE, KEY, SESSION;

        String wireName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Access
    {
        READ, WRITE;

        String wireName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
