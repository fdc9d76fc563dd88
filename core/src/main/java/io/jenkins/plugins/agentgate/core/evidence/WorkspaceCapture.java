package io.jenkins.plugins.agentgate.core.evidence;

import java.io.OutputStream;
import java.util.function.UnaryOperator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Captures the workspace before and after a run. Git workspaces (the workspace is the top of a git work
 * tree) are captured with the real git binary against a private index and object store, so the user's
 * repository is never written; other workspaces by a content manifest plus a pre-run snapshot archive.
 * Symlinks are recorded as links and never followed.
 *
 * <p>{@link #before} costs one pass over the workspace; {@link Snapshot#after} stats every path but only
 * reads the content of changed files, so its cost grows with the changed bytes.
 */
public final class WorkspaceCapture {
    private WorkspaceCapture() {}

    /** The pre-run state; call {@link #after()} once the sandbox has stopped. */
    public interface Snapshot {
        /** {@code git} or {@code manifest}. */
        String kind();

        /** Captures the post-run state and writes the patch files into the output directory. */
        default CaptureResult after() throws IOException {
            return after(UnaryOperator.identity());
        }

        /**
         * As {@link #after()}, with every patch written through {@code patchMask} (e.g. the run's credential masker:
         * the agent may have written a value it was given into a file, and the patches are archived).
         */
        CaptureResult after(UnaryOperator<OutputStream> patchMask) throws IOException;
    }

    /**
     * Records the pre-run state.
     *
     * @param workspace the workspace directory (must exist; not a symlink)
     * @param outputDir the bundle staging directory: patch.diff, revert.diff or snapshot.zip go here
     * @param scratch   a private directory for capture state (index, objects); outside the workspace
     */
    public static Snapshot before(Path workspace, Path outputDir, Path scratch, CaptureLimits limits) throws IOException {
        if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) {
            throw new CaptureException("workspace '" + workspace + "' is not a directory (symlinks are not followed); "
                    + "expected the run's workspace directory");
        }
        Path ws = workspace.toRealPath();
        Files.createDirectories(scratch);
        GitCapture git = GitCapture.detect(ws, scratch);
        if (git != null) {
            return git.before(outputDir, limits);
        }
        return ManifestCapture.before(ws, outputDir, limits);
    }
}
