package io.prestoorchestrator.sim.consul.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Consul's route table, matched like Go's ServeMux: exact paths, and subtree patterns ending in "/"
 * where the longest pattern wins. Each route declares its methods (405 otherwise).
 */
final class Routes
{
    private final List<Route> routes = new ArrayList<>();

    void exact(String path, List<String> methods, Endpoint endpoint)
    {
        routes.add(new Route(path, false, methods, endpoint));
    }

    void subtree(String prefix, List<String> methods, Endpoint endpoint)
    {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("subtree pattern must end with /: " + prefix);
        }
        routes.add(new Route(prefix, true, methods, endpoint));
    }

    Optional<Route> match(String path)
    {
        return routes.stream()
                .filter(route -> route.subtree() ? path.startsWith(route.pattern()) : path.equals(route.pattern()))
                .max(Comparator.comparingInt(route -> route.pattern().length()));
    }

    /**
     * A path that names a subtree without its trailing slash, which Go's ServeMux redirects.
     */
    boolean isSubtreeWithoutSlash(String path)
    {
        return routes.stream().anyMatch(route -> route.subtree() && route.pattern().equals(path + "/"));
    }

    record Route(String pattern, boolean subtree, List<String> methods, Endpoint endpoint)
    {
        Route
        {
            requireNonNull(pattern, "pattern is null");
            methods = List.copyOf(requireNonNull(methods, "methods is null"));
            requireNonNull(endpoint, "endpoint is null");
        }

        String suffix(String path)
        {
            return subtree ? path.substring(pattern.length()) : "";
        }
    }
}
