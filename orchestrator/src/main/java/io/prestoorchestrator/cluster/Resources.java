package io.prestoorchestrator.cluster;

/**
 * What Nomad reserves for one task.
 *
 * @param cpuMhz CPU shares in MHz (Nomad {@code Resources.CPU})
 * @param memoryMb memory in MB (Nomad {@code Resources.MemoryMB}); the JVM heap must fit in it
 */
public record Resources(int cpuMhz, int memoryMb) {}
