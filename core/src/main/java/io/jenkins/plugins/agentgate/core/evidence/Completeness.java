package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import java.util.ArrayList;
import java.util.List;

/**
 * Which fields this run's class and outcome require, and which of them are missing.
 *
 * @param complete     nothing required is missing
 * @param required     the required fields (dotted paths into evidence.json)
 * @param missing      the required fields that are absent, each with a short reason
 * @param runMustFail  the orchestrator must report the run as failed: a Privileged run with incomplete
 *                     evidence, or any run whose profile requires a signature that the bundle lacks
 */
public record Completeness(boolean complete, List<String> required, List<String> missing, boolean runMustFail) {
    public Completeness {
        required = List.copyOf(required);
        missing = List.copyOf(missing);
    }

    /** Assesses a record (its own completeness field is ignored); the verifier re-runs this offline. */
    public static Completeness assess(EvidenceRecord r) {
        List<String> required = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Check c = (field, present) -> {
            required.add(field);
            if (!present) {
                missing.add(field);
            }
        };
        c.require("runId", notBlank(r.runId()));
        c.require("executionClass", r.executionClass() != null);
        c.require("profile", r.profile() != null && notBlank(r.profile().id()));
        c.require("policyHash", notBlank(r.policyHash()));
        c.require("prompt.sha256", r.prompt() != null && notBlank(r.prompt().sha256()));
        c.require("toolchain.agentgateVersion", r.toolchain() != null && notBlank(r.toolchain().agentgateVersion()));
        c.require("decisions", r.decisions() != null);
        c.require("runtimeDenials", r.runtimeDenials() != null);
        c.require("approvals", r.approvals() != null);
        c.require("artifacts", r.artifacts() != null);
        if (r.artifacts() != null) {
            for (ArtifactRef a : r.artifacts()) {
                c.require("artifacts[" + a.path() + "].sha256", a.sha256() != null);
            }
        }
        c.require("timings", r.timings() != null && r.timings().startedAt() != null && r.timings().endedAt() != null);
        c.require("outcome", r.outcome() != null);
        c.require("terminationReason", notBlank(r.terminationReason()));
        Requirements req = r.requirements();
        c.require("requirements", req != null);
        if (req != null && req.keepPrompt()) {
            c.require("prompt.text", r.prompt() != null && r.prompt().kept() && r.prompt().text() != null);
        }
        if (req != null && req.signatureRequired()) {
            c.require("signing.signed", r.signing() != null && r.signing().signed());
        }
        if (r.outcome() != null && r.outcome().sandboxRan()) {
            Toolchain t = r.toolchain();
            c.require("model.id", r.model() != null && notBlank(r.model().id()));
            c.require("toolchain.imageRef", t != null && notBlank(t.imageRef()));
            c.require("toolchain.imageDigest", t != null && notBlank(t.imageDigest()));
            c.require("toolchain.dockerVersion", t != null && notBlank(t.dockerVersion()));
            c.require("exitCode", r.exitCode() != null);
            WorkspaceEvidence w = r.workspace();
            c.require("workspace", w != null && !"none".equals(w.kind()));
            if (req != null && req.approvalsRequired() > 0) {
                long distinct = r.approvals() == null ? 0 : r.approvals().stream()
                        .filter(a -> "approved".equals(a.decision())).map(ApprovalRecord::approver).distinct().count();
                c.require("approvals[" + req.approvalsRequired() + " distinct approved]", distinct >= req.approvalsRequired());
            }
            boolean changed = w != null && w.summary() != null && w.summary().filesChanged() > 0;
            if (r.executionClass() == ExecutionClass.PRIVILEGED && w != null && !"none".equals(w.kind())) {
                c.require("workspace.untruncated", w.truncation() != null && !w.truncation().truncated());
                if ("git".equals(w.kind()) && changed) {
                    c.require("workspace.patch", w.patch() != null);
                }
            }
            if (req != null && "required".equals(req.rollback()) && changed) {
                c.require("rollback", r.rollback() != null && !"none".equals(r.rollback().kind()) && r.rollback().complete());
            }
        }
        boolean complete = missing.isEmpty();
        boolean signatureMissing = missing.contains("signing.signed");
        boolean mustFail = signatureMissing || (!complete && r.executionClass() == ExecutionClass.PRIVILEGED);
        return new Completeness(complete, required, missing, mustFail);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    @FunctionalInterface
    private interface Check {
        void require(String field, boolean present);
    }
}
