package io.jenkins.plugins.agentgate.plugin.approval;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.ExtensionList;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import jenkins.model.IdStrategy;

/** Finds the installed {@link ApprovalEngine} and the realm's id comparison. */
public final class ApprovalEngines {

    private static final ApprovalEngine NOT_CONNECTED = new NotConnectedApprovalEngine();

    private ApprovalEngines() {
    }

    /** The first installed engine (by ordinal), or the fail-closed {@link NotConnectedApprovalEngine}. */
    @NonNull
    public static ApprovalEngine current() {
        ExtensionList<ApprovalEngine> all = ExtensionList.lookup(ApprovalEngine.class);
        return all.isEmpty() ? NOT_CONNECTED : all.get(0);
    }

    /** The security realm's id strategies as an {@link IdMatcher}. */
    @NonNull
    public static IdMatcher ids(@NonNull JenkinsFacade jenkins) {
        IdStrategy users = jenkins.userIdStrategy();
        IdStrategy groups = jenkins.groupIdStrategy();
        return new IdMatcher() {
            @Override
            public boolean sameUser(String a, String b) {
                return a != null && b != null && users.equals(a, b);
            }

            @Override
            public boolean sameGroup(String a, String b) {
                return a != null && b != null && groups.equals(a, b);
            }
        };
    }
}
