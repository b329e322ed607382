package io.prestoorchestrator.render;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A Trino cluster's catalog files as the Nomad Variable its coordinator's {@code with-catalogs.sh}
 * template reads (issue 18): attaching or detaching a catalog rewrites this Variable, not the job, so
 * no allocation is replaced, and every start of the coordinator writes exactly these files. The
 * files hold no secret value: a secret property is a {@code ${ENV:...}} reference, its value is in
 * the job's secrets Variable ({@link NomadVariable}) and reaches each node's environment.
 *
 * @param path {@code nomad/jobs/<job-id>/coordinator} (readable by the coordinator group's tasks)
 * @param files catalog name to the text of its {@code catalog/<name>.properties}
 */
public record CatalogBundle(String path, Map<String, String> files)
{
    /**
     * The item that is not a catalog: a Variable needs one item even when the cluster has no catalog.
     * with-catalogs.sh writes every item as a file of the catalog directory; Trino reads only the
     * {@code .properties} ones (476 ignores other files there: measured).
     */
    public static final String README_ITEM = "README";

    public CatalogBundle
    {
        requireNonNull(path, "path is null");
        files = Map.copyOf(requireNonNull(files, "files is null"));
    }

    /** The Variable's items: {@code <catalog>.properties} for each catalog, and {@link #README_ITEM} naming them. */
    public Map<String, String> items()
    {
        Map<String, String> items = new TreeMap<>();
        files.forEach((name, text) -> items.put(name + ".properties", text));
        items.put(README_ITEM, "Catalog files written by presto-orchestrator from Nomad Variable " + path + ": "
                + (files.isEmpty() ? "none" : String.join(", ", new TreeMap<>(files).keySet())) + "\n");
        return items;
    }
}
