package io.prestoorchestrator.benchmarks.scale;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/** One orchestrator replica as its own process ({@code java -jar presto-orchestrator.jar serve}), with what /proc says of it. */
final class Replica
        implements AutoCloseable
{
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private static final long CLOCK_TICKS = 100;

    private final String id;
    private final int port;
    private final String token;
    private final Process process;
    private final Path log;

    private Replica(String id, int port, String token, Process process, Path log)
    {
        this.id = requireNonNull(id, "id is null");
        this.port = port;
        this.token = requireNonNull(token, "token is null");
        this.process = requireNonNull(process, "process is null");
        this.log = requireNonNull(log, "log is null");
    }

    /** Starts a replica with {@code yaml} (its {@code ${PORT}} replaced by a free port) and the JVM options; returns once {@code /health/live} answers. */
    static Replica start(Path dir, String id, Path jar, List<String> jvmOptions, String yaml, String token)
            throws IOException, InterruptedException
    {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, yaml.replace("${PORT}", Integer.toString(port)));
        Path log = dir.resolve(id + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("ORCHESTRATOR_"));
        builder.environment().put("ORCHESTRATOR_CONFIG", config.toString());
        Replica replica = new Replica(id, port, token, builder.start(), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!replica.process.isAlive()) {
                throw new IOException("replica " + id + " exited; see " + log);
            }
            if (replica.status("/health/live") == 200) {
                return replica;
            }
            Thread.sleep(200);
        }
        replica.kill();
        throw new IOException("replica " + id + " did not answer /health/live within 120 s; see " + log);
    }

    String id()
    {
        return id;
    }

    URI uri(String path)
    {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid()
    {
        return process.pid();
    }

    /** {@code GET /v1/info}'s {@code leader}. */
    boolean isLeader()
    {
        try {
            HttpResponse<String> info = get("/v1/info");
            return info.statusCode() == 200 && info.body().replace(" ", "").contains("\"leader\":true");
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HttpResponse<String> get(String path)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(String path)
    {
        try {
            return get(path).statusCode();
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Resident set size now, in MB ({@code VmRSS} of /proc/pid/status). */
    double rssMb()
            throws IOException
    {
        return procStatusKb("VmRSS:") / 1024.0;
    }

    /** Peak resident set size, in MB ({@code VmHWM}). */
    double peakRssMb()
            throws IOException
    {
        return procStatusKb("VmHWM:") / 1024.0;
    }

    /** CPU time used so far, user and system, in seconds (/proc/pid/stat). */
    double cpuSeconds()
            throws IOException
    {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields from the state on: utime and stime are the 14th and 15th fields of the line, here 11 and 12
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
    }

    private long procStatusKb(String key)
            throws IOException
    {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IOException(key + " not in /proc/" + pid() + "/status");
    }

    /** SIGKILL: no leadership given up, nothing finished. */
    void kill()
            throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    Path log()
    {
        return log;
    }

    /** SIGTERM, SIGKILL after 30 s. */
    @Override
    public void close()
            throws InterruptedException
    {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
