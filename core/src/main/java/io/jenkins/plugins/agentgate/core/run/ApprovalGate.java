package io.jenkins.plugins.agentgate.core.run;

/** Seam for approvals: asked once the policy allowed the run, before anything touches the sandbox. */
@FunctionalInterface
public interface ApprovalGate {
    /** Grants everything; the default until the approvals engine is configured. */
    ApprovalGate NONE = ctx -> Approval.notRequired();

    Approval check(RunContext ctx) throws Exception;
}
