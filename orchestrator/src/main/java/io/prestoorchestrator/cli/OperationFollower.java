package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Follows an operation ({@code GET /v1/operations/{id}}) until it ends, printing a line whenever a
 * step starts or its progress (detail) changes. Exit code 0 when it succeeded; 1, with the
 * operation's error, when it failed, or when it did not end in time (it goes on in the
 * orchestrator either way).
 */
final class OperationFollower
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final int MAX_CONSECUTIVE_POLL_FAILURES = 5;

    private final OrchestratorClient client;
    private final PrintWriter out;
    private final Duration interval;
    private final Duration timeout;
    private final Map<Integer, String> printed = new HashMap<>();

    OperationFollower(OrchestratorClient client, PrintWriter out, Duration interval, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.out = requireNonNull(out, "out is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** @param accepted the operation of a 202 answer */
    int follow(JsonNode accepted)
            throws InterruptedException
    {
        String id = accepted.path("id").asText();
        String what = accepted.path("kind").asText() + " of cluster " + accepted.path("cluster").asText();
        Instant deadline = Instant.now().plus(timeout);
        JsonNode operation = accepted;
        int failures = 0;
        while (true) {
            printSteps(operation);
            switch (operation.path("state").asText()) {
                case "SUCCEEDED" -> {
                    out.println(what + " succeeded" + took(operation));
                    out.flush();
                    return 0;
                }
                case "FAILED" -> throw CliException.failed(what + " failed (operation " + id + "): " + operation.path("error").asText("no reason recorded"));
                default -> { }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliException(CliException.FAILED, what + " is still running after " + timeout.toSeconds() + "s (operation " + id + ")", List.of(),
                        List.of("it goes on in the orchestrator: follow it again with `operation " + id + " --follow`, or wait longer with --timeout"));
            }
            Thread.sleep(interval.toMillis());
            try {
                operation = client.get("/v1/operations/" + OrchestratorClient.segment(id));
                failures = 0;
            }
            catch (CliException e) {
                // the orchestrator may be restarting or handing over; a problem answer is final
                if (e.unreachable() && ++failures < MAX_CONSECUTIVE_POLL_FAILURES) {
                    continue;
                }
                throw e;
            }
        }
    }

    private void printSteps(JsonNode operation)
    {
        JsonNode steps = operation.path("steps");
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            String detail = step.path("detail").asText("");
            if (detail.equals(printed.get(i))) {
                continue;
            }
            printed.put(i, detail);
            out.printf("  %s  %-16s %s%n", time(step.path("at").asText()), step.path("name").asText(), detail);
        }
        out.flush();
    }

    static String time(String instant)
    {
        try {
            return TIME.format(Instant.parse(instant));
        }
        catch (DateTimeParseException e) {
            return "--:--:--";
        }
    }

    private static String took(JsonNode operation)
    {
        try {
            Duration took = Duration.between(Instant.parse(operation.path("createdAt").asText()), Instant.parse(operation.path("updatedAt").asText()));
            return String.format(Locale.ROOT, " in %.1fs", took.toMillis() / 1000.0);
        }
        catch (DateTimeParseException e) {
            return "";
        }
    }
}
