package io.prestoorchestrator.cluster;

import io.prestoorchestrator.config.Durations;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Checks a {@link ClusterSpec} and reports every problem at once, each with the field (a JSON
 * pointer into the spec) and what to change.
 *
 * <p>Two kinds of problem. <b>Structural</b>: a value is malformed or out of range on its own (a
 * name with upper case, a negative count, a blank version) — the request is wrong whatever else
 * is true: 400. <b>Consistency</b>: every value is well-formed but they contradict each other or
 * the known lists (count outside min..max, query memory that does not fit the heap, an unknown
 * property or catalog): 422. One exception carries all problems; it is 400 when any of them is
 * structural, 422 otherwise.
 */
public final class ClusterSpecValidator
{
    public static final int MAX_NAME_LENGTH = 40;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,63}");
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/:@-]{0,254}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
    static final Pattern CATALOG_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MIN_CPU_MHZ = 100;
    private static final int MIN_MEMORY_MB = 256;
    /** Share of a task's memory the JVM needs beyond the heap (metaspace, threads, direct buffers). */
    static final double NON_HEAP_FRACTION = 0.2;

    private ClusterSpecValidator() {}

    /** Validates the spec on its own; throws one {@link InvalidInputException} listing every problem. */
    public static void validate(ClusterSpec spec)
    {
        throwIfAny(problems(spec, null));
    }

    /** Validates the spec, and that every attached catalog is one of {@code knownCatalogs}. */
    public static void validate(ClusterSpec spec, Set<String> knownCatalogs)
    {
        throwIfAny(problems(spec, requireNonNull(knownCatalogs, "knownCatalogs is null")));
    }

    /** Every problem, structural ones first; empty when the spec is valid. */
    public static List<Problem> problems(ClusterSpec spec, Set<String> knownCatalogs)
    {
        requireNonNull(spec, "spec is null");
        Problems problems = new Problems();
        name(spec.name(), problems);
        if (!VERSION.matcher(spec.version()).matches()) {
            problems.structural("/version", "version '" + spec.version() + "' is not a version: use the engine's release, e.g. 476");
        }
        spec.image().ifPresent(image -> {
            if (!IMAGE.matcher(image).matches()) {
                problems.structural("/image", "image '" + image + "' is not a Docker image reference: use e.g. trinodb/trino:476 or leave it out");
            }
        });
        if (!ENVIRONMENT.matcher(spec.environment()).matches()) {
            problems.structural("/environment", "environment '" + spec.environment() + "' must name a variable file: lower-case letters, digits, '-' or '_', e.g. local or prod");
        }
        resources("/coordinator", spec.coordinator(), problems);
        resources("/workerResources", spec.workerResources(), problems);
        workers(spec.workers(), problems);
        memory(spec, problems);
        catalogs(spec.catalogs(), knownCatalogs, problems);
        properties(spec, problems);
        labels(spec.labels(), problems);
        autoscaling(spec.autoscaling(), problems);
        return problems.sorted();
    }

    private static void name(String name, Problems problems)
    {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches() || name.endsWith("-")) {
            problems.structural("/name", "name '" + name + "' must be a DNS label: 1 to " + MAX_NAME_LENGTH
                    + " characters of a-z, 0-9 and '-', starting with a letter and not ending with '-', e.g. adhoc-1");
        }
    }

    private static void resources(String field, Resources resources, Problems problems)
    {
        if (resources.cpuMhz() < MIN_CPU_MHZ) {
            problems.structural(field + "/cpuMhz", "cpuMhz is " + resources.cpuMhz() + ": set at least " + MIN_CPU_MHZ);
        }
        if (resources.memoryMb() < MIN_MEMORY_MB) {
            problems.structural(field + "/memoryMb", "memoryMb is " + resources.memoryMb() + ": set at least " + MIN_MEMORY_MB);
        }
    }

    private static void workers(Workers workers, Problems problems)
    {
        boolean wellFormed = true;
        if (workers.min() < 0) {
            problems.structural("/workers/min", "min is " + workers.min() + ": set 0 or more");
            wellFormed = false;
        }
        if (workers.max() < 1) {
            problems.structural("/workers/max", "max is " + workers.max() + ": set 1 or more");
            wellFormed = false;
        }
        if (workers.count() < 0) {
            problems.structural("/workers/count", "count is " + workers.count() + ": set 0 or more");
            wellFormed = false;
        }
        if (!wellFormed) {
            return;
        }
        if (workers.min() > workers.max()) {
            problems.consistency("/workers/max", "max (" + workers.max() + ") is below min (" + workers.min() + "): raise /workers/max to at least "
                    + workers.min() + " or lower /workers/min");
        }
        else if (workers.count() < workers.min() || workers.count() > workers.max()) {
            problems.consistency("/workers/count", "count (" + workers.count() + ") must lie within min..max (" + workers.min() + ".." + workers.max()
                    + "): set /workers/count between them, or move the bounds");
        }
    }

    private static void memory(ClusterSpec spec, Problems problems)
    {
        JvmSettings jvm = spec.jvm();
        QueryMemory query = spec.queryMemory();
        boolean wellFormed = true;
        if (jvm.heap().megabytes() < 128) {
            problems.structural("/jvm/heap", "heap is " + jvm.heap() + ": set at least 128MB");
            wellFormed = false;
        }
        if (!(jvm.heapHeadroomFraction() >= 0.0 && jvm.heapHeadroomFraction() < 0.9)) {
            problems.structural("/jvm/heapHeadroomFraction", "heapHeadroomFraction is " + jvm.heapHeadroomFraction() + ": set a fraction from 0.0 to below 0.9 (Trino's default is 0.3)");
            wellFormed = false;
        }
        if (query.maxPerNode().bytes() == 0) {
            problems.structural("/queryMemory/maxPerNode", "maxPerNode is 0B: set a size such as 1GB");
            wellFormed = false;
        }
        if (query.max().bytes() == 0) {
            problems.structural("/queryMemory/max", "max is 0B: set a size such as 4GB");
            wellFormed = false;
        }
        if (!wellFormed) {
            return;
        }
        DataSize headroom = jvm.headroom();
        if (query.maxPerNode().bytes() + headroom.bytes() > jvm.heap().bytes()) {
            double usable = 1.0 - jvm.heapHeadroomFraction();
            long neededHeapMb = (long) Math.ceil(query.maxPerNode().bytes() / usable / (1024 * 1024));
            long allowedPerNodeMb = (jvm.heap().bytes() - headroom.bytes()) / (1024 * 1024);
            problems.consistency("/queryMemory/maxPerNode", "query.max-memory-per-node (" + query.maxPerNode() + ") plus headroom ("
                    + percent(jvm.heapHeadroomFraction()) + " of heap) must fit jvm heap (" + jvm.heap() + "): raise /jvm/heap to at least "
                    + DataSize.ofMegabytes(neededHeapMb) + " or lower /queryMemory/maxPerNode to at most " + DataSize.ofMegabytes(allowedPerNodeMb));
        }
        if (query.max().bytes() < query.maxPerNode().bytes()) {
            problems.consistency("/queryMemory/max", "query.max-memory (" + query.max() + ") is below query.max-memory-per-node (" + query.maxPerNode()
                    + "): raise /queryMemory/max to at least " + query.maxPerNode() + " or lower /queryMemory/maxPerNode");
        }
        heapFitsTask("/coordinator/memoryMb", spec.coordinator(), jvm, problems);
        heapFitsTask("/workerResources/memoryMb", spec.workerResources(), jvm, problems);
    }

    private static void heapFitsTask(String field, Resources resources, JvmSettings jvm, Problems problems)
    {
        if (resources.memoryMb() < MIN_MEMORY_MB) {
            return;
        }
        long heapMb = jvm.heap().megabytesRoundedUp();
        long neededMb = (long) Math.ceil(heapMb / (1.0 - NON_HEAP_FRACTION));
        if (resources.memoryMb() < neededMb) {
            long allowedHeapMb = (long) Math.floor(resources.memoryMb() * (1.0 - NON_HEAP_FRACTION));
            problems.consistency(field, "jvm heap (" + jvm.heap() + ") plus " + percent(NON_HEAP_FRACTION) + " of the task memory for the JVM's own use must fit memoryMb ("
                    + resources.memoryMb() + "): raise " + field + " to at least " + neededMb + " or lower /jvm/heap to at most " + DataSize.ofMegabytes(allowedHeapMb));
        }
    }

    private static void catalogs(List<String> catalogs, Set<String> knownCatalogs, Problems problems)
    {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < catalogs.size(); i++) {
            String catalog = catalogs.get(i);
            String field = "/catalogs/" + i;
            if (!CATALOG_NAME.matcher(catalog).matches()) {
                problems.structural(field, "catalog name '" + catalog + "' must be lower-case letters, digits and '_', starting with a letter");
            }
            else if (!seen.add(catalog)) {
                problems.structural(field, "catalog '" + catalog + "' is attached twice: remove one");
            }
            else if (knownCatalogs != null && !knownCatalogs.contains(catalog)) {
                problems.consistency(field, "catalog '" + catalog + "' does not exist: create it under /v1/catalogs first, or remove it; known catalogs are "
                        + new java.util.TreeSet<>(knownCatalogs));
            }
        }
    }

    private static void properties(ClusterSpec spec, Problems problems)
    {
        for (Map.Entry<String, String> entry : new TreeMap<>(spec.properties()).entrySet()) {
            String key = entry.getKey();
            String field = "/properties/" + pointerEscape(key);
            if (!PROPERTY_KEY.matcher(key).matches()) {
                problems.structural(field, "property name '" + key + "' is malformed: use letters, digits, '.', '-' and '_'");
                continue;
            }
            if (entry.getValue().contains("\n") || entry.getValue().contains("\r")) {
                problems.structural(field, "the value of " + key + " contains a line break: write it on one line");
            }
            if (KnownProperties.looksSecret(key)) {
                problems.consistency(field, key + " looks like a secret and would be readable in the Nomad job: store it in SSM and reference it from a catalog's secretProperties, or a secret parameter");
                continue;
            }
            String managed = KnownProperties.managedReason(key);
            if (managed != null) {
                problems.consistency(field, key + " cannot be overridden: " + managed);
            }
            else if (!spec.allowUnknownProperties() && !KnownProperties.isKnown(key)) {
                problems.consistency(field, key + " is not a known Trino config property: check the spelling, or set /allowUnknownProperties to true to pass it through");
            }
        }
    }

    private static void labels(Map<String, String> labels, Problems problems)
    {
        for (Map.Entry<String, String> entry : new TreeMap<>(labels).entrySet()) {
            String field = "/labels/" + pointerEscape(entry.getKey());
            if (!LABEL_KEY.matcher(entry.getKey()).matches()) {
                problems.structural(field, "label key '" + entry.getKey() + "' must be 1 to 63 characters of letters, digits, '.', '_', '/' and '-'");
            }
            if (entry.getValue().length() > 256 || entry.getValue().contains("\n")) {
                problems.structural(field, "label value must be one line of at most 256 characters");
            }
        }
    }

    private static void autoscaling(Autoscaling autoscaling, Problems problems)
    {
        // nomad-autoscaler treats a zero cooldown as unset and applies its agent default (5m) instead
        duration("/autoscaling/evaluationInterval", autoscaling.evaluationInterval(), Duration.ofSeconds(1), Duration.ofHours(1), problems);
        duration("/autoscaling/scaleOutCooldown", autoscaling.scaleOutCooldown(), Duration.ofSeconds(1), Duration.ofHours(24), problems);
        duration("/autoscaling/scaleInCooldown", autoscaling.scaleInCooldown(), Duration.ofSeconds(1), Duration.ofHours(24), problems);
        duration("/autoscaling/scaleInDelay", autoscaling.scaleInDelay(), Duration.ZERO, Duration.ofHours(24), problems);
        autoscaling.target().ifPresent(target -> {
            if (autoscaling.signal() != Autoscaling.Signal.CPU) {
                problems.consistency("/autoscaling/target", "target applies to signal cpu only (percent of allocated CPU); signal "
                        + autoscaling.signal().jsonName() + " is already a worker count: remove /autoscaling/target or set /autoscaling/signal to cpu");
            }
            else if (!(target > 0 && target <= 100)) {
                problems.structural("/autoscaling/target", "target is " + target + ": set the percent of allocated CPU to hold, above 0 and at most 100, e.g. 70");
            }
        });
    }

    private static void duration(String field, String text, Duration min, Duration max, Problems problems)
    {
        Duration value;
        try {
            value = Durations.parse(text);
        }
        catch (IllegalArgumentException e) {
            problems.structural(field, e.getMessage());
            return;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problems.structural(field, text + " is out of range: set from " + Durations.format(min) + " to " + Durations.format(max));
        }
    }

    static String pointerEscape(String key)
    {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String percent(double fraction)
    {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    private static void throwIfAny(List<Problem> problems)
    {
        if (problems.isEmpty()) {
            return;
        }
        boolean structural = problems.stream().anyMatch(Problem::structural);
        List<FieldError> errors = problems.stream().map(p -> new FieldError(p.field(), p.message())).toList();
        String summary = errors.size() == 1
                ? "cluster spec is invalid: " + errors.get(0).field() + ": " + errors.get(0).message()
                : "cluster spec is invalid: " + errors.size() + " problems";
        throw new InvalidInputException(summary, errors, !structural);
    }

    /** One problem: {@code structural} problems make the whole answer 400, otherwise 422. */
    public record Problem(String field, String message, boolean structural)
    {
        public Problem
        {
            requireNonNull(field, "field is null");
            requireNonNull(message, "message is null");
        }
    }

    static final class Problems
    {
        private final List<Problem> problems = new ArrayList<>();

        void structural(String field, String message)
        {
            problems.add(new Problem(field, message, true));
        }

        void consistency(String field, String message)
        {
            problems.add(new Problem(field, message, false));
        }

        List<Problem> sorted()
        {
            List<Problem> result = new ArrayList<>(problems.stream().filter(Problem::structural).toList());
            result.addAll(problems.stream().filter(p -> !p.structural()).toList());
            return List.copyOf(result);
        }
    }
}
