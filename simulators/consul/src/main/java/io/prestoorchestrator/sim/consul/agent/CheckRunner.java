package io.prestoorchestrator.sim.consul.agent;

import io.prestoorchestrator.sim.consul.state.CheckSpec;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.Scheduler;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * Executes one check the way the Consul agent does: HTTP and TCP checks run every Interval (the
 * first run after a random stagger within the interval) with Timeout (default 10s); a TTL check
 * turns critical with output "TTL expired" when no update arrives within its TTL. Results of HTTP
 * and TCP checks pass through Consul's success/failure thresholds. All timers run on the
 * simulator's context; nothing here blocks.
 */
final class CheckRunner
{
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(CheckRunner.class);
    private static final String USER_AGENT = "Consul Health Check";

    private final String checkId;
    private final CheckSpec spec;
    private final Scheduler scheduler;
    private final CheckClients clients;
    private final StatusSink sink;

    private Scheduler.Cancellable timer = () -> {};
    private boolean stopped;
    private int successes;
    private int failures;

    private CheckRunner(String checkId, CheckSpec spec, Scheduler scheduler, CheckClients clients, StatusSink sink)
    {
        this.checkId = requireNonNull(checkId, "checkId is null");
        this.spec = requireNonNull(spec, "spec is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.sink = requireNonNull(sink, "sink is null");
    }

    static CheckRunner start(String checkId, CheckSpec spec, Scheduler scheduler, CheckClients clients, StatusSink sink)
    {
        CheckRunner runner = new CheckRunner(checkId, spec, scheduler, clients, sink);
        switch (spec.type()) {
            case "http", "tcp" -> {
                Duration interval = spec.interval().orElseThrow();
                runner.timer = scheduler.schedule(Duration.ofNanos(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toNanos()))), runner::runProbe);
            }
            case "ttl" -> runner.armTtl();
            default -> log.warn("Check type is not simulated; its status stays as registered: check={} type={}", checkId, spec.type());
        }
        return runner;
    }

    /**
     * A TTL update from /v1/agent/check/pass|warn|fail|update: resets the TTL and sets the status.
     */
    void ttlUpdate(CheckStatus status, String output)
    {
        sink.update(checkId, status, truncate(output));
        armTtl();
    }

    void stop()
    {
        stopped = true;
        timer.cancel();
    }

    private void armTtl()
    {
        timer.cancel();
        timer = scheduler.schedule(spec.ttl().orElseThrow(), () -> {
            if (!stopped) {
                log.info("TTL check expired: check={}", checkId);
                sink.update(checkId, CheckStatus.CRITICAL, "TTL expired");
            }
        });
    }

    private void runProbe()
    {
        if (stopped) {
            return;
        }
        if (spec.type().equals("http")) {
            probeHttp();
        }
        else {
            probeTcp();
        }
    }

    private void scheduleNext()
    {
        if (!stopped) {
            timer = scheduler.schedule(spec.interval().orElseThrow(), this::runProbe);
        }
    }

    private void probeHttp()
    {
        String url = spec.http().orElseThrow();
        HttpMethod method = HttpMethod.valueOf(spec.method());
        HttpRequest<Buffer> request;
        try {
            request = (spec.tlsSkipVerify() ? clients.trustingWeb() : clients.verifyingWeb()).requestAbs(method, url);
        }
        catch (RuntimeException e) {
            report(CheckStatus.CRITICAL, "HTTP " + method + " " + url + ": " + e.getMessage());
            scheduleNext();
            return;
        }
        request.timeout(spec.timeout().orElse(DEFAULT_TIMEOUT).toMillis())
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("Accept", "text/plain, text/*, */*");
        for (Map.Entry<String, List<String>> header : spec.header().entrySet()) {
            request.putHeader(header.getKey(), header.getValue());
        }
        Buffer body = Buffer.buffer(spec.body().orElse(""), StandardCharsets.UTF_8.name());
        request.sendBuffer(body).onComplete(result -> {
            handleHttpResult(method, url, result);
            scheduleNext();
        });
    }

    private void handleHttpResult(HttpMethod method, String url, AsyncResult<HttpResponse<Buffer>> result)
    {
        if (stopped) {
            return;
        }
        if (result.failed()) {
            report(CheckStatus.CRITICAL, "HTTP " + method + " " + url + ": " + result.cause().getMessage());
            return;
        }
        HttpResponse<Buffer> response = result.result();
        String bodyText = response.body() == null ? "" : response.body().toString(StandardCharsets.UTF_8);
        String output = "HTTP " + method + " " + url + ": " + response.statusCode() + " " + response.statusMessage() + " Output: " + bodyText;
        int code = response.statusCode();
        if (code >= 200 && code <= 299) {
            report(CheckStatus.PASSING, output);
        }
        else if (code == 429) {
            report(CheckStatus.WARNING, output);
        }
        else {
            report(CheckStatus.CRITICAL, output);
        }
    }

    private void probeTcp()
    {
        String target = spec.tcp().orElseThrow();
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            report(CheckStatus.CRITICAL, "dial tcp " + target + ": missing port in address");
            scheduleNext();
            return;
        }
        String host = target.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        }
        catch (NumberFormatException e) {
            report(CheckStatus.CRITICAL, "dial tcp " + target + ": invalid port");
            scheduleNext();
            return;
        }
        clients.tcp().connect(port, host).onComplete((AsyncResult<NetSocket> result) -> {
            if (result.succeeded()) {
                result.result().close();
                report(CheckStatus.PASSING, "TCP connect " + target + ": Success");
            }
            else {
                report(CheckStatus.CRITICAL, "dial tcp " + target + ": " + result.cause().getMessage());
            }
            scheduleNext();
        });
    }

    /**
     * Consul's StatusHandler: passing/warning count as successes, critical as failures; the status
     * only flips once the configured number of consecutive results is reached.
     */
    private void report(CheckStatus status, String output)
    {
        if (stopped) {
            return;
        }
        String truncated = truncate(output);
        if (status != CheckStatus.CRITICAL) {
            successes++;
            failures = 0;
            if (successes >= spec.successBeforePassing()) {
                sink.update(checkId, status, truncated);
            }
            return;
        }
        successes = 0;
        failures++;
        int failuresBeforeWarning = spec.failuresBeforeWarning() == 0 ? spec.failuresBeforeCritical() : spec.failuresBeforeWarning();
        if (failures >= spec.failuresBeforeCritical()) {
            sink.update(checkId, CheckStatus.CRITICAL, truncated);
        }
        else if (failures >= failuresBeforeWarning) {
            sink.update(checkId, CheckStatus.WARNING, truncated);
        }
    }

    private String truncate(String output)
    {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= spec.outputMaxSize()) {
            return output;
        }
        String kept = new String(bytes, 0, spec.outputMaxSize(), StandardCharsets.UTF_8);
        return kept + " ... (captured " + spec.outputMaxSize() + " of " + bytes.length + " bytes)";
    }

    @FunctionalInterface
    interface StatusSink
    {
        void update(String checkId, CheckStatus status, String output);
    }
}
