package io.jenkins.plugins.agentgate.core.sandbox;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Protected paths that exist are mounted read-only over a writable workspace. One that does not exist yet
 * cannot be mounted (Docker would create it on the host), so the run checks afterwards that the agent did
 * not create it: an agent that adds e.g. {@code .github/workflows/x.yml} to a workspace without
 * {@code .github} has changed a protected path, and its run fails.
 */
public final class ProtectedPaths {
    private ProtectedPaths() {}

    /** The protected paths missing from the workspace before the run (symlinks count as present). */
    public static List<String> absent(Path workspace, List<String> protectedPaths) {
        return protectedPaths.stream().filter(p -> !exists(workspace.resolve(p))).toList();
    }

    /** Which of the {@code absent} paths exist now. */
    public static List<String> created(Path workspace, List<String> absent) {
        return absent.stream().filter(p -> exists(workspace.resolve(p))).toList();
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
