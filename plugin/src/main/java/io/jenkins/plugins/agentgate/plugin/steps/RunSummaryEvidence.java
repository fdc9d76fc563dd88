package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The evidence until core's bundle writer is connected: the run's outcome as {@code <runId>/summary.json}
 * (unsigned). It holds what the CLI's {@code --json} prints: decisions, plan, approval, sandbox result; no
 * secret value and no agent output.
 */
final class RunSummaryEvidence implements AgentEvidence {

    private static final long serialVersionUID = 1L;

    static final String SUMMARY = "summary.json";

    @Override
    public EvidenceRecorder recorder(Path root) {
        return outcome -> {
            Path dir = Files.createDirectories(root.resolve(outcome.runId()));
            Files.writeString(dir.resolve(SUMMARY), CanonicalJson.pretty(summary(outcome)) + "\n", StandardCharsets.UTF_8);
            return outcome.runId();
        };
    }

    static Map<String, Object> summary(RunOutcome o) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("runId", o.runId());
        n.put("status", o.status().id());
        n.put("message", o.message());
        n.put("executionClass", o.request().executionClass().id());
        n.put("requester", o.request().requester());
        n.put("promptSha256", o.promptSha256());
        n.put("command", o.command());
        n.put("decisions", o.policy().decisions());
        if (o.plan() != null) {
            n.put("profile", o.plan().effective().id());
            n.put("policyHash", o.plan().policyHash());
            n.put("image", o.plan().image());
            n.put("credentials", o.plan().credentials());
        }
        if (o.approval() != null) {
            n.put("approval", o.approval());
        }
        if (o.sandbox() != null) {
            n.put("sandbox", o.sandbox());
        }
        n.put("reaped", o.reaped());
        n.put("startedAt", o.startedAt().toString());
        n.put("endedAt", o.endedAt().toString());
        return n;
    }
}
