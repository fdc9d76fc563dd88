package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/** A set of users and groups, compared through the security realm's id strategy. */
public record Approvers(List<String> users, List<String> groups) {
    public Approvers {
        users = Lists.sortedDistinct(users);
        groups = Lists.sortedDistinct(groups);
    }

    public static Approvers none() {
        return new Approvers(List.of(), List.of());
    }

    @JsonIgnore
    public boolean isEmpty() {
        return users.isEmpty() && groups.isEmpty();
    }
}
