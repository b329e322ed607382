package io.prestoorchestrator.catalogs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.Flavour;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which path each catalog change of a running cluster takes, decided before anything is applied
 * (the plan shows it): {@link Path#LIVE}, SQL on the running coordinator and no allocation
 * replaced, or {@link Path#RESTART}, the rolling replacement (workers first, then the coordinator),
 * with the reason. Pure.
 *
 * <ul>
 *   <li>Attach or detach a catalog without secret properties: live ({@code CREATE}/{@code DROP CATALOG}).</li>
 *   <li>A catalog with secret properties: restart. Its secrets reach Trino as {@code ${ENV:...}}
 *       references, and Trino 476 resolves no other kind (no {@code ${FILE:...}}); a running process
 *       cannot gain an environment variable, and every worker needs it too.</li>
 *   <li>A property change of an attached catalog: restart, until blue-green coordinators land. Trino
 *       476 has no {@code ALTER CATALOG}; {@code DROP} + {@code CREATE} leaves a moment in which
 *       queries on the catalog fail.</li>
 *   <li>PrestoDB: restart; it has no dynamic catalog management.</li>
 * </ul>
 *
 * @param steps one per catalog attached, detached or changed, in that order; empty when none
 */
public record CatalogChangePlan(List<Step> steps)
{
    public enum Path
    {
        LIVE, RESTART;

        @JsonValue
        public String jsonName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Action
    {
        ATTACH, DETACH, CHANGE;

        @JsonValue
        public String jsonName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param sql what the live path runs on the coordinator (no secret value: {@link CatalogStatements}); empty on the restart path, and then left out of the JSON
     * @param why one sentence for the plan's reader
     */
    public record Step(String catalog, Action action, Path path, @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> sql, String why)
    {
        public Step
        {
            requireNonNull(catalog, "catalog is null");
            requireNonNull(action, "action is null");
            requireNonNull(path, "path is null");
            requireNonNull(sql, "sql is null");
            requireNonNull(why, "why is null");
        }
    }

    static final String PRESTODB = "PrestoDB has no CREATE/DROP CATALOG: its catalogs change with a rolling restart";
    static final String SECRETS = "it has secret properties, which reach Trino as environment variables (${ENV:...}, the only reference Trino 476"
            + " resolves) that a running Trino process cannot gain: a rolling restart gives every node its variables";
    static final String NO_ALTER = "needs a restart until blue-green lands: Trino 476 has no ALTER CATALOG, and DROP + CREATE leaves a moment"
            + " in which queries on the catalog fail";
    static final String ATTACH_LIVE = "CREATE CATALOG on the running coordinator; workers load it from the coordinator with their first task on it;"
            + " no allocation is replaced";
    static final String DETACH_LIVE = "DROP CATALOG on the running coordinator; queries already running on it finish, new ones no longer see it;"
            + " no allocation is replaced";

    public CatalogChangePlan
    {
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
    }

    /**
     * The steps of changing a cluster's attached catalogs from {@code before} to {@code after}.
     *
     * @param definitions the definitions of (at least) every catalog attached or detached
     */
    public static CatalogChangePlan ofAttachments(Flavour flavour, List<String> before, List<String> after, Map<String, CatalogDefinition> definitions)
    {
        requireNonNull(flavour, "flavour is null");
        requireNonNull(definitions, "definitions is null");
        List<Step> steps = new ArrayList<>();
        for (String name : after) {
            if (!before.contains(name)) {
                steps.add(step(flavour, name, Action.ATTACH, definition(definitions, name)));
            }
        }
        for (String name : before) {
            if (!after.contains(name)) {
                steps.add(step(flavour, name, Action.DETACH, definition(definitions, name)));
            }
        }
        return new CatalogChangePlan(steps);
    }

    /** The step of changing the definition of a catalog attached to a running cluster; none when nothing changed. */
    public static CatalogChangePlan ofDefinitionChange(Flavour flavour, CatalogDefinition before, CatalogDefinition after)
    {
        requireNonNull(flavour, "flavour is null");
        if (before.equals(after)) {
            return new CatalogChangePlan(List.of());
        }
        String why = flavour.profile().liveCatalogs() ? NO_ALTER : PRESTODB;
        return new CatalogChangePlan(List.of(new Step(after.name(), Action.CHANGE, Path.RESTART, Optional.empty(), why)));
    }

    /**
     * The catalog changes that deploying a spec would make to what a Trino cluster runs: catalogs
     * attached or detached, and attached ones whose file changed (a property change).
     *
     * @param deployed the catalog files the cluster runs with (its catalog Variable), by catalog name
     * @param wanted the catalog files of the spec as rendered now, by catalog name
     * @param definitions the definitions of (at least) every catalog attached or detached
     */
    public static CatalogChangePlan ofDeployed(Flavour flavour, Map<String, String> deployed, Map<String, String> wanted, Map<String, CatalogDefinition> definitions)
    {
        List<Step> steps = new ArrayList<>(ofAttachments(flavour, List.copyOf(new java.util.TreeSet<>(deployed.keySet())), List.copyOf(new java.util.TreeSet<>(wanted.keySet())),
                definitions).steps());
        new java.util.TreeMap<>(wanted).forEach((name, file) -> {
            if (deployed.containsKey(name) && !deployed.get(name).equals(file)) {
                steps.add(new Step(name, Action.CHANGE, Path.RESTART, Optional.empty(), flavour.profile().liveCatalogs() ? NO_ALTER : PRESTODB));
            }
        });
        return new CatalogChangePlan(steps);
    }

    private static Step step(Flavour flavour, String name, Action action, CatalogDefinition definition)
    {
        if (!flavour.profile().liveCatalogs()) {
            return new Step(name, action, Path.RESTART, Optional.empty(), PRESTODB);
        }
        if (!definition.secretProperties().isEmpty()) {
            return new Step(name, action, Path.RESTART, Optional.empty(), SECRETS);
        }
        if (action == Action.DETACH) {
            return new Step(name, action, Path.LIVE, Optional.of(CatalogStatements.drop(name)), DETACH_LIVE);
        }
        Optional<String> notLive = CatalogStatements.notLive(definition);
        if (notLive.isPresent()) {
            return new Step(name, action, Path.RESTART, Optional.empty(), notLive.get() + ": it changes with a rolling restart");
        }
        return new Step(name, action, Path.LIVE, Optional.of(CatalogStatements.create(definition)), ATTACH_LIVE);
    }

    private static CatalogDefinition definition(Map<String, CatalogDefinition> definitions, String name)
    {
        CatalogDefinition definition = definitions.get(name);
        if (definition == null) {
            throw new IllegalArgumentException("no definition of catalog " + name);
        }
        return definition;
    }

    /** {@code none}, {@code live} or {@code restart}: the path of the whole change, for the plan's reader. */
    @JsonProperty("path")
    public String path()
    {
        return !changes() ? "none" : needsRestart() ? Path.RESTART.jsonName() : Path.LIVE.jsonName();
    }

    /** Whether there is a catalog change at all. */
    @JsonIgnore
    public boolean changes()
    {
        return !steps.isEmpty();
    }

    /** Whether every step is live: the change replaces no allocation. */
    @JsonIgnore
    public boolean live()
    {
        return changes() && steps.stream().allMatch(step -> step.path() == Path.LIVE);
    }

    /** Whether a step needs the rolling restart (then the whole change takes it). */
    @JsonIgnore
    public boolean needsRestart()
    {
        return steps.stream().anyMatch(step -> step.path() == Path.RESTART);
    }

    /** One line per step, for the plan's reader and the operation's events. */
    @JsonIgnore
    public List<String> lines()
    {
        return steps.stream().map(step -> step.action().jsonName() + " " + step.catalog() + ": " + step.path().jsonName() + ", " + step.why()).toList();
    }
}
