package io.jenkins.plugins.agentgate.plugin.steps;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.ExtensionList;
import hudson.ExtensionPoint;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Makes the run's {@link EvidenceRecorder} on the agent (it is sent there with the run, hence serializable).
 * The recorder writes below {@code root}, a directory next to the workspace that no sandbox mounts, and
 * returns the run's directory relative to {@code root}; the controller archives that directory as build
 * artifacts under {@code agentgate/<runId>/}.
 *
 * <p>{@link BundleEvidence} (core's evidence bundle, signed when the admins configured a key) is used unless
 * another {@code @Extension} of this type is installed (the first one by ordinal wins).
 */
public interface AgentEvidence extends ExtensionPoint, Serializable {

    /**
     * @param root             the evidence root on the agent
     * @param taskText         the task text as the run was given it
     * @param model            the model id the pipeline named, or null
     * @param catalog          the catalog the agent decided with
     * @param agentgateVersion the plugin's version (recorded as the toolchain's)
     * @param signer           the signer made from the admins' key on the agent, or null when none is configured
     */
    EvidenceRecorder recorder(Path root, String taskText, @CheckForNull String model, ProfileCatalog catalog,
                              String agentgateVersion, @CheckForNull EvidenceSigner signer);

    /** The installed evidence writer: {@link BundleEvidence} unless another is registered. */
    @NonNull
    static AgentEvidence current() {
        ExtensionList<AgentEvidence> all = ExtensionList.lookup(AgentEvidence.class);
        return all.isEmpty() ? new BundleEvidence() : all.get(0);
    }
}
