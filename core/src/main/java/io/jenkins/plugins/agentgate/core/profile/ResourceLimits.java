package io.jenkins.plugins.agentgate.core.profile;

import java.time.Duration;

/**
 * Hard ceilings for one run.
 *
 * @param cpus           CPU share ({@code --cpus})
 * @param memoryBytes    memory and memory+swap ceiling (no swap beyond it)
 * @param pids           process/thread ceiling
 * @param timeout        wall-clock limit; the container is stopped and removed when it passes
 * @param maxOutputBytes bytes of stdout+stderr kept; the rest is cut and the cut is reported
 */
public record ResourceLimits(double cpus, long memoryBytes, int pids, Duration timeout, long maxOutputBytes) {}
