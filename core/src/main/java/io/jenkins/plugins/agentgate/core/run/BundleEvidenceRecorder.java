package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.approval.ApprovedVia;
import io.jenkins.plugins.agentgate.core.evidence.AgentMetadata;
import io.jenkins.plugins.agentgate.core.evidence.ApprovalRecord;
import io.jenkins.plugins.agentgate.core.evidence.CaptureLimits;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceBundle;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSession;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.evidence.Outcome;
import io.jenkins.plugins.agentgate.core.evidence.RunFacts;
import io.jenkins.plugins.agentgate.core.evidence.RuntimeDenial;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxResult;
import io.jenkins.plugins.agentgate.core.sandbox.Termination;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run's {@link EvidenceRecorder} over the evidence library: {@link #beforeSandbox} opens the
 * {@link EvidenceSession} and takes the pre-run capture; {@link #record} takes the post-run capture (when the
 * pre-run one was taken), maps the {@link RunOutcome} to {@link RunFacts}, and writes the (signed) bundle.
 * Denials and refused approvals write a bundle too, without captures.
 *
 * <p>One instance per run (it holds the run's session). When the bundle's completeness says the run must fail,
 * {@link #record} throws {@link EvidenceIncompleteException} carrying the bundle's path; the orchestrator then
 * fails the run.
 *
 * <pre>
 * EvidenceRecorder rec = BundleEvidenceRecorder.builder(evidenceRoot, taskText)
 *         .signer(EvidenceSigner.fromPem(key)).agentgateVersion(v).model("gpt-x", Map.of()).catalog(catalog)
 *         .artifact("out/report.md").build();
 * </pre>
 */
public final class BundleEvidenceRecorder implements EvidenceRecorder {
    /** Where an agent may leave metadata about itself, relative to the workspace. */
    public static final String METADATA_FILE = ".agentgate/metadata.json";

    private final Path root;
    private final String taskText;
    private final EvidenceSigner signer;
    private final String agentgateVersion;
    private final String modelId;
    private final Map<String, Object> modelParameters;
    private final ProfileCatalog catalog;
    private final List<String> artifacts;
    private final String metadataFile;
    private final CaptureLimits limits;

    private EvidenceSession session;
    private boolean captured;
    private final Map<String, Long> phases = new LinkedHashMap<>();

    private BundleEvidenceRecorder(Builder b) {
        this.root = b.root;
        this.taskText = b.taskText;
        this.signer = b.signer;
        this.agentgateVersion = b.agentgateVersion;
        this.modelId = b.modelId;
        this.modelParameters = b.modelParameters;
        this.catalog = b.catalog;
        this.artifacts = List.copyOf(b.artifacts);
        this.metadataFile = b.metadataFile;
        this.limits = b.limits;
    }

    /**
     * @param evidenceRoot directory holding bundles; must lie outside the workspace
     * @param taskText     the task text as given to the run (its hash, and the text where the profile keeps it)
     */
    public static Builder builder(Path evidenceRoot, String taskText) {
        return new Builder(evidenceRoot, taskText);
    }

    @Override
    public void beforeSandbox(RunContext ctx) throws Exception {
        SandboxProfile p = ctx.plan().effective();
        if (p.evidence().requireSignature() && signer == null) {
            // Refuse before the agent touches anything: its evidence could never be valid.
            throw new IllegalStateException("profile " + p.id() + " requires signed evidence and no signing key was given; "
                    + "expected a PKCS#8 PEM private key (Ed25519 or P-256)");
        }
        session = EvidenceSession.start(root, ctx.runId(), ctx.workspace());
        long t = System.nanoTime();
        session.captureBefore(limits);
        phases.put("captureBefore", (System.nanoTime() - t) / 1_000_000);
        captured = true;
    }

    @Override
    public String record(RunOutcome o) throws Exception {
        if (!Digests.sha256Hex(taskText).equals(o.promptSha256())) {
            throw new IllegalStateException("the task text given to the evidence recorder differs from the run's (prompt hash "
                    + o.promptSha256() + ")");
        }
        EvidenceSession s = session != null ? session : EvidenceSession.start(root, o.runId(), o.workspace());
        try (s) {
            if (captured) {
                long t = System.nanoTime();
                try {
                    s.captureAfter();
                } catch (IOException | RuntimeException e) {
                    // recorded by finish() as the reason the workspace was not captured
                }
                phases.put("captureAfter", (System.nanoTime() - t) / 1_000_000);
            }
            EvidenceBundle b = s.finish(facts(o), signer);
            String ref = b.dir().toString();
            if (b.completeness().runMustFail()) {
                throw new EvidenceIncompleteException(ref, "evidence incomplete for a " + o.request().executionClass().id()
                        + " run, so the run fails: missing " + String.join(", ", b.completeness().missing()));
            }
            return ref;
        }
    }

    RunFacts facts(RunOutcome o) {
        SandboxResult r = o.sandbox();
        Outcome outcome = outcome(o);
        SandboxProfile profile = o.plan() != null ? o.plan().effective()
                : catalog == null ? null : catalog.profileFor(o.request().executionClass()).orElse(null);
        RunFacts.Builder f = RunFacts.builder(o.runId(), o.request().executionClass())
                .profile(profile)
                .classProfile(o.plan() != null ? o.plan().classProfile() : null)
                .prompt(taskText)
                .agentgateVersion(agentgateVersion)
                .decisions(o.policy().decisions())
                .started(o.startedAt())
                .ended(o.endedAt())
                .outcome(outcome, terminationReason(o));
        if (modelId != null) {
            f.model(modelId, modelParameters);
        }
        String imageRef = o.plan() != null ? o.plan().image() : o.request().image();
        f.image(imageRef, r == null ? null : digest(r));
        if (r != null) {
            f.dockerVersion(r.engineVersion()).exitCode(r.exitCode()).phase("sandbox", r.duration().toMillis());
        }
        phases.forEach(f::phase);
        if (o.approval() != null && o.approval().status() != null) {
            mapApprovals(o, o.approval().status(), f);
        }
        if (outcome.sandboxRan() || r != null) {
            f.agentMetadata(metadata(o.workspace()));
            Path ws = realOrAsGiven(o.workspace());
            for (String a : artifacts) {
                f.artifact(ws.resolve(a));
            }
        }
        return f.build();
    }

    static Outcome outcome(RunOutcome o) {
        return switch (o.status()) {
            case SUCCEEDED -> Outcome.SUCCEEDED;
            case AGENT_FAILED -> o.sandbox() != null && o.sandbox().termination() == Termination.TIMEOUT ? Outcome.TIMEOUT
                    : Outcome.AGENT_FAILED;
            case DENIED -> Outcome.POLICY_DENIED;
            case APPROVAL_REFUSED -> Outcome.APPROVAL_MISSING;
            case RUNTIME_ERROR -> Outcome.RUNTIME_ERROR;
        };
    }

    private static String terminationReason(RunOutcome o) {
        if (!o.message().isEmpty()) {
            return o.message();
        }
        if (o.sandbox() != null) {
            return GovernedRun.describe(o.sandbox());
        }
        return o.status().id();
    }

    /** A registry digest when the engine knows one, else the local image id (the config digest the container ran). */
    static String digest(SandboxResult r) {
        for (String d : r.imageDigests()) {
            int at = d.indexOf("@sha256:");
            if (at >= 0) {
                return d.substring(at + 1);
            }
        }
        return r.imageId();
    }

    /**
     * Counted approvals, rejections, template and bypass approvals go into {@code approvals}; decisions that did not
     * count (refused, stale, expired) and window findings go into {@code runtimeDenials} (kind {@code approval}), so
     * an attempt such as self-approval is kept without counting as an approval.
     */
    private static void mapApprovals(RunOutcome o, ApprovalStatus s, RunFacts.Builder f) {
        List<ApprovalRecord> approvals = new ArrayList<>();
        String ruleId = o.plan() == null ? "approval" : "approval." + o.plan().effective().approval().mode().id();
        for (var a : s.records()) {
            switch (a.event()) {
                case APPROVE -> approvals.add(new ApprovalRecord(a.identity(), a.reason(), "approved", a.at(), a.requestDigest(),
                        blankToNull(a.comment())));
                case TEMPLATE -> approvals.add(new ApprovalRecord(a.identity(), "template: " + a.reason(), "approved", a.at(),
                        a.requestDigest(), null));
                case BYPASS -> approvals.add(new ApprovalRecord(a.identity(), "admin bypass: " + a.reason(), "approved", a.at(),
                        a.requestDigest(), blankToNull(a.comment())));
                case REJECT -> approvals.add(new ApprovalRecord(a.identity(), a.reason(), "rejected", a.at(), a.requestDigest(),
                        blankToNull(a.comment())));
                case NOT_REQUIRED -> { }
                default -> f.runtimeDenial(new RuntimeDenial(a.at(), "approval", a.identity() + " " + a.event().id(), ruleId,
                        a.reason() + (a.comment().isEmpty() ? "" : " (comment: " + a.comment() + ")")));
            }
        }
        f.approvals(approvals).approvalsRequired(required(o, s));
    }

    /** Distinct human approvals the evidence must show: none for not-required and templates, one for a bypass. */
    static int required(RunOutcome o, ApprovalStatus s) {
        if (o.plan() == null) {
            return 0;
        }
        ApprovalMode mode = o.plan().effective().approval().mode();
        if (s.via() == ApprovedVia.NOT_REQUIRED || s.via() == ApprovedVia.TEMPLATE || mode == ApprovalMode.NONE) {
            return 0;
        }
        if (s.via() == ApprovedVia.BYPASS) {
            return 1;
        }
        return mode == ApprovalMode.DUAL ? 2 : 1;
    }

    /** Reads the agent's metadata file; a symlink anywhere on its path is refused (never followed out of the workspace). */
    private AgentMetadata metadata(Path workspace) {
        Path p = workspace;
        Path rel = Path.of(metadataFile);
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            p = p.resolve(rel.getName(i));
            if (Files.isSymbolicLink(p)) {
                return new AgentMetadata(false, metadataFile, Map.of(), "'" + rel.subpath(0, i + 1)
                        + "' is a symbolic link (not followed); expected a directory in the workspace");
            }
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return AgentMetadata.none();
            }
        }
        return AgentMetadata.read(workspace.resolve(rel), metadataFile);
    }

    private static Path realOrAsGiven(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Configures one run's recorder. */
    public static final class Builder {
        private final Path root;
        private final String taskText;
        private EvidenceSigner signer;
        private String agentgateVersion;
        private String modelId;
        private Map<String, Object> modelParameters = Map.of();
        private ProfileCatalog catalog;
        private final List<String> artifacts = new ArrayList<>();
        private String metadataFile = METADATA_FILE;
        private CaptureLimits limits = CaptureLimits.defaults();

        private Builder(Path root, String taskText) {
            this.root = Objects.requireNonNull(root, "evidenceRoot");
            this.taskText = Objects.requireNonNull(taskText, "taskText");
        }

        /** The signing key, or null for unsigned bundles (refused before the sandbox where the profile requires signing). */
        public Builder signer(EvidenceSigner v) { signer = v; return this; }
        public Builder agentgateVersion(String v) { agentgateVersion = v; return this; }
        /** The model the pipeline declared; its id is required evidence once the sandbox ran. */
        public Builder model(String id, Map<String, Object> parameters) {
            modelId = id;
            modelParameters = parameters == null ? Map.of() : parameters;
            return this;
        }
        /** The catalog, so that a denied run records the class profile its request was decided against. */
        public Builder catalog(ProfileCatalog v) { catalog = v; return this; }
        /**
         * A final artifact, workspace-relative; copied into the bundle after the run. Refused here when it is absolute
         * or climbs out of the workspace.
         */
        public Builder artifact(String workspaceRelative) {
            Path p = Path.of(workspaceRelative);
            if (workspaceRelative.isBlank() || p.isAbsolute() || !p.normalize().equals(p) || p.startsWith("..")) {
                throw new IllegalArgumentException("artifact '" + workspaceRelative + "' is not valid; expected a path relative "
                        + "to the workspace, without '..' or '.' segments");
            }
            artifacts.add(workspaceRelative);
            return this;
        }
        public Builder metadataFile(String workspaceRelative) { metadataFile = workspaceRelative; return this; }
        public Builder limits(CaptureLimits v) { limits = v; return this; }

        public BundleEvidenceRecorder build() {
            return new BundleEvidenceRecorder(this);
        }
    }
}
