package io.jenkins.plugins.agentgate.core.evidence;

/**
 * How to undo the run.
 *
 * @param kind            {@code git-revert-patch}, {@code snapshot-archive} or {@code none}
 * @param baseCommit      HEAD before the run (git)
 * @param preRunTree      git tree of the pre-run working tree (git)
 * @param revertPatch     patch that turns the post-run workspace back into the pre-run one ({@code git apply})
 * @param snapshotArchive zip of the pre-run workspace, with MANIFEST.json listing symlinks and modes
 * @param complete        the reference restores everything (false when a bound truncated it)
 * @param note            why the reference is missing or partial, else null
 */
public record Rollback(String kind, String baseCommit, String preRunTree, BundleFile revertPatch,
                       BundleFile snapshotArchive, boolean complete, String note) {
    public static Rollback none(String note) {
        return new Rollback("none", null, null, null, null, false, note);
    }
}
