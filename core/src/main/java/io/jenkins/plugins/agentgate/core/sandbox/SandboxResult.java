package io.jenkins.plugins.agentgate.core.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How a sandboxed run ended, for the outcome and the evidence.
 *
 * @param containerId     full container id (null when create failed)
 * @param termination     why it stopped
 * @param exitCode        the agent's exit status, or null when it has none (timeout, interrupt, engine failure)
 * @param startedAt       when the container was started
 * @param endedAt         when it stopped (or was given up on)
 * @param duration        {@code endedAt - startedAt}
 * @param outputBytesSeen bytes of stdout+stderr the agent produced
 * @param outputBytesKept bytes passed to the sink (at most the cap)
 * @param truncated       whether output was cut at the cap
 * @param imageId         the image id the container was created from ({@code sha256:...})
 * @param imageDigests    repo digests of that image as the engine reports them (empty for local builds)
 * @param engineVersion   the Docker engine's version
 * @param removed         whether the container was removed afterwards (false only when the engine was gone)
 * @param message         one line for people when something went wrong, else empty
 */
public record SandboxResult(String containerId, Termination termination, Integer exitCode, Instant startedAt,
                            Instant endedAt, Duration duration, long outputBytesSeen, long outputBytesKept,
                            boolean truncated, String imageId, List<String> imageDigests, String engineVersion,
                            boolean removed, String message) {
    public SandboxResult {
        imageDigests = imageDigests == null ? List.of() : List.copyOf(imageDigests);
        message = message == null ? "" : message;
    }

    /** The agent ran and exited 0. */
    public boolean succeeded() {
        return termination == Termination.EXITED && exitCode != null && exitCode == 0;
    }
}
