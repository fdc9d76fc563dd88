package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * The credential leases of one run, alive around the sandbox. {@link #close} (revocation) runs after the
 * sandbox ended, whatever happened, before the evidence is written.
 */
public interface CredentialBinding extends AutoCloseable {
    /** Adds what the container needs, e.g. {@code spec.withSecretEnv(Map.of("TOKEN", value))}: names go on argv, values never. */
    default SandboxSpec apply(SandboxSpec spec) {
        return spec;
    }

    /**
     * The container exists and is about to start; called on the run's thread right before
     * {@link SandboxSession#run}. To place secret files, start a thread that waits for
     * {@link SandboxSession#awaitRunning} and then {@link SandboxSession#exec}s with the secret on stdin into
     * {@link SandboxSpec#SECRETS_DIR}. Must not block.
     */
    default void created(SandboxSession session) {}

    /** Wraps each output stream (stdout, stderr) before the output cap, e.g. to mask secret values. */
    default UnaryOperator<OutputStream> outputFilter() {
        return UnaryOperator.identity();
    }

    /** Revokes the leases. */
    @Override
    void close() throws Exception;
}
