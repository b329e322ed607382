package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.Failures;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Cluster records, catalogs, operations and events in the KV store, as JSON. Cluster records and
 * catalogs change only by compare-and-set, so two writers never silently overwrite each other.
 * Keys (under {@code consul.kv-prefix}): {@code clusters/<name>}, {@code catalogs/<name>},
 * {@code operations/<id>}, {@code events/<cluster>/<millis>-<sequence>-<unique>}.
 */
public final class ClusterRepository
{
    private static final AtomicLong EVENT_SEQUENCE = new AtomicLong();
    private static final String SCALE_IN = "scale-in/";

    /** Told of every cluster record this repository wrote: the record as written, or empty once deleted. */
    @FunctionalInterface
    public interface ClusterWrites
    {
        void written(String name, Optional<ClusterRecord> record);
    }

    private final KvStore kv;
    private final List<ClusterWrites> writes = new CopyOnWriteArrayList<>();

    public ClusterRepository(KvStore kv)
    {
        this.kv = requireNonNull(kv, "kv is null");
    }

    /** Tells {@code listener} of every cluster record write that succeeded from now on (the read model's read-your-writes). */
    public void onClusterWritten(ClusterWrites listener)
    {
        writes.add(requireNonNull(listener, "listener is null"));
    }

    public CompletionStage<Optional<Versioned<ClusterRecord>>> cluster(String name)
    {
        return kv.get("clusters/" + name).thenApply(entry -> entry.map(e -> new Versioned<>(read(e.value(), ClusterRecord.class), e.modifyIndex())));
    }

    public CompletionStage<List<ClusterRecord>> clusters()
    {
        return kv.list("clusters/").thenApply(entries -> entries.stream().map(e -> read(e.value(), ClusterRecord.class)).toList());
    }

    /**
     * The cluster records, answered once one changed after {@code index} (0: at once) or when
     * {@code wait} has passed, with the index for the next call (see {@link KvStore#watch}).
     */
    public CompletionStage<Listing<ClusterRecord>> watchClusters(long index, Duration wait)
    {
        return kv.watch("clusters/", index, wait).thenApply(listing -> new Listing<>(
                listing.entries().stream().map(e -> read(e.value(), ClusterRecord.class)).toList(), listing.index()));
    }

    public CompletionStage<Void> createCluster(ClusterRecord record)
    {
        return tell(alreadyExists(kv.compareAndSet("clusters/" + record.name(), write(record), 0), "Cluster '" + record.name() + "' already exists"), record.name(), Optional.of(record));
    }

    /** Writes the record if it is still at {@code index}; a concurrent change is a 409. */
    public CompletionStage<Void> updateCluster(ClusterRecord record, long index)
    {
        return tell(kv.compareAndSet("clusters/" + record.name(), write(record), index), record.name(), Optional.of(record));
    }

    public CompletionStage<Void> deleteCluster(String name)
    {
        return tell(kv.delete("clusters/" + name), name, Optional.empty());
    }

    private CompletionStage<Void> tell(CompletionStage<Void> write, String name, Optional<ClusterRecord> record)
    {
        return write.thenRun(() -> writes.forEach(listener -> listener.written(name, record)));
    }

    public CompletionStage<Optional<Versioned<CatalogDefinition>>> catalog(String name)
    {
        return kv.get("catalogs/" + name).thenApply(entry -> entry.map(e -> new Versioned<>(read(e.value(), CatalogDefinition.class), e.modifyIndex())));
    }

    public CompletionStage<List<CatalogDefinition>> catalogs()
    {
        return kv.list("catalogs/").thenApply(entries -> entries.stream().map(e -> read(e.value(), CatalogDefinition.class)).toList());
    }

    public CompletionStage<Void> createCatalog(CatalogDefinition catalog)
    {
        return alreadyExists(kv.compareAndSet("catalogs/" + catalog.name(), write(catalog), 0), "Catalog '" + catalog.name() + "' already exists");
    }

    public CompletionStage<Void> updateCatalog(CatalogDefinition catalog, long index)
    {
        return kv.compareAndSet("catalogs/" + catalog.name(), write(catalog), index);
    }

    public CompletionStage<Void> deleteCatalog(String name, long index)
    {
        return kv.deleteIfUnchanged("catalogs/" + name, index);
    }

    public CompletionStage<Optional<Operation>> operation(String id)
    {
        return kv.get("operations/" + id).thenApply(entry -> entry.map(e -> read(e.value(), Operation.class)));
    }

    public CompletionStage<List<Operation>> operations()
    {
        return kv.list("operations/").thenApply(entries -> entries.stream().map(e -> read(e.value(), Operation.class)).toList());
    }

    public CompletionStage<Void> saveOperation(Operation operation)
    {
        return kv.put("operations/" + operation.id(), write(operation));
    }

    /**
     * Records {@code decision} for scale-in operation {@code operationId} unless one is recorded
     * already (create-only, so the first writer wins); true when this call's decision is the one
     * recorded.
     */
    public CompletionStage<Boolean> decideScaleIn(String operationId, ScaleInDecision decision)
    {
        return decideScaleIn(operationId, decision, 0);
    }

    /**
     * Records {@code decision} only if the scale-in's decision is still at {@code expectedIndex}
     * (0: none yet); false when it changed meanwhile.
     */
    public CompletionStage<Boolean> decideScaleIn(String operationId, ScaleInDecision decision, long expectedIndex)
    {
        return kv.compareAndSet(SCALE_IN + operationId, write(decision), expectedIndex).handle((ignored, failure) -> {
            if (failure == null) {
                return true;
            }
            if (Failures.unwrap(failure) instanceof ConflictException) {
                return false;
            }
            throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
        });
    }

    public CompletionStage<Optional<ScaleInDecision>> scaleInDecision(String operationId)
    {
        return kv.get(SCALE_IN + operationId).thenApply(entry -> entry.map(e -> read(e.value(), ScaleInDecision.class)));
    }

    /** The scale-in's decision with its index, for {@link #decideScaleIn(String, ScaleInDecision, long)}. */
    public CompletionStage<Optional<Versioned<ScaleInDecision>>> versionedScaleInDecision(String operationId)
    {
        return kv.get(SCALE_IN + operationId).thenApply(entry -> entry.map(e -> new Versioned<>(read(e.value(), ScaleInDecision.class), e.modifyIndex())));
    }

    /** Drops a finished scale-in's decision. */
    public CompletionStage<Void> forgetScaleIn(String operationId)
    {
        return kv.delete(SCALE_IN + operationId);
    }

    public CompletionStage<Void> appendEvent(ClusterEvent event)
    {
        // Keys sort as the timeline reads: by time, then, within a millisecond, in the order this
        // process appended them (a random suffix alone shuffled same-millisecond events).
        String key = String.format("events/%s/%013d-%012d-%s", event.cluster(), event.at().toEpochMilli(), EVENT_SEQUENCE.incrementAndGet(), UUID.randomUUID().toString().substring(0, 8));
        return kv.put(key, write(event));
    }

    /** The cluster's timeline, oldest first. */
    public CompletionStage<List<ClusterEvent>> events(String cluster)
    {
        return kv.list("events/" + cluster + "/").thenApply(entries -> {
            List<ClusterEvent> events = new ArrayList<>();
            for (KvEntry entry : entries) {
                events.add(read(entry.value(), ClusterEvent.class));
            }
            return List.copyOf(events);
        });
    }

    public CompletionStage<Void> deleteEvents(String cluster)
    {
        return kv.list("events/" + cluster + "/").thenCompose(entries -> {
            CompletionStage<Void> chain = java.util.concurrent.CompletableFuture.completedFuture(null);
            for (KvEntry entry : entries) {
                chain = chain.thenCompose(ignored -> kv.delete(entry.key()));
            }
            return chain;
        });
    }

    /** Values read by a watch, and the index to hand to the next one. */
    public record Listing<T>(List<T> values, long index)
    {
        public Listing
        {
            values = List.copyOf(requireNonNull(values, "values is null"));
        }
    }

    private static CompletionStage<Void> alreadyExists(CompletionStage<Void> write, String message)
    {
        return write.exceptionally(failure -> {
            if (Failures.unwrap(failure) instanceof ConflictException) {
                throw new ConflictException(message);
            }
            throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
        });
    }

    static String write(Object value)
    {
        try {
            return ClusterJson.MAPPER.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String json, Class<T> type)
    {
        try {
            return ClusterJson.MAPPER.readValue(json, type);
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
