package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * The credential leases of one run, alive around the sandbox. {@link #close} (revocation) runs after the
 * sandbox ended, whatever happened, before the evidence is written; {@link #release} after the evidence.
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

    /** Masks leased values in a string that leaves the process (progress lines, messages); identity when none. */
    default String mask(String text) {
        return text;
    }

    /** Lease records and problems for the evidence; valid after {@link #close}. */
    default CredentialReport report() {
        return CredentialReport.NONE;
    }

    /** Revokes the leases (idempotent). Masking stays active. */
    @Override
    void close() throws Exception;

    /** After the evidence was written: forget the masking patterns and per-run keys. */
    default void release() {}
}
