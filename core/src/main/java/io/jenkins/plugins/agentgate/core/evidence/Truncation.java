package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;

/**
 * Whether capture hit a bound, and by how much. Nothing is dropped silently: every bound that was hit
 * is named in {@code reasons}.
 *
 * @param truncated    any bound was hit
 * @param changedFiles paths that changed in total
 * @param listedFiles  paths listed in {@code files}
 * @param hashedBytes  content bytes hashed during the after-run capture
 * @param reasons      one sentence per bound hit, naming the limit
 */
public record Truncation(boolean truncated, int changedFiles, int listedFiles, long hashedBytes, List<String> reasons) {
    public Truncation {
        reasons = List.copyOf(reasons);
    }

    public static final Truncation NONE = new Truncation(false, 0, 0, 0, List.of());
}
