package io.jenkins.plugins.agentgate.core.evidence;

/** Counts over every changed path (also those left out of a truncated file list). */
public record DiffSummary(int filesChanged, int added, int modified, int deleted, int typeChanged,
                          long linesAdded, long linesRemoved, int binaryFiles, int symlinks) {
    public static final DiffSummary EMPTY = new DiffSummary(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
