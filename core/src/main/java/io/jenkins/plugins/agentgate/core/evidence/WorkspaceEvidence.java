package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;

/**
 * Files touched and the diff summary, from the workspace before and after the run.
 *
 * @param kind              {@code git}, {@code manifest} or {@code none} (not captured)
 * @param notCapturedReason why there is no capture (kind {@code none}), else null
 * @param baseCommit        HEAD before the run (git; null when unborn or not git)
 * @param headAfter         HEAD after the run (git)
 * @param preRunTree        git tree id of the whole pre-run working tree (git)
 * @param postRunTree       git tree id of the whole post-run working tree (git)
 * @param files             the changed paths, sorted, at most the capture's file bound
 * @param summary           counts over all changed paths
 * @param truncation        bounds hit, with counts
 * @param patch             the forward patch (git, {@code git apply}-able; null when none or over the bound)
 */
public record WorkspaceEvidence(
        String kind,
        String notCapturedReason,
        String baseCommit,
        String headAfter,
        String preRunTree,
        String postRunTree,
        List<FileChange> files,
        DiffSummary summary,
        Truncation truncation,
        BundleFile patch) {
    public WorkspaceEvidence {
        files = List.copyOf(files);
    }

    public static WorkspaceEvidence notCaptured(String reason) {
        return new WorkspaceEvidence("none", reason, null, null, null, null, List.of(), DiffSummary.EMPTY,
                Truncation.NONE, null);
    }
}
