package io.prestoorchestrator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

public final class TestingFiles
{
    private static final String JVM_OPTIONS = "jvm_extra_options: []";
    /**
     * The integration tests' Trino JVMs compile with C1 only. A Trino 476 start to SERVER STARTED took 20 CPU-s with the
     * default tiered compilation and 11 with C1 alone, while an sf1 aggregation over lineitem took 16 CPU-s instead of
     * 11.5 (single node, nothing else running, 2026-12-07). The suite starts dozens of Trino processes on two cores and
     * runs mostly Black Hole scans ({@link SlowScan}) and tiny queries, so starts are what cost. A scale-out's worker
     * also loads its catalogs on its first task, inside the coordinator's task request: in CI on a saturated machine
     * that load took 53 s and the coordinator gave up on the worker after 60 s (AutoscalingEndToEndIT, 2026-12-07).
     * The local stack (run-local.sh, LocalStackIT) keeps the profile's default JIT.
     * Like the local stack, they start from the AOT cache {@code scripts/setup.sh} trains (the local profile's
     * {@code jvm_aot_cache}, from {@code TRINO_AOT_CACHE}).
     */
    private static final String QUICK_JIT = "jvm_extra_options: [\"-XX:TieredStopAtLevel=1\"]";

    private TestingFiles() {}

    /** Copies the tree under {@code from} into {@code to} (created as needed), e.g. job-templates a test then edits. */
    public static Path copyTree(Path from, Path to)
            throws IOException
    {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(from)) {
            sources = walk.sorted().toList();
        }
        for (Path source : sources) {
            Path destination = to.resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(destination);
            }
            else {
                Files.copy(source, destination);
            }
        }
        return to;
    }

    /** Deletes {@code path} and everything under it, if it exists. */
    public static void deleteRecursively(Path path)
            throws IOException
    {
        if (!Files.exists(path)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(path)) {
            paths = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path each : paths) {
            Files.delete(each);
        }
    }

    /**
     * A copy of the project's job-templates in a new temporary directory, with {@code from} replaced by
     * {@code to} in one variable file; fails when the file does not contain {@code from}.
     */
    public static Path templatesWith(String varsFile, String from, String to)
            throws IOException
    {
        return templatesWith(varsFile, Map.of(from, to));
    }

    /** As {@link #templatesWith(String, String, String)}, each key of {@code replacements} replaced by its value. */
    public static Path templatesWith(String varsFile, Map<String, String> replacements)
            throws IOException
    {
        Path templates = copyTree(Path.of("../job-templates").toAbsolutePath().normalize(), Files.createTempDirectory("job-templates"));
        Path vars = templates.resolve("vars").resolve(varsFile);
        String text = Files.readString(vars);
        for (Map.Entry<String, String> replacement : replacements.entrySet()) {
            if (!text.contains(replacement.getKey())) {
                throw new IllegalArgumentException(vars + " does not contain '" + replacement.getKey() + "'");
            }
            text = text.replace(replacement.getKey(), replacement.getValue());
        }
        Files.writeString(vars, text);
        return templates;
    }

    /**
     * The job templates the integration tests on real Trino run with: the local profile with Trino's
     * {@code shutdown.grace-period} at 20 s instead of 30 s and Nomad's {@code min_healthy_time} at 2 s
     * instead of 10 s, and Trino's JVMs on C1 alone ({@link #QUICK_JIT}). A drain waits two grace periods even on an idle worker (FACTS.md), so the
     * suite's many drains take 40 s instead of 60 s each. 20 s still leaves 2.6 times the
     * coordinator's view lag measured under load (7.6 s: a draining worker got tasks for queries
     * submitted up to then, FACTS.md); the grace period must exceed it, and the drain ITs, which
     * run short queries every 0.5 s through every drain, fail when it does not. The local stack
     * (run-local.sh, LocalStackIT) keeps the profile's 30 s. {@code replacements} change more.
     */
    public static Path itTemplates(Map<String, String> replacements)
            throws IOException
    {
        Map<String, String> all = new LinkedHashMap<>(Map.of("shutdown_grace_period: 30s", "shutdown_grace_period: 20s", "min_healthy_time_seconds: 10", "min_healthy_time_seconds: 2",
                JVM_OPTIONS, QUICK_JIT));
        all.putAll(replacements);
        return templatesWith("local.yaml", all);
    }

    /** {@link #itTemplates(Map)} with nothing more changed. */
    public static Path itTemplates()
            throws IOException
    {
        return itTemplates(Map.of());
    }

    /**
     * The job templates with quick replacements, for tests where no query runs while a worker is
     * replaced and the drain's timing is not what they measure: Trino's shutdown.grace-period 5 s
     * (an idle worker's drain takes two of them; 30 s locally, which a query needs: FACTS.md) and
     * Nomad's min_healthy_time 2 s (10 s locally) for each allocation of a rolling update, and C1 alone ({@link #QUICK_JIT}).
     */
    public static Path quickReplacementTemplates()
            throws IOException
    {
        return templatesWith("local.yaml", Map.of("shutdown_grace_period: 30s", "shutdown_grace_period: 5s", "min_healthy_time_seconds: 10", "min_healthy_time_seconds: 2",
                JVM_OPTIONS, QUICK_JIT));
    }
}
