package io.jenkins.plugins.agentgate.core.approval;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One decision in the ledger, as the channel that took it recorded it.
 *
 * @param decision      approve, reject or bypass
 * @param identity      the deciding user's id, as authenticated by the channel
 * @param groups        the groups the channel asserted for that user at decision time
 * @param admin         whether the channel asserted administrator rights (Jenkins: ADMINISTER); only a bypass uses it
 * @param at            when the decision was taken
 * @param requestDigest the {@link ApprovalRequest#digest()} the person saw and decided on
 * @param comment       the person's words, may be empty
 */
public record LedgerEntry(DecisionKind decision, String identity, List<String> groups, boolean admin, Instant at,
                          String requestDigest, String comment) {
    public LedgerEntry {
        Objects.requireNonNull(decision, "decision");
        if (identity == null || identity.isBlank()) {
            throw new IllegalArgumentException("identity '" + identity + "' is not valid; expected a user id");
        }
        groups = groups == null ? List.of() : groups.stream().filter(g -> !g.isBlank()).distinct().sorted().toList();
        Objects.requireNonNull(at, "at");
        if (!ApprovalRequest.isDigest(requestDigest)) {
            throw new IllegalArgumentException("requestDigest '" + requestDigest
                    + "' is not valid; expected sha256:<64 lower-case hex digits>");
        }
        comment = comment == null ? "" : comment;
    }
}
