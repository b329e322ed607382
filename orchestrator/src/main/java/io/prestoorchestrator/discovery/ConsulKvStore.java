package io.prestoorchestrator.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.http.DependencyHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static io.prestoorchestrator.discovery.KvKeys.checkIndex;
import static io.prestoorchestrator.discovery.KvKeys.checkKey;
import static io.prestoorchestrator.discovery.KvKeys.checkPrefix;
import static java.util.Objects.requireNonNull;

/**
 * {@link KvStore} on Consul's KV HTTP API (Consul 1.15+): {@code GET /v1/kv/:key} (404 = missing;
 * a JSON array of entries with base64 {@code Value} and {@code ModifyIndex}), {@code ?recurse} for a
 * prefix, {@code PUT} answering {@code true}/{@code false}, {@code ?cas=N} (0 = create only) on PUT
 * and DELETE. Every key lives under {@code consul.kv-prefix}.
 */
public final class ConsulKvStore
        implements KvStore
{
    private static final Set<Integer> NOT_FOUND_IS_ANSWER = Set.of(404);

    private final DependencyHttp consul;
    private final String rootPrefix;

    /**
     * @param consul transport to Consul ({@link DependencyHttp#consul})
     * @param rootPrefix {@code consul.kv-prefix}: no leading or trailing '/'
     */
    public ConsulKvStore(DependencyHttp consul, String rootPrefix)
    {
        this.consul = requireNonNull(consul, "consul is null");
        this.rootPrefix = checkKey(requireNonNull(rootPrefix, "rootPrefix is null"));
    }

    @Override
    public CompletionStage<Optional<KvEntry>> get(String key)
    {
        checkKey(key);
        return consul.send(request(HttpMethod.GET, key), Optional.empty(), NOT_FOUND_IS_ANSWER)
                .map(response -> response.statusCode() == 404 ? Optional.<KvEntry>empty() : entries(response).stream().findFirst())
                .toCompletionStage();
    }

    @Override
    public CompletionStage<List<KvEntry>> list(String prefix)
    {
        checkPrefix(prefix);
        HttpRequest<Buffer> request = consul.request(HttpMethod.GET, "/v1/kv/" + encodePath(rootPrefix + "/" + prefix));
        request.addQueryParam("recurse", "true");
        return consul.send(request, Optional.empty(), NOT_FOUND_IS_ANSWER)
                .map(response -> response.statusCode() == 404 ? List.<KvEntry>of() : entries(response))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<KvListing> watch(String prefix, long index, Duration wait)
    {
        checkPrefix(prefix);
        checkIndex(index);
        requireNonNull(wait, "wait is null");
        HttpRequest<Buffer> request = consul.request(HttpMethod.GET, "/v1/kv/" + encodePath(rootPrefix + "/" + prefix));
        request.addQueryParam("recurse", "true");
        consul.blocking(request, index, wait);
        return consul.send(request, Optional.empty(), NOT_FOUND_IS_ANSWER)
                .map(response -> {
                    List<KvEntry> found = response.statusCode() == 404 ? List.of() : entries(response);
                    OptionalLong next = DependencyHttp.index(response, "X-Consul-Index");
                    // Consul's rule: an index that is missing, not positive or going backwards (a restored snapshot) restarts the watch from 0
                    return new KvListing(found, next.isEmpty() || next.getAsLong() <= 0 || next.getAsLong() < index ? 0 : next.getAsLong());
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> put(String key, String value)
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        return write(request(HttpMethod.PUT, key), Optional.of(value))
                .compose(written -> written
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new DependencyException(consul.dependency(), "Consul refused to write key '" + absolute(key) + "' without saying why", false, null)))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> compareAndSet(String key, String value, long expectedModifyIndex)
    {
        checkKey(key);
        requireNonNull(value, "value is null");
        checkIndex(expectedModifyIndex);
        HttpRequest<Buffer> request = request(HttpMethod.PUT, key);
        request.addQueryParam("cas", Long.toString(expectedModifyIndex));
        return write(request, Optional.of(value))
                .compose(written -> written ? Future.<Void>succeededFuture() : Future.failedFuture(conflict(key, expectedModifyIndex)))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> delete(String key)
    {
        checkKey(key);
        return write(request(HttpMethod.DELETE, key), Optional.empty())
                .<Void>mapEmpty()
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> deleteIfUnchanged(String key, long expectedModifyIndex)
    {
        checkKey(key);
        checkIndex(expectedModifyIndex);
        HttpRequest<Buffer> request = request(HttpMethod.DELETE, key);
        request.addQueryParam("cas", Long.toString(expectedModifyIndex));
        return write(request, Optional.empty())
                .compose(deleted -> deleted ? Future.<Void>succeededFuture() : Future.failedFuture(conflict(key, expectedModifyIndex)))
                .toCompletionStage();
    }

    private HttpRequest<Buffer> request(HttpMethod method, String key)
    {
        return consul.request(method, "/v1/kv/" + encodePath(absolute(key)));
    }

    private String absolute(String key)
    {
        return rootPrefix + "/" + key;
    }

    /** PUT and DELETE answer a JSON boolean: whether the write happened. */
    private Future<Boolean> write(HttpRequest<Buffer> request, Optional<String> value)
    {
        Future<HttpResponse<Buffer>> sent = value.isPresent()
                ? consul.sendBuffer(request, Buffer.buffer(value.get().getBytes(StandardCharsets.UTF_8)), Set.of())
                : consul.send(request, Optional.empty(), Set.of());
        return sent.map(this::writeResult);
    }

    private boolean writeResult(HttpResponse<Buffer> response)
    {
        JsonNode body = consul.json(response);
        if (!body.isBoolean()) {
            throw new DependencyException(consul.dependency(), "Consul answered a KV write with " + DependencyHttp.abbreviate(body.toString()) + " instead of true/false", false, null);
        }
        return body.booleanValue();
    }

    private List<KvEntry> entries(HttpResponse<Buffer> response)
    {
        JsonNode body = consul.json(response);
        if (!body.isArray()) {
            throw new DependencyException(consul.dependency(), "Consul answered a KV read with something that is not a list of entries", false, null);
        }
        List<KvEntry> entries = new ArrayList<>();
        for (JsonNode entry : body) {
            String key = entry.path("Key").asText("");
            if (!key.startsWith(rootPrefix + "/") || key.endsWith("/")) {
                continue; // the prefix itself, or a folder marker
            }
            JsonNode value = entry.get("Value");
            String text = value == null || value.isNull() ? "" : new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
            entries.add(new KvEntry(key.substring(rootPrefix.length() + 1), text, entry.path("ModifyIndex").asLong()));
        }
        entries.sort(Comparator.comparing(KvEntry::key));
        return List.copyOf(entries);
    }

    private ConflictException conflict(String key, long expectedModifyIndex)
    {
        return new ConflictException(expectedModifyIndex == 0
                ? "key '" + key + "' already exists (compare-and-set create refused by Consul)"
                : "key '" + key + "' was changed concurrently: it is no longer at index " + expectedModifyIndex + " (compare-and-set refused by Consul); read it again and retry");
    }

    /** Encodes each path segment, keeping the '/' separators. */
    static String encodePath(String path)
    {
        StringBuilder out = new StringBuilder();
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segments[i], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
