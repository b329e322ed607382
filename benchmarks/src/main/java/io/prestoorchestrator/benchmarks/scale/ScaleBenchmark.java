package io.prestoorchestrator.benchmarks.scale;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 23's scale benchmark, one cluster count per run: {@code N} clusters registered as the
 * orchestrator's deploy leaves them ({@link Registrar}) with their coordinators served by one
 * process ({@link FakeCoordinators}), one orchestrator replica reading Nomad and Consul through
 * counting proxies, then: the collector and the process at rest, {@code GET /v1/clusters/{name}}
 * at a fixed rate, a list page at a fixed rate, the API overhead against a bare Vert.x server
 * answering the same JSON at the same concurrency, and a leader failover to a second replica
 * (SIGKILL). Prints the figures, and appends one JSON line of them to the results file.
 * Run by {@code scripts/bench-scale.sh}, which starts Consul and Nomad around it.
 */
public final class ScaleBenchmark
{
    private static final String KV_PREFIX = "presto-orchestrator";
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(5);
    private static final Duration SESSION_TTL = Duration.ofSeconds(15);
    private static final Duration LOCK_DELAY = Duration.ofSeconds(15);
    private static final int GET_RATE = 200;
    private static final int LIST_RATE = 20;
    private static final int OVERHEAD_CONNECTIONS = 4;
    /** The measurements, in the order they run; {@code --phases=} picks some of them. */
    private static final List<String> PHASES = List.of("rest", "get", "list", "overhead", "failover");

    private ScaleBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        Map<String, String> options = options(args);
        int clusters = Integer.parseInt(options.get("clusters"));
        URI consul = URI.create(options.get("consul"));
        URI nomad = URI.create(options.get("nomad"));
        Path jar = Path.of(options.get("jar"));
        Path templates = Path.of(options.get("templates"));
        Path dir = Files.createDirectories(Path.of(options.get("dir")));
        Path results = Path.of(options.get("results"));
        Vegeta vegeta = new Vegeta(Path.of(options.get("vegeta")), dir);
        List<String> jvm = List.of(options.getOrDefault("jvm", "-Xmx768m -XX:+ExitOnOutOfMemoryError").split(" "));
        Duration window = Duration.ofSeconds(Long.parseLong(options.getOrDefault("window-seconds", "30")));
        Set<String> phases = phases(options.getOrDefault("phases", String.join(",", PHASES)));
        // a JFR recording of the orchestrator over the API overhead's attack on it, to read with `jfr print` / `jfr summary`
        Optional<Path> overheadRecording = Optional.ofNullable(options.get("profile-overhead")).map(Path::of);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("clusters", clusters);
        Vertx vertx = Vertx.vertx();
        String token = UUID.randomUUID().toString();
        try (FakeCoordinators coordinators = FakeCoordinators.start(vertx, clusters);
                CountingProxy nomadProxy = CountingProxy.start(vertx, nomad);
                CountingProxy consulProxy = CountingProxy.start(vertx, consul)) {
            long registering = System.nanoTime();
            new Registrar(consul, nomad, KV_PREFIX).registerAll(coordinators, 8);
            say("registered %d clusters in %.1f s (Nomad jobs, Consul services, cluster records)", clusters, (System.nanoTime() - registering) / 1e9);

            Replica leader = Replica.start(dir, "replica-a", jar, jvm, yaml("replica-a", nomadProxy.address(), consulProxy.address(), templates, token), token);
            Replica follower = null;
            try {
                awaitUntil("replica-a leads", Duration.ofSeconds(60), leader::isLeader);
                say("replica-a leads; waiting for the collector to read every coordinator twice");
                awaitUntil("every coordinator read twice", Duration.ofMinutes(3), () -> coordinators.scrapedAtLeast(2) == clusters);
                List<String> getUrls = new ArrayList<>();
                for (int i = 0; i < clusters; i++) {
                    getUrls.add(leader.uri("/v1/clusters/" + Registrar.name(i)).toString());
                }
                // warm the JIT on the routes measured below
                vegeta.atRate(getUrls, token, GET_RATE, Duration.ofSeconds(10));
                vegeta.atRate(List.of(leader.uri("/v1/clusters").toString()), token, LIST_RATE, Duration.ofSeconds(5));

                if (phases.contains("rest")) {
                    // at rest: the collector and the leader's own work only
                    say("at rest for %d s", window.toSeconds());
                    Map<String, Double> roundsBefore = collectorFigures(leader);
                    nomadProxy.reset();
                    consulProxy.reset();
                    double cpuBefore = leader.cpuSeconds();
                    long restStart = System.currentTimeMillis();
                    Thread.sleep(window.toMillis());
                    long restEnd = System.currentTimeMillis();
                    double restSeconds = (restEnd - restStart) / 1000.0;
                    figures.put("cpu_rest_pct", 100 * (leader.cpuSeconds() - cpuBefore) / restSeconds);
                    figures.put("rss_mb", leader.rssMb());
                    figures.put("nomad_rps_per_cluster_rest", nomadProxy.total() / restSeconds / clusters);
                    figures.put("consul_rps_per_cluster_rest", consulProxy.total() / restSeconds / clusters);
                    figures.put("nomad_calls_rest", nomadProxy.counts());
                    figures.put("consul_calls_rest", consulProxy.counts());
                    Map<String, Double> rounds = collectorFigures(leader);
                    figures.put("round_p50_ms", rounds.getOrDefault("p50", Double.NaN) * 1000);
                    figures.put("round_p99_ms", rounds.getOrDefault("p99", Double.NaN) * 1000);
                    figures.put("rounds_skipped", rounds.getOrDefault("skipped", 0.0) - roundsBefore.getOrDefault("skipped", 0.0));
                    // the rounds of the window alone (the quantiles above span Micrometer's 2-minute window, start-up included)
                    double roundsInWindow = rounds.getOrDefault("count", 0.0) - roundsBefore.getOrDefault("count", 0.0);
                    figures.put("rounds_in_window", roundsInWindow);
                    figures.put("round_mean_ms", roundsInWindow == 0 ? Double.NaN : 1000 * (rounds.getOrDefault("sum", 0.0) - roundsBefore.getOrDefault("sum", 0.0)) / roundsInWindow);
                    double[] ages = signalAges(coordinators, restStart, restEnd);
                    figures.put("signal_age_p50_s", percentile(ages, 0.50));
                    figures.put("signal_age_p99_s", percentile(ages, 0.99));
                    figures.put("signal_age_max_s", percentile(ages, 1.0));
                }

                if (phases.contains("get")) {
                    // GET /v1/clusters/{name} at a fixed rate, every cluster in turn
                    say("GET /v1/clusters/{name} at %d/s", GET_RATE);
                    nomadProxy.reset();
                    consulProxy.reset();
                    double cpuBefore = leader.cpuSeconds();
                    long loadStart = System.currentTimeMillis();
                    Vegeta.Result get = vegeta.atRate(getUrls, token, GET_RATE, Duration.ofSeconds(20));
                    double loadSeconds = (System.currentTimeMillis() - loadStart) / 1000.0;
                    figures.put("get_p50_ms", get.p50Ms());
                    figures.put("get_p99_ms", get.p99Ms());
                    figures.put("get_max_ms", get.maxMs());
                    figures.put("get_success", get.successRatio());
                    figures.put("get_throughput", get.throughput());
                    figures.put("cpu_get_pct", 100 * (leader.cpuSeconds() - cpuBefore) / loadSeconds);
                    figures.put("nomad_rps_per_cluster_get", nomadProxy.total() / loadSeconds / clusters);
                    figures.put("consul_rps_per_cluster_get", consulProxy.total() / loadSeconds / clusters);
                    figures.put("nomad_calls_get", nomadProxy.counts());
                    figures.put("consul_calls_get", consulProxy.counts());
                }

                if (phases.contains("list")) {
                    say("GET /v1/clusters (one page) at %d/s", LIST_RATE);
                    Vegeta.Result list = vegeta.atRate(List.of(leader.uri("/v1/clusters").toString()), token, LIST_RATE, Duration.ofSeconds(15));
                    figures.put("list_p50_ms", list.p50Ms());
                    figures.put("list_p99_ms", list.p99Ms());
                    figures.put("list_success", list.successRatio());
                }

                if (phases.contains("overhead")) {
                    // the same JSON from a bare Vert.x server, at the same concurrency
                    say("API overhead: %d connections, as fast as they go, against the orchestrator then a bare Vert.x server", OVERHEAD_CONNECTIONS);
                    if (overheadRecording.isPresent()) {
                        jcmd(leader, "JFR.start", "name=overhead", "settings=profile");
                    }
                    Vegeta.Result routed = vegeta.atConcurrency(getUrls, token, OVERHEAD_CONNECTIONS, Duration.ofSeconds(15));
                    if (overheadRecording.isPresent()) {
                        jcmd(leader, "JFR.stop", "name=overhead", "filename=" + overheadRecording.get().toAbsolutePath());
                        say("JFR recording of the orchestrator under the overhead attack: %s", overheadRecording.get());
                    }
                    HttpResponse<String> sample = leader.get("/v1/clusters/" + Registrar.name(0));
                    Buffer body = Buffer.buffer(sample.body());
                    HttpServer bare = vertx.createHttpServer().requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(body))
                            .listen(0, "127.0.0.1").await();
                    Vegeta.Result plain;
                    try {
                        List<String> bareUrls = new ArrayList<>();
                        for (int i = 0; i < clusters; i++) {
                            bareUrls.add("http://127.0.0.1:" + bare.actualPort() + "/v1/clusters/" + Registrar.name(i));
                        }
                        plain = vegeta.atConcurrency(bareUrls, token, OVERHEAD_CONNECTIONS, Duration.ofSeconds(15));
                    }
                    finally {
                        bare.close().await();
                    }
                    figures.put("overhead_orchestrator_rps", routed.throughput());
                    figures.put("overhead_bare_rps", plain.throughput());
                    figures.put("overhead_ratio", routed.throughput() / plain.throughput());
                    figures.put("overhead_orchestrator_p50_ms", routed.p50Ms());
                    // the same server's cheapest authenticated route: what routing, auth and the contract's checks cost alone
                    Vegeta.Result info = vegeta.atConcurrency(List.of(leader.uri("/v1/info").toString()), token, OVERHEAD_CONNECTIONS, Duration.ofSeconds(15));
                    figures.put("overhead_info_rps", info.throughput());
                    figures.put("overhead_bare_p50_ms", plain.p50Ms());
                }
                figures.put("rss_peak_mb", leader.peakRssMb());
                figures.put("rss_after_load_mb", leader.rssMb());

                if (phases.contains("failover")) {
                    // leader failover: a second replica waits; the leader is killed
                    say("failover: replica-b starts, replica-a is killed (SIGKILL)");
                    follower = Replica.start(dir, "replica-b", jar, jvm, yaml("replica-b", nomad.toString(), consul.toString(), templates, token), token);
                    Thread.sleep(3000);
                    if (follower.isLeader()) {
                        throw new IllegalStateException("replica-b leads before replica-a was killed");
                    }
                    long killed = System.nanoTime();
                    leader.kill();
                    Replica next = follower;
                    awaitUntil("replica-b leads", Duration.ofMinutes(2), next::isLeader);
                    figures.put("failover_s", (System.nanoTime() - killed) / 1e9);
                    figures.put("failover_bound_s", (double) LOCK_DELAY.plus(SESSION_TTL).plusSeconds(2).toSeconds());
                    // Consul invalidates a session whose TTL lapsed only after twice its TTL; the follower retries its lock every leader.retry-interval (2 s)
                    figures.put("failover_consul_bound_s", (double) LOCK_DELAY.plus(SESSION_TTL.multipliedBy(2)).plusSeconds(2).toSeconds());
                }
            }
            finally {
                leader.close();
                if (follower != null) {
                    follower.close();
                }
            }
        }
        finally {
            vertx.close().await();
        }
        print(figures);
        Files.writeString(results, json(figures) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String yaml(String replica, String nomad, String consul, Path templates, String token)
    {
        return """
                http:
                  host: 127.0.0.1
                  port: ${PORT}
                autoscaling:
                  scale-front-port: 0
                  poll-interval: %ds
                nomad:
                  address: %s
                consul:
                  address: %s
                leader:
                  replica-id: %s
                  session-ttl: %ds
                  lock-delay: %ds
                clusters:
                  templates-dir: %s
                logging:
                  format: text
                auth:
                  tokens:
                    - name: scale-benchmark
                      role: admin
                      token: %s
                """.formatted(POLL_INTERVAL.toSeconds(), nomad, consul, replica, SESSION_TTL.toSeconds(), LOCK_DELAY.toSeconds(), templates, token);
    }

    /** The collector's round time quantiles (seconds) and skipped rounds, from the replica's /metrics. */
    private static Map<String, Double> collectorFigures(Replica replica)
            throws IOException, InterruptedException
    {
        String text = replica.get("/metrics").body();
        Map<String, Double> figures = new LinkedHashMap<>();
        sample(text, "presto_orchestrator_autoscaling_round_seconds\\{quantile=\"0.5\"}").ifPresent(value -> figures.put("p50", value));
        sample(text, "presto_orchestrator_autoscaling_round_seconds\\{quantile=\"0.99\"}").ifPresent(value -> figures.put("p99", value));
        sample(text, "presto_orchestrator_autoscaling_rounds_skipped_total").ifPresent(value -> figures.put("skipped", value));
        sample(text, "presto_orchestrator_autoscaling_round_seconds_count").ifPresent(value -> figures.put("count", value));
        sample(text, "presto_orchestrator_autoscaling_round_seconds_sum").ifPresent(value -> figures.put("sum", value));
        return figures;
    }

    private static Optional<Double> sample(String text, String name)
    {
        Matcher matcher = Pattern.compile("(?m)^" + name + "\\s+(\\S+)").matcher(text);
        return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
    }

    /** How old each cluster's last collector read was, every 250 ms of [start, end], in seconds. */
    private static double[] signalAges(FakeCoordinators coordinators, long start, long end)
    {
        List<Double> ages = new ArrayList<>();
        for (int cluster = 0; cluster < coordinators.count(); cluster++) {
            long[] scrapes = coordinators.scrapes(cluster);
            for (long at = start; at <= end; at += 250) {
                int found = Arrays.binarySearch(scrapes, at);
                int last = found >= 0 ? found : -found - 2;
                if (last >= 0) {
                    ages.add((at - scrapes[last]) / 1000.0);
                }
            }
        }
        return ages.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double percentile(double[] sorted, double quantile)
    {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void print(Map<String, Object> figures)
    {
        System.out.println("scale-benchmark figures:");
        figures.forEach((name, value) -> System.out.println("  " + name + " = " + (value instanceof Double number ? "%.3f".formatted(number) : value)));
    }

    private static String json(Map<String, Object> figures)
    {
        StringBuilder text = new StringBuilder("{");
        figures.forEach((name, value) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append('"').append(name).append("\": ").append(value instanceof Map<?, ?> map ? jsonMap(map) : value instanceof Double number && number.isNaN() ? "null" : value);
        });
        return text.append('}').toString();
    }

    private static String jsonMap(Map<?, ?> map)
    {
        StringBuilder text = new StringBuilder("{");
        map.forEach((name, value) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append('"').append(name).append("\": ").append(value);
        });
        return text.append('}').toString();
    }

    private static void awaitUntil(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Set<String> phases(String list)
    {
        Set<String> phases = new LinkedHashSet<>(Arrays.asList(list.split(",")));
        if (!PHASES.containsAll(phases)) {
            throw new IllegalArgumentException("--phases= takes a comma-separated subset of " + PHASES + ", got '" + list + "'");
        }
        return phases;
    }

    /** A diagnostic command to the replica's JVM ({@code jcmd <pid> ...}), for its flight recorder. */
    private static void jcmd(Replica replica, String... command)
            throws IOException, InterruptedException
    {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(replica.pid())));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + output);
        }
    }

    private static void say(String format, Object... args)
    {
        System.out.printf("[scale-benchmark] " + format + "%n", args);
    }

    private static Map<String, String> options(String[] args)
    {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, got '" + arg + "'");
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        for (String required : List.of("clusters", "consul", "nomad", "jar", "templates", "dir", "results", "vegeta")) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + "= is required");
            }
        }
        return options;
    }
}
