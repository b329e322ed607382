package io.prestoorchestrator.sim.consul.http;

import io.prestoorchestrator.sim.consul.acl.Authorizer;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Access;
import io.prestoorchestrator.sim.consul.acl.Authorizer.Resource;
import io.prestoorchestrator.sim.consul.blocking.QueryResult;
import io.prestoorchestrator.sim.consul.state.KvEntry;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.prestoorchestrator.sim.consul.state.Topics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * /v1/kv/:key with recurse, keys (+separator), raw, flags, cas, acquire and release.
 */
final class KvEndpoints
{
    static final int MAX_VALUE_SIZE = 512 * 1024;

    private final StateStore store;
    private final BlockingReads reads;

    KvEndpoints(StateStore store, BlockingReads reads)
    {
        this.store = requireNonNull(store, "store is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    void register(Routes routes)
    {
        routes.subtree("/v1/kv/", List.of("GET", "PUT", "DELETE"), this::handle);
    }

    private void handle(Call call)
    {
        switch (call.method()) {
            case "GET" -> {
                if (call.hasParam("keys")) {
                    keys(call);
                }
                else {
                    get(call);
                }
            }
            case "PUT" -> put(call);
            default -> delete(call);
        }
    }

    private void get(Call call)
    {
        String key = call.suffix();
        if (call.hasParam("recurse")) {
            reads.read(call, changes -> changes.touchesPrefix(Topics.kvKey(key)), authorizer -> store.read(() -> {
                List<KvEntry> entries = store.kvList(key).stream()
                        .filter(entry -> authorizer.canRead(Resource.KEY, entry.key()))
                        .toList();
                long index = store.kvPrefixIndex(key);
                if (entries.isEmpty()) {
                    return QueryResult.notFound(index);
                }
                JsonArray json = new JsonArray();
                entries.forEach(entry -> json.add(Render.kvEntry(entry)));
                return QueryResult.ok(index, json);
            }));
            return;
        }
        requireKey(key);
        boolean raw = call.hasParam("raw");
        reads.read(call, changes -> changes.touches(Topics.kvKey(key)), authorizer -> {
            authorizer.require(Resource.KEY, Access.READ, key);
            return store.read(() -> {
                long index = store.topicIndex(Topics.KV);
                Optional<KvEntry> entry = store.kvGet(key);
                if (entry.isEmpty()) {
                    return QueryResult.notFound(index);
                }
                if (raw) {
                    return new QueryResult(200, index, new RawValue(entry.get().value().orElse(new byte[0])), Map.of());
                }
                return QueryResult.ok(index, new JsonArray().add(Render.kvEntry(entry.get())));
            });
        });
    }

    private void keys(Call call)
    {
        String prefix = call.suffix();
        Optional<String> separator = call.param("separator");
        reads.read(call, changes -> changes.touchesPrefix(Topics.kvKey(prefix)), authorizer -> store.read(() -> {
            Set<String> keys = new LinkedHashSet<>();
            for (KvEntry entry : store.kvList(prefix)) {
                if (!authorizer.canRead(Resource.KEY, entry.key())) {
                    continue;
                }
                String key = entry.key();
                if (separator.isPresent()) {
                    int at = key.indexOf(separator.get(), prefix.length());
                    if (at >= 0) {
                        key = key.substring(0, at + separator.get().length());
                    }
                }
                keys.add(key);
            }
            long index = store.kvPrefixIndex(prefix);
            if (keys.isEmpty()) {
                return QueryResult.notFound(index);
            }
            return QueryResult.ok(index, new JsonArray(new ArrayList<>(keys)));
        }));
    }

    private void put(Call call)
    {
        String key = call.suffix();
        reads.checkDatacenter(call);
        requireKey(key);
        refuseConflictingFlags(call, "cas", "acquire", "release");
        long flags = unsignedParam(call, "flags", "Invalid flags");
        if (call.body().length() > MAX_VALUE_SIZE) {
            throw new ConsulHttpException(413, "Request body(" + call.body().length() + " bytes) too large, max size: " + MAX_VALUE_SIZE
                    + " bytes. See https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size.");
        }
        Optional<byte[]> value = call.body().length() == 0 ? Optional.empty() : Optional.of(call.body().getBytes());
        Authorizer authorizer = call.authorizer();
        authorizer.require(Resource.KEY, Access.WRITE, key);
        boolean result;
        if (call.hasParam("cas")) {
            result = store.kvCas(key, value, flags, unsignedParam(call, "cas", "Invalid cas index"));
        }
        else if (call.hasParam("acquire")) {
            result = store.kvAcquire(key, value, flags, call.params().get("acquire"));
        }
        else if (call.hasParam("release")) {
            result = store.kvRelease(key, value, flags, call.params().get("release"));
        }
        else {
            result = store.kvSet(key, value, flags);
        }
        call.respondJson(result);
    }

    private void delete(Call call)
    {
        String key = call.suffix();
        reads.checkDatacenter(call);
        refuseConflictingFlags(call, "recurse", "cas");
        Authorizer authorizer = call.authorizer();
        if (call.hasParam("recurse")) {
            authorizer.require(Resource.KEY, Access.WRITE, key);
            store.kvDeleteTree(key);
            call.respondJson(true);
            return;
        }
        requireKey(key);
        authorizer.require(Resource.KEY, Access.WRITE, key);
        if (call.hasParam("cas")) {
            call.respondJson(store.kvDeleteCas(key, unsignedParam(call, "cas", "Invalid cas index")));
            return;
        }
        store.kvDelete(key);
        call.respondJson(true);
    }

    private static void requireKey(String key)
    {
        if (key.isEmpty()) {
            throw ConsulHttpException.badRequest("Missing key name");
        }
    }

    private static void refuseConflictingFlags(Call call, String... flags)
    {
        boolean found = false;
        for (String flag : flags) {
            if (call.hasParam(flag)) {
                if (found) {
                    throw ConsulHttpException.badRequest("Conflicting flags: " + call.request().query());
                }
                found = true;
            }
        }
    }

    private static long unsignedParam(Call call, String name, String error)
    {
        if (!call.hasParam(name)) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(call.params().get(name));
        }
        catch (NumberFormatException e) {
            throw ConsulHttpException.badRequest(error);
        }
    }

    /**
     * The body of ?raw: the value bytes themselves, not JSON.
     */
    record RawValue(byte[] bytes)
    {
        RawValue
        {
            bytes = bytes.clone();
        }

        void writeTo(HttpServerResponse response)
        {
            response.putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .end(Buffer.buffer(bytes));
        }
    }
}
