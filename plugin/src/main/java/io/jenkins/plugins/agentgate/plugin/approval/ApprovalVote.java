package io.jenkins.plugins.agentgate.plugin.approval;

import java.io.Serializable;
import java.util.List;

/**
 * One person's recorded answer to one approval request, as the ledger the engine evaluates holds it.
 *
 * @param userId        Jenkins user id of the voter
 * @param authorities   the voter's groups at the time of voting, as the security realm granted them
 * @param administrator whether the voter held Overall/Administer (the engine decides whether that may bypass)
 * @param approve       true to approve, false to reject
 * @param digest        the digest of the request the voter saw
 * @param at            ISO-8601 instant of the vote
 * @param comment       the voter's comment, or empty
 */
public record ApprovalVote(String userId, List<String> authorities, boolean administrator, boolean approve, String digest,
                           String at, String comment) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ApprovalVote {
        authorities = authorities == null ? List.of() : List.copyOf(authorities);
        comment = comment == null ? "" : comment;
    }
}
