package io.prestoorchestrator.cluster;

/**
 * The worker group: how many now, and the bounds a resize or the autoscaler must stay within
 * (Nomad's group {@code Scaling} block).
 */
public record Workers(int count, int min, int max) {}
