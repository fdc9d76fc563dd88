package io.jenkins.plugins.agentgate.core.evidence;

/**
 * Bounds on workspace capture. When one is hit the evidence says so ({@link Truncation}); nothing is
 * dropped silently.
 *
 * @param maxFiles         paths tracked by the manifest and listed as changed
 * @param maxHashBytes     content bytes hashed after the run (changed files only)
 * @param maxPatchBytes    size of patch.diff and revert.diff each
 * @param maxSnapshotBytes content bytes stored in the pre-run snapshot archive (non-git workspaces)
 */
public record CaptureLimits(int maxFiles, long maxHashBytes, long maxPatchBytes, long maxSnapshotBytes) {
    public CaptureLimits {
        if (maxFiles <= 0 || maxHashBytes <= 0 || maxPatchBytes <= 0 || maxSnapshotBytes <= 0) {
            throw new IllegalArgumentException("capture limits must be positive; got " + maxFiles + " files, "
                    + maxHashBytes + " hash bytes, " + maxPatchBytes + " patch bytes, " + maxSnapshotBytes + " snapshot bytes");
        }
    }

    /** 100k paths, 1 GiB hashed, 64 MiB per patch, 512 MiB snapshot. */
    public static CaptureLimits defaults() {
        return new CaptureLimits(100_000, 1L << 30, 64L << 20, 512L << 20);
    }
}
