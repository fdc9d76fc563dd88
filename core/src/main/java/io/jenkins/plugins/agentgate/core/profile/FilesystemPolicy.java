package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import java.util.List;

/**
 * What the sandbox may see and change on disk.
 *
 * @param workspace      read-only or read-write access to the workspace
 * @param protectedPaths workspace-relative paths that stay read-only even in a writable workspace
 * @param extraMounts    absolute host paths a run may additionally mount, read-only
 */
public record FilesystemPolicy(WorkspaceAccess workspace, List<String> protectedPaths, List<String> extraMounts) {
    /** Paths an agent must never rewrite: history, the pipeline definition and CI configuration. */
    public static final List<String> DEFAULT_PROTECTED = List.of(".git", "Jenkinsfile", ".ci", ".github", ".jenkins");

    public FilesystemPolicy {
        protectedPaths = Lists.sortedDistinct(protectedPaths);
        extraMounts = Lists.sortedDistinct(extraMounts);
    }
}
