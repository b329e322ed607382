package io.prestoorchestrator.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 18's benchmark: per operation on a running cluster of the local stack ({@code scripts/run-local.sh}),
 * over several runs, the queries that failed (target 0), the seconds the public URL did not answer (target 0),
 * the extra worker-seconds the operation used, and its duration; min/median/max. The load, through Traefik on
 * the cluster's public host (Traefik as the HTTP proxy, as the Trino CLI reaches it): a short query every
 * 0.5 s, one TPC-H Q1 on sf1 at the start of each run, and a probe of the public URL every 0.5 s.
 * Operations: {@code restart} with the cluster's rollout as it is (blue-green by default), and
 * {@code in-place-restart} (the rollout set to in-place for the run, then set back): the control.
 * Run by {@code scripts/bench-zero-downtime.sh}; figures: docs/zero-downtime.md.
 */
public final class ZeroDowntimeBenchmark
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHORT = "SELECT count(*) FROM tpch.tiny.lineitem";
    /** TPC-H Q1 with the tpch connector's default (simple) column names, as the local stack's tpch catalog has them. */
    private static final String Q1 = """
            SELECT returnflag, linestatus, sum(quantity), sum(extendedprice), sum(extendedprice * (1 - discount)),
                   sum(extendedprice * (1 - discount) * (1 + tax)), avg(quantity), avg(extendedprice), avg(discount), count(*)
            FROM tpch.sf1.lineitem WHERE shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
            GROUP BY returnflag, linestatus ORDER BY returnflag, linestatus""";
    private static final Pattern WORKER_SECONDS = Pattern.compile("about (\\d+) extra worker-seconds");

    private final HttpClient api = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient viaTraefik;
    private final String orchestrator;
    private final String token;
    private final String cluster;
    private final String publicUrl;

    private ZeroDowntimeBenchmark(String orchestrator, String token, URI traefik, String cluster)
            throws IOException, InterruptedException
    {
        this.orchestrator = orchestrator;
        this.token = token;
        this.cluster = cluster;
        this.viaTraefik = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .proxy(ProxySelector.of(new InetSocketAddress(traefik.getHost(), traefik.getPort()))).build();
        JsonNode status = call("GET", "/v1/clusters/" + cluster, null).path("status");
        this.publicUrl = status.path("routing").path("url").asText("");
        if (publicUrl.isEmpty()) {
            throw new IllegalStateException("cluster " + cluster + " has no public URL: is it running? " + status);
        }
    }

    public static void main(String[] args)
            throws Exception
    {
        Map<String, String> env = System.getenv();
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String cluster = args.length > 1 ? args[1] : "demo";
        ZeroDowntimeBenchmark benchmark = new ZeroDowntimeBenchmark(require(env, "ORCHESTRATOR_URL"), require(env, "ORCHESTRATOR_TOKEN"),
                URI.create(require(env, "TRAEFIK_URL")), cluster);
        List<Run> blueGreen = new ArrayList<>();
        List<Run> inPlace = new ArrayList<>();
        String rollout = benchmark.call("GET", "/v1/clusters/" + cluster, null).path("spec").path("rollout").asText("blue-green");
        System.out.printf("zero-downtime benchmark: cluster %s at %s (rollout %s), %d run(s) per operation%n", cluster, benchmark.publicUrl, rollout, runs);
        for (int i = 1; i <= runs; i++) {
            blueGreen.add(benchmark.run("restart", i));
        }
        benchmark.setRollout("in-place");
        try {
            for (int i = 1; i <= runs; i++) {
                inPlace.add(benchmark.run("in-place-restart", i));
            }
        }
        finally {
            benchmark.setRollout(rollout);
        }
        System.out.println();
        System.out.println("| operation | runs | failed queries (of) | seconds not answered | extra worker-seconds | duration s |");
        System.out.println("|---|---|---|---|---|---|");
        for (List<Run> result : List.of(blueGreen, inPlace)) {
            System.out.printf(Locale.ROOT, "| %s | %d | %s (%s) | %s | %s | %s |%n", result.get(0).operation(), result.size(),
                    spread(result.stream().mapToDouble(Run::failed).toArray(), 0), spread(result.stream().mapToDouble(Run::queries).toArray(), 0),
                    spread(result.stream().mapToDouble(Run::unansweredSeconds).toArray(), 1), spread(result.stream().mapToDouble(Run::extraWorkerSeconds).toArray(), 0),
                    spread(result.stream().mapToDouble(Run::seconds).toArray(), 1));
        }
        System.out.println("(min / median / max)");
    }

    private record Run(String operation, int queries, int failed, double unansweredSeconds, double extraWorkerSeconds, double seconds) {}

    private Run run(String operation, int index)
            throws Exception
    {
        for (int i = 0; i < 3; i++) {
            query(SHORT);
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Optional<String>> outcomes = new CopyOnWriteArrayList<>();
        List<Boolean> answered = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> shorts = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                outcomes.add(query(SHORT));
                sleep(500);
            }
        });
        CompletableFuture<Void> probes = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                answered.add(answers());
                sleep(500);
            }
        });
        CompletableFuture<Optional<String>> q1 = CompletableFuture.supplyAsync(() -> query(Q1));
        sleep(3_000);
        Instant requested = Instant.now();
        JsonNode accepted = call("POST", "/v1/clusters/" + cluster + "/restart", null);
        String id = accepted.path("id").asText();
        JsonNode ended;
        while (true) {
            ended = call("GET", "/v1/operations/" + id, null);
            String state = ended.path("state").asText();
            if (!state.equals("RUNNING") && !state.equals("PENDING")) {
                break;
            }
            sleep(1_000);
        }
        double seconds = Duration.between(requested, Instant.now()).toMillis() / 1000.0;
        sleep(3_000);
        stop.set(true);
        shorts.get();
        probes.get();
        outcomes.add(q1.get());
        if (!ended.path("state").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException(operation + " run " + index + " ended " + ended.path("state") + ": " + ended.path("error"));
        }
        double extra = 0;
        for (JsonNode event : call("GET", "/v1/clusters/" + cluster + "/events", null).path("events")) {
            if (Instant.parse(event.path("at").asText()).isAfter(requested) && event.path("type").asText().equals("old-side-stopped")) {
                Matcher matcher = WORKER_SECONDS.matcher(event.path("message").asText());
                if (matcher.find()) {
                    extra = Double.parseDouble(matcher.group(1));
                }
            }
        }
        int failed = (int) outcomes.stream().filter(Optional::isPresent).count();
        double unanswered = answered.stream().filter(ok -> !ok).count() * 0.5;
        System.out.printf(Locale.ROOT, "%s run %d: %.1f s, %d of %d queries failed, %.1f s not answered, %.0f extra worker-seconds%s%n", operation, index, seconds,
                failed, outcomes.size(), unanswered, extra, outcomes.stream().flatMap(Optional::stream).findFirst().map(error -> "; first failure: " + error).orElse(""));
        return new Run(operation, outcomes.size(), failed, unanswered, extra, seconds);
    }

    private void setRollout(String rollout)
            throws IOException, InterruptedException
    {
        JsonNode accepted = call("PATCH", "/v1/clusters/" + cluster, "{\"rollout\":\"" + rollout + "\"}");
        if (accepted.has("id")) {
            String id = accepted.path("id").asText();
            while (List.of("RUNNING", "PENDING").contains(call("GET", "/v1/operations/" + id, null).path("state").asText())) {
                sleep(1_000);
            }
        }
    }

    /** A query through Traefik on the public host: empty when it finished, else what failed. */
    private Optional<String> query(String sql)
    {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(publicUrl + "/v1/statement")).header("X-Trino-User", "zero-downtime-bench")
                    .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(sql)).build();
            int busy = 0;
            while (true) {
                HttpResponse<String> response = viaTraefik.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 503 && busy++ < 10) {
                    // Trino's protocol: try the same request again
                    sleep(100);
                    continue;
                }
                if (response.statusCode() != 200) {
                    return Optional.of("HTTP " + response.statusCode());
                }
                JsonNode body = JSON.readTree(response.body());
                if (body.has("error")) {
                    return Optional.of(body.path("error").path("errorName").asText() + ": " + body.path("error").path("message").asText());
                }
                if (!body.hasNonNull("nextUri")) {
                    return Optional.empty();
                }
                busy = 0;
                request = HttpRequest.newBuilder(URI.create(body.path("nextUri").asText())).header("X-Trino-User", "zero-downtime-bench")
                        .timeout(Duration.ofMinutes(5)).build();
            }
        }
        catch (IOException e) {
            return Optional.of("protocol: " + e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private boolean answers()
    {
        try {
            return viaTraefik.send(HttpRequest.newBuilder(URI.create(publicUrl + "/v1/info")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode call(String method, String path, String body)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(orchestrator + path)).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = api.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String spread(double[] values, int decimals)
    {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        String format = "%." + decimals + "f";
        return String.format(Locale.ROOT, format + " / " + format + " / " + format, sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    private static String require(Map<String, String> env, String name)
    {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: start the local stack (scripts/run-local.sh) and source .local/env");
        }
        return value;
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
