package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.credentials.LeaseBroker;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.run.CredentialBinder;
import io.jenkins.plugins.agentgate.core.run.CredentialBinding;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Core's {@link LeaseBroker} as the run's {@link CredentialBinder}: leases exactly the plan's grants, passes
 * environment-mode values to the container client by name only ({@link SandboxSpec#withSecretEnv}), masks the
 * values in the agent's output with core's masker, and revokes at the end. File-mode grants are refused with a
 * clear message until core's own binder (which writes them into the sandbox's tmpfs) replaces this class.
 */
final class LeaseBinder implements CredentialBinder {

    private final SecretSource source;
    private final Map<String, String> plainEnv;

    LeaseBinder(SecretSource source, Map<String, String> plainEnv) {
        this.source = source;
        this.plainEnv = plainEnv;
    }

    @Override
    public CredentialBinding bind(RunContext ctx) throws Exception {
        LeaseBroker broker = new LeaseBroker(ctx.runId(), source, Clock.systemUTC());
        try {
            broker.leaseAll(ctx.plan().credentials());
            if (broker.hasFileLeases()) {
                throw new IllegalStateException(Messages.LeaseBinder_FileMode(ctx.plan().effective().id()));
            }
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return new CredentialBinding() {
            @Override
            public SandboxSpec apply(SandboxSpec spec) {
                Map<String, String> env = new LinkedHashMap<>(plainEnv);
                env.putAll(broker.plainEnvironment());
                return spec.withEnv(env).withSecretEnv(broker.secretEnvironment());
            }

            @Override
            public UnaryOperator<OutputStream> outputFilter() {
                return out -> broker.masker().wrap(out);
            }

            @Override
            public void close() {
                broker.revokeAll("run ended");
                broker.close();
            }
        };
    }
}
