package io.jenkins.plugins.agentgate.core.sandbox;

import java.nio.charset.StandardCharsets;

/** Result of a command run in a live sandbox through {@link SandboxSession#exec}. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
