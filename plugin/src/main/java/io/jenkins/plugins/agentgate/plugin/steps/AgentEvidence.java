package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Makes the run's {@link EvidenceRecorder} on the agent (it is sent there with the run, hence serializable).
 * The recorder writes below {@code root}, a directory next to the workspace that no sandbox mounts, and
 * returns the run's directory relative to {@code root}; the controller archives that directory as build
 * artifacts under {@code agentgate/<runId>/}.
 *
 * <p>Today {@link RunSummaryEvidence} writes {@code summary.json}; core's signed bundle writer plugs in here.
 */
public interface AgentEvidence extends Serializable {
    EvidenceRecorder recorder(Path root);
}
