package io.jenkins.plugins.agentgate.core.profile;

import java.util.List;

/** Tools declared up front; anything else is an unauthorized attempt. */
public record ToolPolicy(List<String> allowed) {
    public ToolPolicy {
        allowed = Lists.sortedDistinct(allowed);
    }
}
