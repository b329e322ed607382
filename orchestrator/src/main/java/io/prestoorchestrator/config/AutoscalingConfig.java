package io.prestoorchestrator.config;

import java.time.Duration;

import static io.prestoorchestrator.config.ConfigChecks.checkPort;
import static io.prestoorchestrator.config.ConfigChecks.checkPositive;

/**
 * The Trino-aware scaling signal and the query metrics (issue 7). Every replica polls every running
 * cluster's coordinator.
 *
 * @param pollInterval how often each coordinator's {@code /metrics} and {@code /v1/query} are read:
 *        the signal is at most this old (plus Prometheus' scrape interval) when the autoscaler reads it
 * @param queriesPerWorker how many concurrent queries one worker is sized for; the signal asks for
 *        one worker per this many running (not fully blocked) and queued queries
 * @param requestTimeout per request to a coordinator
 * @param queryHistoryRetention how long the ids of counted queries are remembered (and persisted) so
 *        that no query is counted twice; must exceed how long a coordinator lists a finished query
 *        ({@code query.min-expire-age}, 15m by default)
 * @param scaleFrontPort port of the scale front ({@code autoscaling.ScaleFront}) on {@code http.host}:
 *        nomad-autoscaler's target for the Trino worker groups; 0 picks a free port (tests)
 */
public record AutoscalingConfig(Duration pollInterval, int queriesPerWorker, Duration requestTimeout, Duration queryHistoryRetention, int scaleFrontPort)
{
    public static final AutoscalingConfig DEFAULTS = new AutoscalingConfig(Duration.ofSeconds(5), 4, Duration.ofSeconds(3), Duration.ofHours(1), 8071);

    public AutoscalingConfig
    {
        checkPositive("autoscaling.poll-interval", pollInterval);
        if (queriesPerWorker < 1 || queriesPerWorker > 10_000) {
            throw new ConfigException("autoscaling.queries-per-worker", "must be between 1 and 10000 (concurrent queries one worker is sized for), got " + queriesPerWorker);
        }
        checkPositive("autoscaling.request-timeout", requestTimeout);
        checkPositive("autoscaling.query-history-retention", queryHistoryRetention);
        checkPort("autoscaling.scale-front-port", scaleFrontPort);
        if (queryHistoryRetention.compareTo(Duration.ofMinutes(20)) < 0) {
            throw new ConfigException("autoscaling.query-history-retention",
                    "must be at least 20m, longer than a coordinator lists finished queries (query.min-expire-age, 15m by default), got " + Durations.format(queryHistoryRetention));
        }
    }

    public AutoscalingConfig withScaleFrontPort(int port)
    {
        return new AutoscalingConfig(pollInterval, queriesPerWorker, requestTimeout, queryHistoryRetention, port);
    }
}
