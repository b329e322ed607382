package io.prestoorchestrator.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.prestoorchestrator.cluster.ClusterView;

import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The body of {@code GET /v1/clusters/{name}} per cluster, kept with the view it encodes: a view
 * equal to the cluster's last one is answered with the same text, and any other is encoded anew.
 * The status read model and the autoscaling collector change a cluster's view at most once per
 * poll, and the route is read far more often than that: in the scale benchmark's profile (issue
 * 23) turning the record and status into JSON on every request was a sixth of the route's time.
 * Equality is the records' own, field by field, so a view that differs in anything, its status's
 * {@code observedAt} included, is never answered with an older body.
 */
final class EncodedViews
{
    /** Clusters whose last body is kept (issue 23's scale target is 1,000). */
    static final int MAXIMUM_CLUSTERS = 10_000;

    private final Function<ClusterView, String> encoder;
    private final Cache<String, Encoded> last = Caffeine.newBuilder().maximumSize(MAXIMUM_CLUSTERS).build();

    EncodedViews(Function<ClusterView, String> encoder)
    {
        this.encoder = requireNonNull(encoder, "encoder is null");
    }

    /** {@code view} as the route answers it. */
    String json(ClusterView view)
    {
        requireNonNull(view, "view is null");
        Encoded kept = last.getIfPresent(view.record().name());
        if (kept != null && kept.view().equals(view)) {
            return kept.json();
        }
        String json = requireNonNull(encoder.apply(view), "encoder returned null");
        last.put(view.record().name(), new Encoded(view, json));
        return json;
    }

    private record Encoded(ClusterView view, String json)
    {
        private Encoded
        {
            requireNonNull(view, "view is null");
            requireNonNull(json, "json is null");
        }
    }
}
