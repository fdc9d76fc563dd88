package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import java.io.Serializable;
import java.util.List;

/**
 * What the agent sends back to the controller about a run: no secret, no output, only what the build page and
 * the result map show.
 *
 * @param runId          the run id
 * @param status         how it ended
 * @param message        one line for people
 * @param exitCode       the agent's exit status, or null when it did not run to an exit
 * @param executionClass class id
 * @param profile        effective profile id, or null when denied
 * @param policyHash     policy hash, or null when denied
 * @param image          image, or null when denied
 * @param decisions      every policy decision, one line each
 * @param approval       the approval gate's reason, or null when not reached
 * @param approvers      the approvers that counted
 * @param promptSha256   SHA-256 of the task text
 * @param evidenceDir    the run's evidence directory on the agent (relative to the evidence root), or null
 */
record AgentRunReport(String runId, RunStatus status, String message, Integer exitCode, String executionClass, String profile,
                      String policyHash, String image, List<String> decisions, String approval, List<String> approvers,
                      String promptSha256, String evidenceDir) implements Serializable {

    private static final long serialVersionUID = 1L;

    static AgentRunReport of(RunOutcome o) {
        return new AgentRunReport(o.runId(), o.status(), o.message(), o.sandbox() == null ? null : o.sandbox().exitCode(),
                o.request().executionClass().id(), o.plan() == null ? null : o.plan().effective().id(),
                o.plan() == null ? null : o.plan().policyHash(), o.plan() == null ? null : o.plan().image(),
                o.policy().decisions().stream().map(d -> d.format()).toList(),
                o.approval() == null ? null : o.approval().reason(), o.approval() == null ? List.of() : o.approval().approvers(),
                o.promptSha256(), o.evidence());
    }
}
