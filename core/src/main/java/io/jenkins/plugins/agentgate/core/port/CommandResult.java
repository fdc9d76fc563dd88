package io.jenkins.plugins.agentgate.core.port;

import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode exit status, or -1 when it was killed before exiting
 * @param timedOut whether the timeout killed it
 * @param elapsed  wall-clock time
 */
public record CommandResult(int exitCode, boolean timedOut, Duration elapsed) {}
