package io.prestoorchestrator.cluster;

import io.prestoorchestrator.error.ConflictException;

import java.util.Locale;

/**
 * Where a cluster is in its lifecycle, as the orchestrator drives it. One transition method; an
 * action that makes no sense in the current state is a 409 that says what state the cluster is in.
 */
public enum ClusterState
{
    DEPLOYING, RUNNING, FAILED, STOPPING, STOPPED, STARTING, DELETING;

    public enum Action
    {
        UPDATE, RESTART, STOP, START, DELETE, DEPLOY_SUCCEEDED, DEPLOY_FAILED, STOP_COMPLETED
    }

    public ClusterState on(Action action)
    {
        ClusterState next = switch (action) {
            case UPDATE -> switch (this) {
                case RUNNING, FAILED -> DEPLOYING;
                case STOPPED -> STOPPED;
                default -> null;
            };
            case RESTART -> this == RUNNING || this == FAILED ? DEPLOYING : null;
            case STOP -> this == RUNNING || this == FAILED ? STOPPING : null;
            case START -> this == STOPPED ? STARTING : null;
            case DELETE -> this == DELETING ? null : DELETING;
            case DEPLOY_SUCCEEDED -> this == DEPLOYING || this == STARTING ? RUNNING : null;
            case DEPLOY_FAILED -> this == DEPLOYING || this == STARTING ? FAILED : null;
            case STOP_COMPLETED -> this == STOPPING ? STOPPED : null;
        };
        if (next == null) {
            throw new ConflictException("The cluster is " + label() + "; it cannot " + action.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " now");
        }
        return next;
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
