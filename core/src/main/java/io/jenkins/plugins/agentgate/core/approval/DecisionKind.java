package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a person decided on a request, as the ledger stores it. */
public enum DecisionKind {
    /** An approval from the approver set. */
    APPROVE,
    /** A refusal; one valid rejection refuses the request, whatever approvals it already has. */
    REJECT,
    /** An administrator approving alone; counts only where the profile allows it, and is recorded as a bypass. */
    BYPASS;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DecisionKind parse(String value) {
        for (DecisionKind d : values()) {
            if (d.id().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("decision '" + value + "' is not known; expected approve, reject or bypass");
    }
}
