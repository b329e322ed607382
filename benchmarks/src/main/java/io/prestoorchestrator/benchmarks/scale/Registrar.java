package io.prestoorchestrator.benchmarks.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.cluster.ClusterDocuments;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * Registers a cluster the way the orchestrator's deploy leaves it, without running Trino: the
 * cluster record under {@code <kv-prefix>/clusters/<name>} in Consul KV (state RUNNING, the job's
 * modify index), the job {@code trino-<name>} in Nomad (its coordinator and workers groups at
 * count 0: Nomad keeps the job, evaluates it, and places nothing), and the two Consul services
 * Nomad would register for its allocations, pointing at a {@link FakeCoordinators} port: the
 * unrouted {@code trino-<name>-coordinator} (tag {@code coordinator}, meta {@code cluster} and
 * {@code role}) and the routed {@code trino-<name>} whose readiness gate passes.
 */
final class Registrar
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final URI consul;
    private final URI nomad;
    private final String kvPrefix;

    Registrar(URI consul, URI nomad, String kvPrefix)
    {
        this.consul = requireNonNull(consul, "consul is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.kvPrefix = requireNonNull(kvPrefix, "kvPrefix is null");
    }

    static String name(int cluster)
    {
        return "bench-%04d".formatted(cluster + 1);
    }

    /** Registers cluster 0..count-1, {@code parallelism} at a time. */
    void registerAll(FakeCoordinators coordinators, int parallelism)
            throws Exception
    {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < coordinators.count(); i++) {
                int cluster = i;
                done.add(pool.submit(() -> {
                    register(name(cluster), coordinators.port(cluster));
                    return null;
                }));
            }
            for (Future<Void> each : done) {
                each.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    private void register(String name, int port)
            throws IOException, InterruptedException
    {
        ClusterSpec spec = ClusterDocuments.create(ClusterDocuments.parseObject("{\"name\": \"%s\", \"workers\": {\"count\": 2, \"min\": 0, \"max\": 8}}".formatted(name)));
        JsonNode registered = JSON.readTree(call("PUT", nomad.resolve("/v1/jobs"), job(spec.jobId(), name)));
        long jobModifyIndex = registered.path("JobModifyIndex").asLong();
        Instant now = Instant.now();
        ClusterRecord record = new ClusterRecord(spec, ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.of(jobModifyIndex), now, now, "scale-benchmark");
        call("PUT", consul.resolve("/v1/kv/" + kvPrefix + "/clusters/" + name), ClusterJson.MAPPER.writeValueAsString(record));
        call("PUT", consul.resolve("/v1/agent/service/register"), """
                {"ID": "%1$s-coordinator", "Name": "%1$s-coordinator", "Address": "127.0.0.1", "Port": %2$d, "Tags": ["coordinator"],
                 "Meta": {"cluster": "%3$s", "role": "coordinator"},
                 "Check": {"CheckID": "%1$s-coordinator-alive", "Name": "coordinator alive", "TTL": "24h", "Status": "passing"}}
                """.formatted(spec.jobId(), port, name));
        call("PUT", consul.resolve("/v1/agent/service/register"), """
                {"ID": "%1$s", "Name": "%1$s", "Address": "127.0.0.1", "Port": %2$d, "Tags": ["coordinator", "traefik.enable=true"],
                 "Meta": {"cluster": "%3$s", "role": "coordinator", "public_url": "http://%3$s.trino.localhost:8000"},
                 "Check": {"CheckID": "%1$s-gate", "Name": "routing readiness gate", "TTL": "24h", "Status": "passing",
                           "Notes": "ready: the coordinator counts 2 active worker(s), 1 required"}}
                """.formatted(spec.jobId(), port, name));
    }

    private static String job(String jobId, String cluster)
    {
        return """
                {"Job": {"ID": "%1$s", "Name": "%1$s", "Type": "service", "Datacenters": ["*"], "Meta": {"cluster": "%2$s", "managed_by": "scale-benchmark"},
                  "TaskGroups": [
                    {"Name": "coordinator", "Count": 0, "Tasks": [{"Name": "trino", "Driver": "raw_exec", "Config": {"command": "/bin/sleep", "args": ["3600"]},
                      "Resources": {"CPU": 100, "MemoryMB": 64}}]},
                    {"Name": "workers", "Count": 0, "Tasks": [{"Name": "trino", "Driver": "raw_exec", "Config": {"command": "/bin/sleep", "args": ["3600"]},
                      "Resources": {"CPU": 100, "MemoryMB": 64}}]}]}}
                """.formatted(jobId, cluster);
    }

    private String call(String method, URI uri, String body)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + uri + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
