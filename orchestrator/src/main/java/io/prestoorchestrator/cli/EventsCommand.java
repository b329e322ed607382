package io.prestoorchestrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /v1/clusters/{name}/events}: the timeline, one line per event; {@code --follow} polls
 * it and prints each event not printed yet, until Ctrl-C.
 */
@Command(name = "events",
        description = {
                "Show a cluster's timeline, oldest first, one line per event: time (UTC), type, who asked, what happened. --follow keeps polling and prints new events until Ctrl-C.",
                "Exit 0; 1 when the API answers a problem (e.g. 404: no such cluster) or the orchestrator cannot be reached; 2 for a bad option."},
        sortOptions = false)
public final class EventsCommand
        implements Callable<Integer>
{
    private static final int MAX_CONSECUTIVE_POLL_FAILURES = 5;

    private final CliSystem system;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep polling and print new events as they are recorded, until Ctrl-C.")
    boolean follow;

    @Option(names = "--since", paramLabel = "DURATION|TIMESTAMP",
            description = "Only events at or after this: a duration back from now (10m, 2h, 1d) or an ISO-8601 timestamp (2026-12-07T01:55:00Z).")
    String since;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Only events of this type (e.g. restart-requested); a trailing * matches a prefix (drain-*). Repeat it for several.")
    List<String> types = new ArrayList<>();

    @Option(names = "--json", description = "One JSON object per line per event, as the API answers each one (so --follow streams).")
    boolean json;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "2s", converter = WaitOptions.DurationConverter.class,
            description = "With --follow: how often to poll (default: ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    public EventsCommand()
    {
        this(CliSystem.real());
    }

    EventsCommand(CliSystem system)
    {
        this.system = requireNonNull(system, "system is null");
    }

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            Optional<Instant> from = since == null ? Optional.empty() : Optional.of(since(since));
            OrchestratorClient client = api.client();
            PrintWriter out = spec.commandLine().getOut();
            String path = "/v1/clusters/" + OrchestratorClient.segment(name) + "/events";
            // the API gives no event an id: an event is new when no identical one was seen
            Set<String> seen = new HashSet<>();
            boolean polled = false;
            int failures = 0;
            while (true) {
                OrchestratorClient.Response response;
                try {
                    response = client.send("GET", path, Optional.empty());
                    failures = 0;
                }
                catch (CliException e) {
                    // following: the orchestrator may be restarting or handing over
                    if (!polled || !e.unreachable() || ++failures >= MAX_CONSECUTIVE_POLL_FAILURES) {
                        throw e;
                    }
                    if (!system.pause().await(pollInterval)) {
                        return 0;
                    }
                    continue;
                }
                if (polled && response.status() == 404) {
                    out.println("Cluster " + name + " no longer exists: no more events");
                    out.flush();
                    return 0;
                }
                if (!response.ok()) {
                    throw response.failure(true);
                }
                int printed = 0;
                for (JsonNode event : response.body().path("events")) {
                    if (seen.add(event.toString()) && matches(event, from)) {
                        print(out, event);
                        printed++;
                    }
                }
                out.flush();
                if (!follow) {
                    if (printed == 0 && !json) {
                        out.println("No events for cluster " + name + (from.isPresent() || !types.isEmpty() ? " match --since/--type" : ""));
                    }
                    return 0;
                }
                polled = true;
                if (!system.pause().await(pollInterval)) {
                    return 0;
                }
            }
        });
    }

    private Instant since(String text)
    {
        try {
            return system.clock().instant().minus(Durations.parse(text));
        }
        catch (IllegalArgumentException notDuration) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            }
            catch (DateTimeParseException notTimestamp) {
                throw CliException.badInput("--since '" + text + "' is neither a duration (10m, 2h, 1d) nor an ISO-8601 timestamp (2026-12-07T01:55:00Z)");
            }
        }
    }

    private boolean matches(JsonNode event, Optional<Instant> from)
    {
        if (from.isPresent()) {
            try {
                if (Instant.parse(event.path("at").asText()).isBefore(from.get())) {
                    return false;
                }
            }
            catch (DateTimeParseException e) {
                // an event without a readable time is shown rather than hidden
            }
        }
        String type = event.path("type").asText();
        return types.isEmpty() || types.stream().anyMatch(wanted -> wanted.endsWith("*") ? type.startsWith(wanted.substring(0, wanted.length() - 1)) : type.equals(wanted));
    }

    private void print(PrintWriter out, JsonNode event)
            throws JsonProcessingException
    {
        if (json) {
            out.println(ClusterJson.MAPPER.writeValueAsString(event));
            return;
        }
        String at;
        try {
            at = Instant.parse(event.path("at").asText()).truncatedTo(ChronoUnit.SECONDS).toString();
        }
        catch (DateTimeParseException e) {
            at = event.path("at").asText("?");
        }
        // one line per event, whatever the message holds
        String message = event.path("message").asText("").replaceAll("\\s*[\\r\\n]+\\s*", " ");
        out.println(String.format("%-20s  %-21s  %-10s  %s", at, event.path("type").asText(), event.path("actor").asText(), message).stripTrailing());
    }
}
