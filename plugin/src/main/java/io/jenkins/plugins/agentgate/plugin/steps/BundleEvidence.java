package io.jenkins.plugins.agentgate.plugin.steps;

import hudson.Extension;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.run.BundleEvidenceRecorder;
import io.jenkins.plugins.agentgate.core.run.EvidenceIncompleteException;
import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import java.nio.file.Path;
import java.util.Map;

/**
 * Core's evidence bundle ({@code evidence.json}, the DSSE envelope when signed, patch and revert diffs, snapshot,
 * artifacts) under {@code root/<runId>/} on the agent, through {@link BundleEvidenceRecorder}: pre- and post-run
 * workspace captures, policy decisions, the approval records (counted approvals, rejections, and refused, stale
 * or expired votes), credential lease records. Its answer is made relative to {@code root} for archiving.
 */
@Extension(ordinal = -1000)
public final class BundleEvidence implements AgentEvidence {

    private static final long serialVersionUID = 1L;

    @Override
    public EvidenceRecorder recorder(Path root, String taskText, String model, ProfileCatalog catalog, String agentgateVersion,
                                     EvidenceSigner signer) {
        BundleEvidenceRecorder.Builder b = BundleEvidenceRecorder.builder(root, taskText).signer(signer)
                .agentgateVersion(agentgateVersion).catalog(catalog);
        if (model != null) {
            b.model(model, Map.of());
        }
        EvidenceRecorder bundle = b.build();
        return new EvidenceRecorder() {
            @Override
            public void beforeSandbox(RunContext ctx) throws Exception {
                bundle.beforeSandbox(ctx);
            }

            @Override
            public String record(RunOutcome outcome) throws Exception {
                try {
                    return relative(root, bundle.record(outcome));
                } catch (EvidenceIncompleteException e) {
                    // Still archived (the run then fails): the controller needs the directory relative to the root too.
                    throw new EvidenceIncompleteException(relative(root, e.evidence()), e.getMessage());
                }
            }
        };
    }

    /** The bundle's directory relative to the evidence root (where the controller archives from), or null. */
    static String relative(Path root, String ref) {
        if (ref == null) {
            return null;
        }
        Path dir = Path.of(ref);
        if (!dir.isAbsolute()) {
            return ref;
        }
        Path base = root.toAbsolutePath();
        if (!dir.startsWith(base)) {
            try {
                base = root.toRealPath();
            } catch (java.io.IOException e) {
                return ref;
            }
        }
        return dir.startsWith(base) ? base.relativize(dir).toString().replace('\\', '/') : ref;
    }
}
