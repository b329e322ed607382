package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.autoscaling.WorkersNeeded.Clamp;

/**
 * The Trino-aware scaling signal: how many workers a cluster needs now.
 *
 * <p>Every query that runs and is not fully blocked, and every queued query, asks for
 * {@code 1 / queriesPerWorker} of a worker, and so does every query that waits for workers (a cluster
 * scaled to zero holds each arriving query until a worker is active); the sum is rounded up and clamped to the cluster's
 * {@code workers.min..max}. Fully blocked queries are left out: every driver of theirs waits on
 * something other than CPU (a client that does not fetch its results, memory, an exchange), and
 * more workers would not make them go faster. Draining workers are not counted as capacity: they
 * take no new work and are leaving.
 */
public final class ScalingSignal
{
    private ScalingSignal() {}

    public static WorkersNeeded compute(SignalInputs inputs)
    {
        int busy = Math.max(0, inputs.runningQueries() - inputs.fullyBlockedQueries());
        int demand = busy + inputs.queuedQueries() + inputs.waitingQueries();
        int raw = (demand + inputs.queriesPerWorker() - 1) / inputs.queriesPerWorker();
        Clamp clamp = Clamp.NONE;
        int needed = raw;
        if (raw < inputs.min()) {
            needed = inputs.min();
            clamp = Clamp.MIN;
        }
        else if (raw > inputs.max()) {
            needed = inputs.max();
            clamp = Clamp.MAX;
        }
        StringBuilder reason = new StringBuilder()
                .append(inputs.runningQueries()).append(" running");
        if (inputs.fullyBlockedQueries() > 0) {
            reason.append(" (").append(Math.min(inputs.fullyBlockedQueries(), inputs.runningQueries())).append(" fully blocked, not counted)");
        }
        reason.append(" + ").append(inputs.queuedQueries()).append(" queued");
        if (inputs.waitingQueries() > 0) {
            reason.append(" + ").append(inputs.waitingQueries()).append(" waiting for workers");
        }
        reason.append(" = ").append(demand).append(" queries at ")
                .append(inputs.queriesPerWorker()).append(" per worker: ").append(raw).append(" worker(s)");
        switch (clamp) {
            case MIN -> reason.append(", raised to workers.min ").append(inputs.min());
            case MAX -> reason.append(", capped at workers.max ").append(inputs.max());
            case NONE -> { }
        }
        reason.append("; ").append(inputs.activeWorkers()).append(" active");
        if (inputs.drainingWorkers() > 0) {
            reason.append(" (+").append(inputs.drainingWorkers()).append(" draining)");
        }
        int change = needed - inputs.activeWorkers();
        if (change > 0) {
            reason.append(": scale out by ").append(change);
        }
        else if (change < 0) {
            reason.append(": scale in by ").append(-change);
        }
        else {
            reason.append(": no change");
        }
        return new WorkersNeeded(needed, busy, raw, clamp, reason.toString(), inputs);
    }
}
