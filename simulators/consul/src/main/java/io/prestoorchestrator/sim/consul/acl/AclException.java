package io.prestoorchestrator.sim.consul.acl;

/**
 * An ACL refusal. Consul answers both kinds with 403 and the message as a text/plain body.
 */
public final class AclException
        extends RuntimeException
{
    private AclException(String message)
    {
        super(message);
    }

    public static AclException aclNotFound()
    {
        return new AclException("ACL not found");
    }

    public static AclException permissionDenied(String accessorId, String resource, String access, String name)
    {
        return new AclException("Permission denied: token with AccessorID '" + accessorId + "' lacks permission '"
                + resource + ":" + access + "' on \"" + name + "\"");
    }
}
