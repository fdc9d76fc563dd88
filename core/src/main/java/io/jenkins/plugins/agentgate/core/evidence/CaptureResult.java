package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;

/** What capture produced: the workspace part of the record, the rollback reference, and the files it wrote. */
public record CaptureResult(WorkspaceEvidence workspace, Rollback rollback, List<BundleFile> files) {
    public CaptureResult {
        files = List.copyOf(files);
    }
}
