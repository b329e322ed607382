package io.prestoorchestrator.render;

import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.error.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which installation of the engine a raw_exec cluster runs, by its spec's {@code version} (issue 18: an upgrade starts
 * the new version's coordinator and workers beside the old ones). A variable file that lists installations has
 * {@code <home variable>} ({@code trino_home}) for the version {@code <flavour>_version} names ({@code trino_version}),
 * and {@code <home variable>s} ({@code trino_homes}) mapping each other installed version to its home. A version in
 * neither, or one whose home is empty (not installed: {@code scripts/setup.sh --trino-470}), is refused naming
 * {@code /version}, before anything is stored or deployed. A variable file without {@code <flavour>_version} (the
 * Docker profiles: the version picks the image) is left as it is.
 */
final class EngineInstalls
{
    private EngineInstalls() {}

    /** The variables with {@code <home variable>} set to the installation of the spec's version. */
    static Map<String, Object> forVersion(ClusterSpec spec, Map<String, Object> vars, String variableFile)
    {
        String homeVariable = spec.flavour().profile().homeVariable();
        String versionVariable = spec.flavour().jsonName() + "_version";
        String homesVariable = homeVariable + "s";
        if (!(vars.get(versionVariable) instanceof String installedVersion)) {
            return vars;
        }
        Map<String, String> homes = new LinkedHashMap<>();
        homes.put(installedVersion, String.valueOf(vars.getOrDefault(homeVariable, "")));
        if (vars.get(homesVariable) instanceof Map<?, ?> others) {
            others.forEach((version, home) -> homes.putIfAbsent(String.valueOf(version), home == null ? "" : String.valueOf(home)));
        }
        String home = homes.getOrDefault(spec.version(), "");
        if (home.isBlank()) {
            TreeSet<String> installed = new TreeSet<>();
            homes.forEach((version, path) -> {
                if (!path.isBlank()) {
                    installed.add(version);
                }
            });
            throw InvalidInputException.unprocessable("/version", "version '" + spec.version() + "' of " + spec.flavour().jsonName() + " is not installed for environment '"
                    + spec.environment() + "' (" + variableFile + ": " + versionVariable + ", " + homesVariable + "): use one of " + installed
                    + (homes.containsKey(spec.version()) ? ", or install it (scripts/setup.sh --help)" : ""));
        }
        Map<String, Object> selected = new LinkedHashMap<>(vars);
        selected.put(homeVariable, home);
        return selected;
    }
}
