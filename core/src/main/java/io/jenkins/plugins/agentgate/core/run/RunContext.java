package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What the seams (approvals, credentials, egress, evidence) get to see of an allowed run.
 *
 * @param runId        the run's id (container name suffix, evidence id)
 * @param request      what was asked
 * @param policy       every decision of the policy engine
 * @param plan         the effective plan
 * @param taskText     the task prompt as given
 * @param promptSha256 SHA-256 (hex) of the task text's UTF-8 bytes
 * @param workspace    host workspace directory as given
 * @param command      the agent's command in the container
 * @param startedAt    when the run began
 */
public record RunContext(String runId, RunRequest request, PolicyResult policy, RunPlan plan, String taskText,
                         String promptSha256, Path workspace, List<String> command, Instant startedAt) {
    public RunContext {
        command = List.copyOf(command);
    }
}
