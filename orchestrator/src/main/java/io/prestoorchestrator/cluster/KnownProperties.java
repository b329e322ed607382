package io.prestoorchestrator.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * The {@code config.properties} keys a spec may override, from the resource
 * {@code trino-config-properties.txt}, and the keys the orchestrator manages itself.
 */
public final class KnownProperties
{
    /** Keys rendered from the spec's own fields or the templates; overriding them is refused with where to set them. */
    private static final java.util.Map<String, String> MANAGED = java.util.Map.ofEntries(
            java.util.Map.entry("coordinator", "it is set per group by the templates"),
            java.util.Map.entry("node-scheduler.include-coordinator", "the coordinator never runs tasks"),
            java.util.Map.entry("discovery.uri", "the templates point workers at the coordinator"),
            java.util.Map.entry("discovery-server.enabled", "the templates set it for prestodb coordinators"),
            java.util.Map.entry("http-server.http.port", "Nomad assigns the port"),
            java.util.Map.entry("http-server.process-forwarded", "coordinators sit behind Traefik and need it"),
            java.util.Map.entry("query.max-memory", "set /queryMemory/max instead"),
            java.util.Map.entry("query.max-memory-per-node", "set /queryMemory/maxPerNode instead"),
            java.util.Map.entry("memory.heap-headroom-per-node", "set /jvm/heapHeadroomFraction instead"),
            java.util.Map.entry("access-control.name", "the templates install the access control the drain path needs"),
            java.util.Map.entry("node.id", "Nomad's allocation id is used"),
            java.util.Map.entry("node.environment", "the variable file sets it"),
            java.util.Map.entry("node.internal-address", "Nomad's address of the allocation is used"),
            java.util.Map.entry("node.data-dir", "the variable file sets it"));

    private static final Pattern SECRET_LOOKING = Pattern.compile("(?i).*(password|secret|token|credential|credentials|private-key|access-key|secret-key|keystore\\.key)$");

    private static final Set<String> KNOWN = load();

    private KnownProperties() {}

    public static boolean isKnown(String key)
    {
        return KNOWN.contains(key);
    }

    /** Why a key may not be overridden, or null when it may. */
    public static String managedReason(String key)
    {
        if (key.startsWith("node.")) {
            return MANAGED.getOrDefault(key, "node properties are rendered by the templates");
        }
        return MANAGED.get(key);
    }

    /** Whether a property name looks like it holds a secret (then its value must not be written in plain text). */
    public static boolean looksSecret(String key)
    {
        return SECRET_LOOKING.matcher(key).matches();
    }

    public static Set<String> known()
    {
        return KNOWN;
    }

    private static Set<String> load()
    {
        try (InputStream in = requireNonNull(KnownProperties.class.getResourceAsStream("trino-config-properties.txt"), "trino-config-properties.txt missing");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
            Set<String> keys = new TreeSet<>();
            reader.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(keys::add);
            return Set.copyOf(keys);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
