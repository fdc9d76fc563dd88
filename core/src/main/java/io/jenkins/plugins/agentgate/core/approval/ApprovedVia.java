package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How an approved request got its approval. */
public enum ApprovedVia {
    /** The class's rule requires none. */
    NOT_REQUIRED,
    /** A pre-approved template. */
    TEMPLATE,
    /** People from the approver set (one owner, or two for dual control). */
    APPROVERS,
    /** An administrator alone, where the profile allows it. */
    BYPASS;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
