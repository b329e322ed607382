package io.prestoorchestrator.config;

import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;
import static java.util.Objects.requireNonNull;

/**
 * Drain path 1: Auto Scaling lifecycle hooks for terminating instances, received from SQS and/or
 * on {@code POST /v1/lifecycle/events}.
 *
 * @param enabled whether the orchestrator handles lifecycle hooks at all
 * @param queueUrl the SQS queue the hook (directly, through SNS or EventBridge) delivers to; empty: no SQS consumer
 * @param httpSecret the shared secret {@code POST /v1/lifecycle/events} requires; empty: the endpoint answers 404
 * @param httpSecretHeader the header carrying the secret (an EventBridge API destination's API-key header);
 *        SNS, which cannot set headers, sends it as the password of basic auth instead
 * @param pollWait SQS long-polling wait of one ReceiveMessage (1s..20s)
 * @param visibilityTimeout how long a received message stays invisible; extended by this much every half of it while its drain runs
 * @param heartbeatInterval how often RecordLifecycleActionHeartbeat is sent while a drain runs (below the hook's HeartbeatTimeout)
 * @param drainBound how long the Trino workers on the node may take to reach DRAINED
 * @param nodeDrainDeadline the Nomad node drain's deadline, after which Nomad force-stops what still runs
 * @param resultAtBound what CompleteLifecycleAction says when a bound passed before everything stopped: CONTINUE or ABANDON
 * @param nodePollInterval how often the node's allocations are read while waiting for the Nomad node drain to stop them
 * @param tendInterval how often the messages in flight are tended: deleted once their drain is done, their visibility extended
 */
public record LifecycleConfig(
        boolean enabled,
        Optional<String> queueUrl,
        Optional<Secret> httpSecret,
        String httpSecretHeader,
        Duration pollWait,
        Duration visibilityTimeout,
        Duration heartbeatInterval,
        Duration drainBound,
        Duration nodeDrainDeadline,
        Result resultAtBound,
        Duration nodePollInterval,
        Duration tendInterval)
{
    public static final LifecycleConfig DEFAULTS = new LifecycleConfig(false, Optional.empty(), Optional.empty(), "X-Lifecycle-Secret",
            Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMinutes(15), Duration.ofMinutes(5), Result.CONTINUE,
            Duration.ofMillis(250), Duration.ofSeconds(1));

    public LifecycleConfig
    {
        requireNonNull(queueUrl, "queueUrl is null");
        queueUrl.ifPresent(url -> {
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw new ConfigException("lifecycle.queue-url", "must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>), got '" + url + "'");
            }
        });
        requireNonNull(httpSecret, "httpSecret is null");
        httpSecret.ifPresent(secret -> {
            if (secret.reveal().length() < 16) {
                throw new ConfigException("lifecycle.http-secret", "must be at least 16 characters");
            }
        });
        checkText("lifecycle.http-secret-header", httpSecretHeader);
        if (!httpSecretHeader.matches("[A-Za-z0-9-]{1,64}") || httpSecretHeader.equalsIgnoreCase("Authorization")) {
            throw new ConfigException("lifecycle.http-secret-header", "must be a header name of letters, digits and '-' other than Authorization, got '" + httpSecretHeader + "'");
        }
        checkPositive("lifecycle.poll-wait", pollWait);
        if (pollWait.toMillis() % 1000 != 0 || pollWait.toSeconds() > 20) {
            throw new ConfigException("lifecycle.poll-wait", "must be whole seconds between 1s and 20s (SQS's WaitTimeSeconds), got " + Durations.format(pollWait));
        }
        checkPositive("lifecycle.visibility-timeout", visibilityTimeout);
        if (visibilityTimeout.toMillis() % 1000 != 0 || visibilityTimeout.toSeconds() < 10 || visibilityTimeout.toHours() >= 12) {
            throw new ConfigException("lifecycle.visibility-timeout", "must be whole seconds between 10s and 12h (SQS's limit), got " + Durations.format(visibilityTimeout));
        }
        checkPositive("lifecycle.heartbeat-interval", heartbeatInterval);
        if (heartbeatInterval.compareTo(Duration.ofHours(2)) > 0) {
            throw new ConfigException("lifecycle.heartbeat-interval", "must be at most 2h (a hook's HeartbeatTimeout is 30s..7200s; send heartbeats well within it), got "
                    + Durations.format(heartbeatInterval));
        }
        checkPositive("lifecycle.drain-bound", drainBound);
        checkPositive("lifecycle.node-drain-deadline", nodeDrainDeadline);
        if (resultAtBound == null) {
            throw new ConfigException("lifecycle.result-at-bound", "is required (continue or abandon)");
        }
        checkPositive("lifecycle.node-poll-interval", nodePollInterval);
        checkPositive("lifecycle.tend-interval", tendInterval);
        if (tendInterval.compareTo(visibilityTimeout.dividedBy(2)) >= 0) {
            throw new ConfigException("lifecycle.tend-interval", "must be shorter than half of lifecycle.visibility-timeout (" + Durations.format(visibilityTimeout)
                    + "), or a message in flight becomes visible again before it is extended; got " + Durations.format(tendInterval));
        }
        if (enabled && queueUrl.isEmpty() && httpSecret.isEmpty()) {
            throw new ConfigException("lifecycle.enabled", "is true but neither lifecycle.queue-url nor lifecycle.http-secret is set: configure where lifecycle events come from");
        }
    }

    /** The result of CompleteLifecycleAction. */
    public enum Result
    {
        CONTINUE, ABANDON
    }
}
