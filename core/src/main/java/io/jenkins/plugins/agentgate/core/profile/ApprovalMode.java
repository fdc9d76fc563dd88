package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The human checkpoint of a class, from weakest to strongest. */
public enum ApprovalMode {
    /** No approval. */
    NONE,
    /** Only runs matching a pre-approved template may start without a human. */
    TEMPLATE,
    /** One approval from the owner set, never the requester. */
    OWNER,
    /** Two distinct approvers, neither the requester, then an execution window. */
    DUAL;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
