package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.run.CredentialBinder;
import io.jenkins.plugins.agentgate.core.run.CredentialBinding;
import io.jenkins.plugins.agentgate.core.run.CredentialReport;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Core's credential binder plus the step's plain (non-secret) environment: {@code AGENTGATE_MODEL} when the
 * pipeline names a model. Everything about leases (env and file mode, TTL removal, masking, revocation) is the
 * wrapped binder's.
 */
final class ModelEnvironment implements CredentialBinder {

    private final CredentialBinder leases;
    private final Map<String, String> env;

    ModelEnvironment(CredentialBinder leases, Map<String, String> env) {
        this.leases = leases;
        this.env = Map.copyOf(env);
    }

    @Override
    public CredentialBinding bind(RunContext ctx) throws Exception {
        CredentialBinding b = leases.bind(ctx);
        return new CredentialBinding() {
            @Override
            public SandboxSpec apply(SandboxSpec spec) {
                return b.apply(env.isEmpty() ? spec : spec.withEnv(env));
            }

            @Override
            public void created(SandboxSession session) {
                b.created(session);
            }

            @Override
            public UnaryOperator<OutputStream> outputFilter() {
                return b.outputFilter();
            }

            @Override
            public String mask(String text) {
                return b.mask(text);
            }

            @Override
            public CredentialReport report() {
                return b.report();
            }

            @Override
            public void close() throws Exception {
                b.close();
            }

            @Override
            public void release() {
                b.release();
            }
        };
    }
}
