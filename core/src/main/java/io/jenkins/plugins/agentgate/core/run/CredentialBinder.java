package io.jenkins.plugins.agentgate.core.run;

/** Seam for the credential broker: turns the plan's granted leases into a {@link CredentialBinding}. */
@FunctionalInterface
public interface CredentialBinder {
    /** Used when no broker is configured: a plan that grants credentials is then refused, never run without them. */
    CredentialBinder NONE = ctx -> {
        if (!ctx.plan().credentials().isEmpty()) {
            throw new IllegalStateException("the plan grants credentials " + ctx.plan().credentials().stream()
                    .map(g -> g.id()).toList() + " but no credential broker is configured; expected a run without credentials");
        }
        return () -> {};
    };

    CredentialBinding bind(RunContext ctx) throws Exception;
}
