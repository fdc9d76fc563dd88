package io.jenkins.plugins.agentgate.plugin.approval;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.ExtensionList;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import jenkins.model.IdStrategy;

/** Finds the installed {@link ApprovalEngine} and the realm's id comparison. */
public final class ApprovalEngines {

    private static final ApprovalEngine CORE = new CoreApprovalEngine();

    private ApprovalEngines() {
    }

    /** The first installed engine (by ordinal); {@link CoreApprovalEngine} when none is registered. */
    @NonNull
    public static ApprovalEngine current() {
        ExtensionList<ApprovalEngine> all = ExtensionList.lookup(ApprovalEngine.class);
        return all.isEmpty() ? CORE : all.get(0);
    }

    /** The security realm's id strategies as an {@link IdMatcher}. */
    @NonNull
    public static IdMatcher ids(@NonNull JenkinsFacade jenkins) {
        IdStrategy users = jenkins.userIdStrategy();
        IdStrategy groups = jenkins.groupIdStrategy();
        return new IdMatcher() {
            @Override
            public String userKey(String id) {
                return users.keyFor(id);
            }

            @Override
            public String groupKey(String id) {
                return groups.keyFor(id);
            }
        };
    }
}
