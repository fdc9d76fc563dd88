package io.jenkins.plugins.agentgate.plugin.steps;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.ExtensionList;
import hudson.ExtensionPoint;
import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Makes the run's {@link EvidenceRecorder} on the agent (it is sent there with the run, hence serializable).
 * The recorder writes below {@code root}, a directory next to the workspace that no sandbox mounts, and
 * returns the run's directory relative to {@code root}; the controller archives that directory as build
 * artifacts under {@code agentgate/<runId>/}.
 *
 * <p>Today {@link RunSummaryEvidence} writes {@code summary.json}; core's signed bundle writer plugs in as an
 * {@code @Extension} of this type (the first one by ordinal wins). It must stay serializable: its fields travel
 * to the agent (e.g. the public part of a key; a signing key itself must not: sign on the controller).
 */
public interface AgentEvidence extends ExtensionPoint, Serializable {
    EvidenceRecorder recorder(Path root);

    /** The installed evidence writer, or the run summary. */
    @NonNull
    static AgentEvidence current() {
        ExtensionList<AgentEvidence> all = ExtensionList.lookup(AgentEvidence.class);
        return all.isEmpty() ? new RunSummaryEvidence() : all.get(0);
    }
}
