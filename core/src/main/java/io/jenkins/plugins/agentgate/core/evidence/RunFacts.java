package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The plain facts of one run that the orchestrator hands to {@link EvidenceSession#finish}. Nothing here
 * depends on sandbox or approval types: they map their results into these values. Unknown values stay
 * null; completeness then names them.
 *
 * @param profile           the effective profile, or null when none could be resolved (then recorded as missing)
 * @param classProfile      the admins' profile for the class ({@code RunPlan.classProfile()}), which a narrowed
 *                          effective profile came from; {@code agentgate verify --catalog} checks its hash; null
 *                          when it is the effective profile itself
 * @param approvalsRequired distinct approvals the approval rule demanded (0 for none)
 * @param artifacts         final artifact files; inside the workspace they are recorded workspace-relative;
 *                          each is copied into the bundle (symlinks refused)
 * @param credentials       the run's lease records, never values; empty when nothing was leased
 * @param egress            what the egress proxy saw, or null when no proxy ran
 * @param tools             what the tool gateway saw, or null when no gateway ran (the plan had no MCP tools)
 */
public record RunFacts(
        String runId,
        ExecutionClass executionClass,
        SandboxProfile profile,
        ProfileRef classProfile,
        String prompt,
        ModelInfo model,
        String imageRef,
        String imageDigest,
        String agentgateVersion,
        String dockerVersion,
        AgentMetadata agentMetadata,
        List<Decision> decisions,
        List<RuntimeDenial> runtimeDenials,
        List<LeaseRecord> credentials,
        EgressEvidence egress,
        ToolEvidence tools,
        List<ApprovalRecord> approvals,
        int approvalsRequired,
        Instant startedAt,
        Instant endedAt,
        Map<String, Long> phasesMillis,
        Integer exitCode,
        String terminationReason,
        Outcome outcome,
        List<Path> artifacts) {

    public RunFacts {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(outcome, "outcome");
        decisions = List.copyOf(decisions);
        runtimeDenials = List.copyOf(runtimeDenials);
        credentials = List.copyOf(credentials);
        approvals = List.copyOf(approvals);
        artifacts = List.copyOf(artifacts);
        phasesMillis = Map.copyOf(phasesMillis);
        agentMetadata = agentMetadata == null ? AgentMetadata.none() : agentMetadata;
    }

    public static Builder builder(String runId, ExecutionClass executionClass) {
        return new Builder(runId, executionClass);
    }

    /** Fluent construction; lists default to empty (recorded explicitly as {@code []}). */
    public static final class Builder {
        private final String runId;
        private final ExecutionClass executionClass;
        private SandboxProfile profile;
        private ProfileRef classProfile;
        private String prompt;
        private ModelInfo model;
        private String imageRef;
        private String imageDigest;
        private String agentgateVersion;
        private String dockerVersion;
        private AgentMetadata agentMetadata = AgentMetadata.none();
        private final List<Decision> decisions = new ArrayList<>();
        private final List<RuntimeDenial> runtimeDenials = new ArrayList<>();
        private final List<LeaseRecord> credentials = new ArrayList<>();
        private EgressEvidence egress;
        private ToolEvidence tools;
        private final List<ApprovalRecord> approvals = new ArrayList<>();
        private int approvalsRequired;
        private Instant startedAt;
        private Instant endedAt;
        private final Map<String, Long> phasesMillis = new LinkedHashMap<>();
        private Integer exitCode;
        private String terminationReason;
        private Outcome outcome;
        private final List<Path> artifacts = new ArrayList<>();

        private Builder(String runId, ExecutionClass executionClass) {
            this.runId = runId;
            this.executionClass = executionClass;
        }

        public Builder profile(SandboxProfile p) { this.profile = p; return this; }
        public Builder classProfile(ProfileRef ref) { this.classProfile = ref; return this; }
        public Builder prompt(String text) { this.prompt = text; return this; }
        public Builder model(String id, Map<String, Object> parameters) { this.model = new ModelInfo(id, parameters); return this; }
        public Builder image(String ref, String digest) { this.imageRef = ref; this.imageDigest = digest; return this; }
        public Builder agentgateVersion(String v) { this.agentgateVersion = v; return this; }
        public Builder dockerVersion(String v) { this.dockerVersion = v; return this; }
        public Builder agentMetadata(AgentMetadata m) { this.agentMetadata = m; return this; }
        public Builder decisions(List<Decision> d) { this.decisions.addAll(d); return this; }
        public Builder runtimeDenial(RuntimeDenial d) { this.runtimeDenials.add(d); return this; }
        /** Lease records (never values); none given is recorded as {@code []}. */
        public Builder credentials(List<LeaseRecord> leases) { this.credentials.addAll(leases); return this; }
        /** What the egress proxy saw; leave unset (null) when no proxy ran. */
        public Builder egress(EgressEvidence e) { this.egress = e; return this; }
        /** What the tool gateway saw; leave unset (null) when no gateway ran. */
        public Builder tools(ToolEvidence t) { this.tools = t; return this; }
        public Builder approvals(List<ApprovalRecord> a) { this.approvals.addAll(a); return this; }
        public Builder approvalsRequired(int n) { this.approvalsRequired = n; return this; }
        public Builder started(Instant t) { this.startedAt = t; return this; }
        public Builder ended(Instant t) { this.endedAt = t; return this; }
        public Builder phase(String name, long millis) { this.phasesMillis.put(name, millis); return this; }
        public Builder exitCode(Integer code) { this.exitCode = code; return this; }
        public Builder outcome(Outcome o, String terminationReason) { this.outcome = o; this.terminationReason = terminationReason; return this; }
        public Builder artifact(Path file) { this.artifacts.add(file); return this; }

        public RunFacts build() {
            return new RunFacts(runId, executionClass, profile, classProfile, prompt, model, imageRef, imageDigest, agentgateVersion,
                    dockerVersion, agentMetadata, decisions, runtimeDenials, credentials, egress, tools, approvals, approvalsRequired, startedAt,
                    endedAt, phasesMillis, exitCode, terminationReason, outcome, artifacts);
        }
    }
}
