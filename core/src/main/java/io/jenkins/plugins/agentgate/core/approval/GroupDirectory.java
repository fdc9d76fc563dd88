package io.jenkins.plugins.agentgate.core.approval;

import java.util.Set;

/**
 * Which groups an approver belongs to. The channel that took the decision asserts the groups it saw
 * (Jenkins: the authorities of the authenticated user; CLI: {@code --groups}) and records them in the ledger;
 * a directory may replace or narrow them when a more authoritative source exists.
 */
@FunctionalInterface
public interface GroupDirectory {
    /** Trust the groups the channel recorded with the decision. */
    GroupDirectory ASSERTED = (user, asserted) -> asserted;

    /**
     * @param user     the approver's id as recorded
     * @param asserted the groups the channel recorded with the decision
     * @return the groups to use when checking the approver set
     */
    Set<String> groupsOf(String user, Set<String> asserted);
}
