package io.prestoorchestrator.sim.consul.http;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which endpoints clients called, for tests and diagnostics: each distinct
 * "METHOD /route{suffix}?param&names" once, and every call to a path the simulator does not know.
 */
public final class RequestJournal
{
    private static final int MAX_UNKNOWN = 1000;

    private final Set<String> endpoints = new ConcurrentSkipListSet<>();
    private final List<String> unknown = new CopyOnWriteArrayList<>();

    void recordKnown(String method, Routes.Route route, Iterable<String> paramNames)
    {
        Set<String> names = new TreeSet<>();
        paramNames.forEach(names::add);
        String path = route.pattern() + (route.subtree() ? "{suffix}" : "");
        endpoints.add(method + " " + path + (names.isEmpty() ? "" : "?" + String.join("&", names)));
    }

    void recordUnknown(String method, String path)
    {
        if (unknown.size() < MAX_UNKNOWN) {
            unknown.add(method + " " + path);
        }
    }

    /**
     * Distinct endpoints called, e.g. {@code GET /v1/health/service/{suffix}?tag}.
     */
    public Set<String> endpoints()
    {
        return Set.copyOf(endpoints);
    }

    /**
     * Calls to paths that are not simulated (each also logged at WARN).
     */
    public List<String> unknownCalls()
    {
        return List.copyOf(unknown);
    }
}
