package io.prestoorchestrator.sim.consul.state;

/**
 * Names of the "tables" whose indexes blocking queries watch. Per-service and per-key topics let a
 * query on one service or key ignore writes to others, as Consul's per-service indexes and memdb
 * watch channels do.
 */
public final class Topics
{
    public static final String NODES = "nodes";
    public static final String SERVICES = "services";
    public static final String CHECKS = "checks";
    public static final String SESSIONS = "sessions";
    public static final String KV = "kv";

    private static final String SERVICE_PREFIX = "service/";
    private static final String KV_KEY_PREFIX = "kv/";

    private Topics() {}

    public static String service(String name)
    {
        return SERVICE_PREFIX + name;
    }

    public static String kvKey(String key)
    {
        return KV_KEY_PREFIX + key;
    }
}
