package io.prestoorchestrator.benchmarks.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The load tool: vegeta (github.com/tsenart/vegeta), an open-loop HTTP load generator. At a fixed
 * rate it sends each request on schedule whether or not the previous ones were answered, so a
 * slow server shows in the latencies instead of lowering the rate (no coordinated omission).
 */
final class Vegeta
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final Path dir;
    private int runs;

    Vegeta(Path binary, Path dir)
    {
        this.binary = requireNonNull(binary, "binary is null");
        this.dir = requireNonNull(dir, "dir is null");
    }

    /** What one attack measured. */
    record Result(long requests, double throughput, double successRatio, double p50Ms, double p99Ms, double maxMs)
    {
        String latencies()
        {
            return "%.1f / %.1f ms".formatted(p50Ms, p99Ms);
        }
    }

    /** {@code rate} requests per second over {@code duration}, round-robin over {@code urls}. */
    Result atRate(List<String> urls, String token, int rate, Duration duration)
            throws IOException, InterruptedException
    {
        return attack(urls, token, List.of("-rate=" + rate + "/s", "-duration=" + duration.toSeconds() + "s"));
    }

    /** As fast as {@code connections} workers go, each waiting for its answer before the next request (closed loop). */
    Result atConcurrency(List<String> urls, String token, int connections, Duration duration)
            throws IOException, InterruptedException
    {
        return attack(urls, token, List.of("-rate=0", "-workers=" + connections, "-max-workers=" + connections, "-connections=" + connections,
                "-duration=" + duration.toSeconds() + "s"));
    }

    private Result attack(List<String> urls, String token, List<String> options)
            throws IOException, InterruptedException
    {
        int run = ++runs;
        Path targets = dir.resolve("targets-" + run + ".txt");
        StringBuilder text = new StringBuilder();
        for (String url : urls) {
            text.append("GET ").append(url).append('\n').append("Authorization: Bearer ").append(token).append("\n\n");
        }
        Files.writeString(targets, text);
        Path results = dir.resolve("results-" + run + ".bin");
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "attack", "-targets=" + targets, "-timeout=10s", "-output=" + results));
        command.addAll(options);
        run(command);
        JsonNode report = JSON.readTree(run(List.of(binary.toString(), "report", "-type=json", results.toString())));
        JsonNode latencies = report.path("latencies");
        return new Result(report.path("requests").asLong(), report.path("throughput").asDouble(), report.path("success").asDouble(),
                latencies.path("50th").asDouble() / 1e6, latencies.path("99th").asDouble() / 1e6, latencies.path("max").asDouble() / 1e6);
    }

    private static String run(List<String> command)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + err);
        }
        return new String(out);
    }
}
