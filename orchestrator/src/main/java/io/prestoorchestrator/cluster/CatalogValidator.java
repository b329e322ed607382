package io.prestoorchestrator.cluster;

import io.prestoorchestrator.error.InvalidInputException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Checks a {@link CatalogDefinition}: name, connector, and that secrets are SSM references and
 * never plain values. Same 400/422 rule as {@link ClusterSpecValidator}.
 */
public final class CatalogValidator
{
    private static final Pattern CONNECTOR = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern SSM_PATH = Pattern.compile("/[A-Za-z0-9_.\\-/]{1,1010}");
    private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private CatalogValidator() {}

    /**
     * @param ssmPrefix {@code aws.ssm-prefix}: every secret reference must name a parameter below it
     *        (the orchestrator reads SSM with its own role; a catalog must not point it elsewhere)
     */
    public static void validate(CatalogDefinition catalog, String ssmPrefix)
    {
        requireNonNull(catalog, "catalog is null");
        requireNonNull(ssmPrefix, "ssmPrefix is null");
        ClusterSpecValidator.Problems problems = new ClusterSpecValidator.Problems();
        if (!ClusterSpecValidator.CATALOG_NAME.matcher(catalog.name()).matches()) {
            problems.structural("/name", "catalog name '" + catalog.name() + "' must be lower-case letters, digits and '_', starting with a letter, e.g. hive_prod");
        }
        if (!CONNECTOR.matcher(catalog.connectorName()).matches()) {
            problems.structural("/connectorName", "connectorName '" + catalog.connectorName() + "' is not a connector name: e.g. hive, iceberg, postgresql, tpch");
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(catalog.properties()).entrySet()) {
            String field = "/properties/" + ClusterSpecValidator.pointerEscape(entry.getKey());
            if (!PROPERTY_KEY.matcher(entry.getKey()).matches()) {
                problems.structural(field, "property name '" + entry.getKey() + "' is malformed: use letters, digits, '.', '-' and '_'");
            }
            else if (entry.getKey().equals("connector.name")) {
                problems.consistency(field, "connector.name is set by /connectorName: remove it here");
            }
            else if (KnownProperties.looksSecret(entry.getKey())) {
                problems.consistency(field, entry.getKey() + " looks like a secret: move it to /secretProperties as an SSM reference (ssm:/path), never a value");
            }
            if (entry.getValue().contains("\n") || entry.getValue().contains("\r")) {
                problems.structural(field, "the value of " + entry.getKey() + " contains a line break: write it on one line");
            }
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(catalog.secretProperties()).entrySet()) {
            String field = "/secretProperties/" + ClusterSpecValidator.pointerEscape(entry.getKey());
            String reference = entry.getValue();
            if (!PROPERTY_KEY.matcher(entry.getKey()).matches()) {
                problems.structural(field, "property name '" + entry.getKey() + "' is malformed: use letters, digits, '.', '-' and '_'");
            }
            // never echo the value: it may be the secret itself
            if (!reference.startsWith(CatalogDefinition.SSM_REFERENCE_PREFIX) || !SSM_PATH.matcher(reference.substring(4)).matches()) {
                problems.structural(field, "must be an SSM reference such as ssm:" + example(ssmPrefix, catalog, entry.getKey()) + ", never the secret value");
            }
            else if (!normalPath(CatalogDefinition.ssmPath(reference))) {
                problems.structural(field, "must be an SSM parameter path without empty, '.' or '..' segments, such as ssm:" + example(ssmPrefix, catalog, entry.getKey()));
            }
            else if (!withinPrefix(CatalogDefinition.ssmPath(reference), ssmPrefix)) {
                problems.consistency(field, "must name an SSM parameter under aws.ssm-prefix " + ssmPrefix + "/, such as ssm:" + example(ssmPrefix, catalog, entry.getKey()));
            }
            if (catalog.properties().containsKey(entry.getKey())) {
                problems.consistency(field, entry.getKey() + " is both a plain and a secret property: keep only the secret one");
            }
        }
        List<ClusterSpecValidator.Problem> all = problems.sorted();
        if (!all.isEmpty()) {
            boolean structural = all.stream().anyMatch(ClusterSpecValidator.Problem::structural);
            throw new InvalidInputException("catalog is invalid: " + all.size() + (all.size() == 1 ? " problem" : " problems"),
                    all.stream().map(p -> new io.prestoorchestrator.error.FieldError(p.field(), p.message())).toList(), !structural);
        }
    }

    /** Whether {@code path} (a well-formed SSM path) lies below {@code ssmPrefix}. */
    public static boolean withinPrefix(String path, String ssmPrefix)
    {
        return normalPath(path) && (ssmPrefix.equals("/") || path.startsWith(ssmPrefix + "/"));
    }

    private static boolean normalPath(String path)
    {
        String[] segments = path.substring(1).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String example(String ssmPrefix, CatalogDefinition catalog, String property)
    {
        return (ssmPrefix.equals("/") ? "" : ssmPrefix) + "/catalogs/" + catalog.name() + "/" + property;
    }
}
