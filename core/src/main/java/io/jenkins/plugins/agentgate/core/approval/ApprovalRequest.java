package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an approver approves: exactly this, identified by {@link #digest()}. Approvals and rejections are
 * bound to the digest; when anything in it changes, earlier decisions no longer count (they are stale).
 *
 * @param executionClass the run's declared class
 * @param profile        the effective profile: id, version and policy hash
 * @param promptHash     {@code sha256:<hex>} of the task text (see {@link #promptHashOf})
 * @param diffDigest     digest of the diff summary, or null for a pre-run gate (nothing changed yet)
 * @param credentials    credential scopes the run will be granted (id, TTL, injection mode; never values)
 * @param action         the planned action in words, as the approver reads it
 * @param requester      who asked for the run; never an approver of it
 * @param createdAt      when the request was made; informative, not part of the digest (a run that asks
 *                       again for the same thing keeps the approvals it already has)
 */
public record ApprovalRequest(ExecutionClass executionClass, ProfileRef profile, String promptHash, String diffDigest,
                              List<CredentialGrant> credentials, String action, String requester, Instant createdAt) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public ApprovalRequest {
        Objects.requireNonNull(executionClass, "executionClass");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(profile.id(), "profile.id");
        Objects.requireNonNull(profile.hash(), "profile.hash (policy hash)");
        requireDigest("promptHash", promptHash, false);
        requireDigest("diffDigest", diffDigest, true);
        credentials = credentials == null ? List.of()
                : credentials.stream().sorted(Comparator.comparing(CredentialGrant::id)).toList();
        action = action == null ? "" : action;
        if (requester == null || requester.isBlank()) {
            throw new IllegalArgumentException("requester is missing; expected the id of whoever asked for the run");
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The request of a run the policy engine allowed: class, effective profile, policy hash, grants, requester. */
    public static ApprovalRequest of(RunPlan plan, String promptHash, String diffDigest, String action, Instant createdAt) {
        return new ApprovalRequest(plan.executionClass(),
                new ProfileRef(plan.effective().id(), plan.effective().version(), plan.policyHash()),
                promptHash, diffDigest, plan.credentials(), action, plan.requester(), createdAt);
    }

    /** {@code sha256:<hex>} over the UTF-8 bytes of the task text. */
    public static String promptHashOf(String prompt) {
        return "sha256:" + Digests.sha256Hex(prompt);
    }

    /** True when {@code hash} is the prompt hash of {@code prompt} (also accepted without the {@code sha256:} prefix). */
    public static boolean promptMatches(String hash, String prompt) {
        if (hash == null || prompt == null) {
            return false;
        }
        String hex = Digests.sha256Hex(prompt);
        return hash.equals("sha256:" + hex) || hash.equals(hex);
    }

    /** The digest approvals are bound to: SHA-256 over the canonical JSON of every field but {@code createdAt}. */
    @JsonIgnore
    public String digest() {
        return "sha256:" + Digests.sha256Hex(CanonicalJson.bytes(digestForm()));
    }

    /** The canonical content the digest covers (shown by {@code agentgate approve --show --json}). */
    @JsonIgnore
    public ObjectNode digestForm() {
        ObjectNode tree = CanonicalJson.mapper().valueToTree(this);
        tree.remove("createdAt");
        return tree;
    }

    public static boolean isDigest(String value) {
        return value != null && DIGEST.matcher(value).matches();
    }

    private static void requireDigest(String field, String value, boolean optional) {
        if (value == null && optional) {
            return;
        }
        if (value == null || !(isDigest(value) || value.matches("[0-9a-f]{64}"))) {
            throw new IllegalArgumentException(field + " '" + value + "' is not valid; expected sha256:<64 lower-case hex digits>"
                    + (optional ? " or nothing" : ""));
        }
    }
}
