package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The result of a governed run, for every outcome (the evidence records exactly this).
 *
 * @param runId          run id
 * @param status         how it ended
 * @param message        one line for people; empty on success
 * @param request        what was asked
 * @param policy         the policy engine's decisions (and the plan when allowed)
 * @param plan           the effective plan, or null when denied
 * @param approval       the approval gate's answer, or null when it was not reached
 * @param sandbox        the sandbox result, or null when no container ran
 * @param promptSha256   SHA-256 of the task text
 * @param workspace      host workspace
 * @param command        the agent's command
 * @param reaped         orphaned containers removed before this run
 * @param startedAt      start of the run (policy)
 * @param endedAt        end of the run (before evidence)
 * @param evidence       what the evidence recorder returned, or null
 * @param credentials    the credential leases (records, never values) and the masker; {@link CredentialReport#NONE}
 *                       when the run leased nothing
 * @param egress         what the egress proxy recorded (allowlist plans whose proxy started), or null
 * @param tools          what the tool gateway decided (plans with MCP tools whose gateway started), or null
 */
public record RunOutcome(String runId, RunStatus status, String message, RunRequest request, PolicyResult policy,
                         RunPlan plan, Approval approval, SandboxResult sandbox, String promptSha256, Path workspace,
                         List<String> command, List<String> reaped, Instant startedAt, Instant endedAt, String evidence,
                         CredentialReport credentials, EgressReport egress, ToolReport tools) {
    public RunOutcome {
        message = message == null ? "" : message;
        command = List.copyOf(command);
        reaped = List.copyOf(reaped);
        credentials = credentials == null ? CredentialReport.NONE : credentials;
    }

    /** An outcome without a tool gateway. */
    public RunOutcome(String runId, RunStatus status, String message, RunRequest request, PolicyResult policy, RunPlan plan,
                      Approval approval, SandboxResult sandbox, String promptSha256, Path workspace, List<String> command,
                      List<String> reaped, Instant startedAt, Instant endedAt, String evidence, CredentialReport credentials,
                      EgressReport egress) {
        this(runId, status, message, request, policy, plan, approval, sandbox, promptSha256, workspace, command, reaped,
                startedAt, endedAt, evidence, credentials, egress, null);
    }

    /** An outcome without credential leases and without egress (no proxy ran). */
    public RunOutcome(String runId, RunStatus status, String message, RunRequest request, PolicyResult policy, RunPlan plan,
                      Approval approval, SandboxResult sandbox, String promptSha256, Path workspace, List<String> command,
                      List<String> reaped, Instant startedAt, Instant endedAt, String evidence) {
        this(runId, status, message, request, policy, plan, approval, sandbox, promptSha256, workspace, command, reaped,
                startedAt, endedAt, evidence, CredentialReport.NONE, null, null);
    }

    RunOutcome withEvidence(String ref) {
        return new RunOutcome(runId, status, message, request, policy, plan, approval, sandbox, promptSha256, workspace, command,
                reaped, startedAt, endedAt, ref, credentials, egress, tools);
    }

    /**
     * The run fails for a reason found after it ended (e.g. incomplete evidence): a success becomes a runtime
     * error; an outcome that already failed keeps its status (and exit code), with the reason added.
     */
    RunOutcome failedBy(String why) {
        if (status == RunStatus.SUCCEEDED) {
            return asRuntimeError(why);
        }
        String masked = credentials.mask(why);
        return new RunOutcome(runId, status, message.isEmpty() ? masked : message + "; " + masked, request, policy, plan, approval,
                sandbox, promptSha256, workspace, command, reaped, startedAt, endedAt, evidence, credentials, egress, tools);
    }

    RunOutcome asRuntimeError(String why) {
        String masked = credentials.mask(why);
        return new RunOutcome(runId, RunStatus.RUNTIME_ERROR, message.isEmpty() ? masked : message + "; " + masked, request, policy,
                plan, approval, sandbox, promptSha256, workspace, command, reaped, startedAt, endedAt, evidence, credentials, egress, tools);
    }
}
