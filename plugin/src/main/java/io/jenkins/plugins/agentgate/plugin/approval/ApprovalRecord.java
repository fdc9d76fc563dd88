package io.jenkins.plugins.agentgate.plugin.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import edu.umd.cs.findbugs.annotations.NonNull;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import java.util.ArrayList;
import java.util.List;

/**
 * One approval request of a build and its votes, as stored in {@code build.xml}. Core's and the plugin's
 * records are kept as canonical JSON strings here because XStream cannot read Java records back.
 * Nothing in it is secret: credential ids and scopes only, never values.
 */
public final class ApprovalRecord {

    private final String id;
    private final String fieldsJson;
    private String questionJson;
    private String digest;
    private final String createdAt;
    private final String deadline;
    private ApprovalState state = ApprovalState.PENDING;
    private String reason = "";
    private List<String> approvers = new ArrayList<>();
    private final List<String> votes = new ArrayList<>();

    ApprovalRecord(String id, RequestFields fields, ApprovalQuestion question, String digest, String createdAt, String deadline) {
        this.id = id;
        this.fieldsJson = CanonicalJson.string(fields);
        this.questionJson = CanonicalJson.string(question);
        this.digest = digest;
        this.createdAt = createdAt;
        this.deadline = deadline;
    }

    public String getId() {
        return id;
    }

    @NonNull
    public RequestFields fields() {
        return read(fieldsJson, RequestFields.class);
    }

    /** What is asked (shown on the approval page). */
    @NonNull
    public ApprovalQuestion getQuestion() {
        return read(questionJson, ApprovalQuestion.class);
    }

    /** The digest approvers see and post back: they approve exactly this. */
    public String getDigest() {
        return digest;
    }

    public String getCreatedAt() {
        return createdAt;
    }

    /** When the waiting step gives up (ISO-8601). */
    public String getDeadline() {
        return deadline;
    }

    public ApprovalState getState() {
        return state;
    }

    public String getReason() {
        return reason;
    }

    public List<String> getApprovers() {
        return List.copyOf(approvers);
    }

    @NonNull
    public List<ApprovalVote> getVotes() {
        List<ApprovalVote> out = new ArrayList<>();
        for (String v : votes) {
            out.add(read(v, ApprovalVote.class));
        }
        return out;
    }

    public boolean isOpen() {
        return !state.settles();
    }

    void addVote(ApprovalVote vote) {
        votes.add(CanonicalJson.string(vote));
    }

    /** The question may have changed (e.g. the admins changed the catalog): its digest then changes too. */
    void requestNow(ApprovalQuestion question, String digest) {
        this.questionJson = CanonicalJson.string(question);
        this.digest = digest;
    }

    void update(ApprovalVerdict verdict) {
        state = verdict.state();
        reason = verdict.reason();
        approvers = new ArrayList<>(verdict.approvers());
    }

    void settle(ApprovalState state, String reason) {
        this.state = state;
        this.reason = reason;
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return CanonicalJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored approval record " + id(json) + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    private static String id(String json) {
        return json.length() > 40 ? json.substring(0, 40) + "…" : json;
    }
}
