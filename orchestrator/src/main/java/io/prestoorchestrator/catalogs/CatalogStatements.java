package io.prestoorchestrator.catalogs;

import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.KnownProperties;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The SQL the orchestrator's Trino user runs on a coordinator to attach or detach a catalog live
 * (Trino's dynamic catalog management, {@code catalog.management=dynamic}). Pure.
 *
 * <p>Trino keeps the statement text in its query history ({@code system.runtime.queries}, the Web
 * UI's query JSON, event listeners), so a statement carries no secret value, ever: a secret
 * property becomes a {@code ${ENV:NAME}} reference, which each Trino node resolves from its own
 * environment when it loads the catalog (measured on 476: docs/design-notes.md). The input cannot
 * hold a value either: {@link CatalogDefinition#secretProperties()} are SSM references, and they do
 * not reach the SQL. Statements use {@code IF [NOT] EXISTS} so that a retried step changes nothing.
 */
public final class CatalogStatements
{
    /** Every environment variable that carries a catalog secret starts with this. */
    public static final String ENV_PREFIX = "TRINO_CATALOG_";

    // Trino takes the connector name as the identifier's text: "tpch" in quotes is refused
    // ("Invalid connector name"), so it goes unquoted and must be a plain identifier
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern ENV_UNSAFE = Pattern.compile("[^A-Z0-9]");

    private CatalogStatements() {}

    /** {@code CREATE CATALOG IF NOT EXISTS "name" USING connector WITH (...)}; secret properties as {@code ${ENV:...}} references. */
    public static String create(CatalogDefinition catalog)
    {
        requireNonNull(catalog, "catalog is null");
        notLive(catalog).ifPresent(reason -> {
            throw new IllegalArgumentException("catalog " + catalog.name() + " cannot be created by SQL: " + reason);
        });
        List<String> properties = new ArrayList<>();
        new TreeMap<>(catalog.properties()).forEach((key, value) -> properties.add(identifier(key) + " = " + literal(value)));
        envNames(catalog).forEach((key, env) -> properties.add(identifier(key) + " = " + literal("${ENV:" + env + "}")));
        return "CREATE CATALOG IF NOT EXISTS " + identifier(catalog.name()) + " USING " + catalog.connectorName()
                + (properties.isEmpty() ? "" : " WITH (" + String.join(", ", properties) + ")");
    }

    /** {@code DROP CATALOG IF EXISTS "name"}: running queries on it finish, new ones no longer see it. */
    public static String drop(String catalog)
    {
        requireNonNull(catalog, "catalog is null");
        return "DROP CATALOG IF EXISTS " + identifier(catalog);
    }

    /**
     * Why {@link #create} cannot express the catalog, if it cannot: a connector name that is not a
     * plain identifier, a plain value holding a {@code ${...}} reference (Trino would resolve it from
     * the node's environment: a catalog must not read the node's variables), a plain property that
     * looks secret, or two secret properties that map to one environment variable.
     */
    public static Optional<String> notLive(CatalogDefinition catalog)
    {
        if (!PLAIN_IDENTIFIER.matcher(catalog.connectorName()).matches()) {
            return Optional.of("connector name '" + catalog.connectorName() + "' is not a plain SQL identifier (Trino refuses a quoted one)");
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(catalog.properties()).entrySet()) {
            if (KnownProperties.looksSecret(entry.getKey())) {
                return Optional.of("property " + entry.getKey() + " looks like a secret and is not a secret property");
            }
            if (entry.getValue().contains("${")) {
                return Optional.of("the value of property " + entry.getKey() + " contains '${', which Trino would resolve on the node");
            }
        }
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<String, String> entry : envNames(catalog).entrySet()) {
            String other = seen.putIfAbsent(entry.getValue(), entry.getKey());
            if (other != null) {
                return Optional.of("secret properties " + other + " and " + entry.getKey() + " both map to environment variable " + entry.getValue());
            }
        }
        return Optional.empty();
    }

    /** Secret property name to the environment variable that carries its value on every node, by property name. */
    public static Map<String, String> envNames(CatalogDefinition catalog)
    {
        Map<String, String> names = new TreeMap<>();
        catalog.secretProperties().keySet().forEach(key -> names.put(key, envName(catalog.name(), key)));
        return names;
    }

    /** {@code TRINO_CATALOG_<CATALOG>__<PROPERTY>}, upper case, every other character {@code _}. */
    public static String envName(String catalog, String property)
    {
        return ENV_PREFIX + envPart(catalog) + "__" + envPart(property);
    }

    private static String envPart(String text)
    {
        return ENV_UNSAFE.matcher(text.toUpperCase(Locale.ROOT)).replaceAll("_");
    }

    static String identifier(String name)
    {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value)
    {
        return "'" + value.replace("'", "''") + "'";
    }
}
