package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import java.util.List;

/**
 * {@code evidence.json}: everything an incident reviewer needs about one run. Every field is always
 * present (null or an empty list when there is nothing), so absence can never be mistaken for "none".
 * Documented field by field in docs/evidence.md; its JSON Schema is docs/schema/evidence.schema.json.
 *
 * <p>{@code unauthorizedAttempts} is the one number for "unauthorized attempts per run": every egress attempt the
 * proxy denied (also those beyond its record limit), every tool call the tool gateway denied (likewise), plus every
 * runtime denial of the agent's own doing (any kind but {@code egress} and {@code tool}, already counted, and
 * {@code approval}, a person's decision). {@code credentials} holds the lease records (never a value; {@code []} when
 * nothing was leased); {@code egress} is null when no egress proxy ran, {@code tools} when no tool gateway ran.
 */
public record EvidenceRecord(
        String schema,
        int schemaVersion,
        String runId,
        ExecutionClass executionClass,
        ProfileRef profile,
        String policyHash,
        ProfileRef classProfile,
        Requirements requirements,
        PromptEvidence prompt,
        ModelInfo model,
        Toolchain toolchain,
        AgentMetadata agentMetadata,
        WorkspaceEvidence workspace,
        List<Decision> decisions,
        List<RuntimeDenial> runtimeDenials,
        long unauthorizedAttempts,
        List<LeaseRecord> credentials,
        EgressEvidence egress,
        ToolEvidence tools,
        List<ApprovalRecord> approvals,
        List<ArtifactRef> artifacts,
        Rollback rollback,
        Timings timings,
        Integer exitCode,
        String terminationReason,
        Outcome outcome,
        SigningInfo signing,
        Completeness completeness) {

    public static final String SCHEMA = "https://agentgate.jenkins.io/evidence/v1";
    public static final int SCHEMA_VERSION = 1;

    public EvidenceRecord {
        decisions = decisions == null ? null : List.copyOf(decisions);
        runtimeDenials = runtimeDenials == null ? null : List.copyOf(runtimeDenials);
        credentials = credentials == null ? null : List.copyOf(credentials);
        approvals = approvals == null ? null : List.copyOf(approvals);
        artifacts = artifacts == null ? null : List.copyOf(artifacts);
    }

    EvidenceRecord withCompleteness(Completeness c) {
        return new EvidenceRecord(schema, schemaVersion, runId, executionClass, profile, policyHash, classProfile,
                requirements, prompt, model, toolchain, agentMetadata, workspace, decisions, runtimeDenials, unauthorizedAttempts,
                credentials, egress, tools, approvals, artifacts,
                rollback, timings, exitCode, terminationReason, outcome, signing, c);
    }
}
