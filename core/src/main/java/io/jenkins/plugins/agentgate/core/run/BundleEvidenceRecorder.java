package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.evidence.ToolCall;
import io.jenkins.plugins.agentgate.core.evidence.ToolEvidence;
import io.jenkins.plugins.agentgate.core.evidence.ToolTotals;
import io.jenkins.plugins.agentgate.core.gateway.GatewaySummary;
import io.jenkins.plugins.agentgate.core.gateway.ToolCallRecord;
import io.jenkins.plugins.agentgate.core.gateway.ToolVerdict;
import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.approval.ApprovedVia;
import io.jenkins.plugins.agentgate.core.evidence.AgentMetadata;
import io.jenkins.plugins.agentgate.core.evidence.ApprovalRecord;
import io.jenkins.plugins.agentgate.core.evidence.CaptureLimits;
import io.jenkins.plugins.agentgate.core.evidence.EgressAttempt;
import io.jenkins.plugins.agentgate.core.evidence.EgressEvidence;
import io.jenkins.plugins.agentgate.core.evidence.EgressTotals;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceBundle;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSession;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.evidence.Outcome;
import io.jenkins.plugins.agentgate.core.evidence.RunFacts;
import io.jenkins.plugins.agentgate.core.evidence.RuntimeDenial;
import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.egress.EgressRecord;
import io.jenkins.plugins.agentgate.core.egress.EgressSummary;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.Decision;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The run's {@link EvidenceRecorder} over the evidence library: {@link #beforeSandbox} opens the
 * {@link EvidenceSession} and takes the pre-run capture; {@link #record} takes the post-run capture (when the
 * pre-run one was taken), maps the {@link RunOutcome} to {@link RunFacts}, and writes the (signed) bundle.
 * Denials and refused approvals write a bundle too, without captures.
 *
 * <p>The run's lease records, what its egress proxy saw and what its tool gateway saw ({@link #toolCalls}) are mapped
 * here (the evidence package knows neither the egress nor the gateway types); each denied egress attempt also becomes
 * a runtime denial of kind {@code egress}, each denied tool call one of kind {@code tool}. Every string the
 * record takes from the run (messages, reasons, comments, details, the agent's metadata) passes through the run's
 * credential masker first.
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
    private ToolGatewayReport tools;
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

    /**
     * What the run's tool gateway recorded, complete (call after {@code ToolGateway.close()}, before {@link #record}).
     * Not calling it means no gateway ran: the record's {@code tools} is then null.
     */
    public void toolCalls(List<ToolCallRecord> records, GatewaySummary summary) {
        this.tools = new ToolGatewayReport(List.copyOf(records), summary);
    }

    private record ToolGatewayReport(List<ToolCallRecord> records, GatewaySummary summary) {}

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
                    s.captureAfter(o.credentials().streamMasker());
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
        UnaryOperator<String> mask = o.credentials()::mask;
        Outcome outcome = outcome(o);
        SandboxProfile profile = o.plan() != null ? o.plan().effective()
                : catalog == null ? null : catalog.profileFor(o.request().executionClass()).orElse(null);
        RunFacts.Builder f = RunFacts.builder(o.runId(), o.request().executionClass())
                .profile(profile)
                .classProfile(o.plan() != null ? o.plan().classProfile() : null)
                .prompt(taskText)
                .agentgateVersion(agentgateVersion)
                .decisions(o.policy().decisions().stream().map(d -> new Decision(mask.apply(d.subject()), mask.apply(d.requested()),
                        d.verdict(), d.ruleId(), mask.apply(d.reason()))).toList())
                .credentials(leases(o.credentials(), mask))
                .started(o.startedAt())
                .ended(o.endedAt())
                .outcome(outcome, mask.apply(terminationReason(o)));
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
            mapApprovals(o, o.approval().status(), f, mask);
        }
        if (o.egress() != null) {
            f.egress(egress(o.egress(), mask));
            for (EgressRecord a : o.egress().records()) {
                if (a.unauthorized()) {
                    f.runtimeDenial(new RuntimeDenial(a.start(), RuntimeDenial.EGRESS, a.host() + ":" + a.port(), a.rule(),
                            mask.apply(a.detail())));
                }
            }
        }
        // The orchestrator hands the gateway's report over in the outcome (GovernedRun's tool gateway seam); a front
        // that runs the gateway itself gives it through toolCalls().
        ToolGatewayReport tools = o.tools() != null ? new ToolGatewayReport(o.tools().records(), o.tools().summary()) : this.tools;
        if (tools != null) {
            f.tools(toolEvidence(tools.records(), tools.summary(), mask));
            for (ToolCallRecord c : tools.records()) {
                if (c.verdict() == ToolVerdict.DENIED) {
                    f.runtimeDenial(new RuntimeDenial(c.at(), RuntimeDenial.TOOL, mask.apply(c.tool()), c.ruleId(),
                            mask.apply(c.reason())));
                }
            }
        }
        if (outcome.sandboxRan() || r != null) {
            f.agentMetadata(masked(metadata(o.workspace()), mask));
            Path ws = realOrAsGiven(o.workspace());
            for (String a : artifacts) {
                f.artifact(ws.resolve(a));
            }
        }
        return f.build();
    }

    /** The lease records as they are (they never hold a value); the revocation reason may quote an error, so it is masked. */
    static List<LeaseRecord> leases(CredentialReport c, UnaryOperator<String> mask) {
        return c.leases().stream().map(l -> new LeaseRecord(l.credentialId(), l.scope(), l.ttl(), l.mode(), l.target(), l.issuedAt(),
                l.expiresAt(), l.fingerprint(), l.tokenId(), l.fileWrittenAt(), l.fileRemovedAt(), l.status(), l.revoked(),
                l.revokedAt(), mask.apply(l.revokeReason()))).toList();
    }

    /** The proxy's report in evidence terms: verdicts and end reasons as lower-case ids, details masked. */
    static EgressEvidence egress(EgressReport e, UnaryOperator<String> mask) {
        EgressSummary s = e.summary();
        EgressTotals totals = new EgressTotals(s.attempts(), s.allowed(), s.unauthorized(), s.failed(), s.bytesUp(), s.bytesDown(),
                s.byteLimitReached(), s.totalTimeReached(), s.droppedRecords(), s.deniedDestinations());
        List<EgressAttempt> records = new ArrayList<>();
        for (EgressRecord r : e.records()) {
            records.add(new EgressAttempt(r.sequence(), r.start(), r.method(), r.host(), r.port(), id(r.verdict()), r.rule(),
                    r.pattern(), r.address(), r.bytesUp(), r.bytesDown(), r.durationMillis(), id(r.end()), mask.apply(r.detail())));
        }
        return new EgressEvidence(totals, records, e.relaySha256());
    }

    /** The gateway's records in evidence terms: verdicts as lower-case ids; names and reasons masked. */
    public static ToolEvidence toolEvidence(List<ToolCallRecord> records, GatewaySummary s, UnaryOperator<String> mask) {
        ToolTotals totals = new ToolTotals(s.calls(), s.allowed(), s.denied(), s.failed(), s.droppedRecords());
        List<ToolCall> calls = new ArrayList<>();
        for (ToolCallRecord r : records) {
            calls.add(new ToolCall(r.sequence(), r.at(), mask.apply(r.tool()), r.connector(), r.argumentsSha256(), id(r.verdict()),
                    r.ruleId(), mask.apply(r.reason()), r.durationMillis(), r.resultBytes()));
        }
        return new ToolEvidence(totals, calls);
    }

    private static String id(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The agent wrote its metadata file and held the leased values: every string in it (keys too) is masked. */
    static AgentMetadata masked(AgentMetadata m, UnaryOperator<String> mask) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) maskTree(m.data(), mask);
        return new AgentMetadata(m.reported(), m.source(), data, mask.apply(m.error()));
    }

    private static Object maskTree(Object v, UnaryOperator<String> mask) {
        if (v instanceof String s) {
            return mask.apply(s);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(mask.apply(String.valueOf(k)), maskTree(x, mask)));
            return out;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(x -> out.add(maskTree(x, mask)));
            return out;
        }
        return v;
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
    private static void mapApprovals(RunOutcome o, ApprovalStatus s, RunFacts.Builder f, UnaryOperator<String> mask) {
        List<ApprovalRecord> approvals = new ArrayList<>();
        String ruleId = o.plan() == null ? "approval" : "approval." + o.plan().effective().approval().mode().id();
        for (var a : s.records()) {
            switch (a.event()) {
                case APPROVE -> approvals.add(new ApprovalRecord(a.identity(), mask.apply(a.reason()), "approved", a.at(),
                        a.requestDigest(), mask.apply(blankToNull(a.comment()))));
                case TEMPLATE -> approvals.add(new ApprovalRecord(a.identity(), mask.apply("template: " + a.reason()), "approved", a.at(),
                        a.requestDigest(), null));
                case BYPASS -> approvals.add(new ApprovalRecord(a.identity(), mask.apply("admin bypass: " + a.reason()), "approved",
                        a.at(), a.requestDigest(), mask.apply(blankToNull(a.comment()))));
                case REJECT -> approvals.add(new ApprovalRecord(a.identity(), mask.apply(a.reason()), "rejected", a.at(),
                        a.requestDigest(), mask.apply(blankToNull(a.comment()))));
                case NOT_REQUIRED -> { }
                default -> f.runtimeDenial(new RuntimeDenial(a.at(), RuntimeDenial.APPROVAL, a.identity() + " " + a.event().id(), ruleId,
                        mask.apply(a.reason() + (a.comment().isEmpty() ? "" : " (comment: " + a.comment() + ")"))));
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
