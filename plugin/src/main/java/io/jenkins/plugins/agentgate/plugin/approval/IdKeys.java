package io.jenkins.plugins.agentgate.plugin.approval;

import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The security realm's id comparison, frozen on the controller for every id one approval evaluation can meet
 * (voters, their groups, the approver set, the requester), so the agent can repeat the evaluation for the
 * evidence without reaching the realm. An id it was not given compares equal to nothing else.
 *
 * @param users  user id → comparison key
 * @param groups group id → comparison key
 */
public record IdKeys(Map<String, String> users, Map<String, String> groups) implements IdMatcher, Serializable {

    private static final long serialVersionUID = 1L;

    public IdKeys {
        users = Map.copyOf(users);
        groups = Map.copyOf(groups);
    }

    /** The keys {@code ids} gives for the ids of {@code plan}'s approval rule, its requester and {@code votes}. */
    public static IdKeys of(IdMatcher ids, RunPlan plan, List<ApprovalVote> votes) {
        Map<String, String> u = new HashMap<>();
        Map<String, String> g = new HashMap<>();
        plan.effective().approval().approvers().users().forEach(id -> u.put(id, ids.userKey(id)));
        plan.effective().approval().approvers().groups().forEach(id -> g.put(id, ids.groupKey(id)));
        if (plan.requester() != null) {
            u.put(plan.requester(), ids.userKey(plan.requester()));
        }
        for (ApprovalVote v : votes) {
            u.put(v.userId(), ids.userKey(v.userId()));
            v.authorities().forEach(id -> g.put(id, ids.groupKey(id)));
        }
        return new IdKeys(u, g);
    }

    @Override
    public String userKey(String id) {
        return users.getOrDefault(id, "\u0000unknown:" + id);
    }

    @Override
    public String groupKey(String id) {
        return groups.getOrDefault(id, "\u0000unknown:" + id);
    }
}
