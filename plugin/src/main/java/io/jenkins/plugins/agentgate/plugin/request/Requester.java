package io.jenkins.plugins.agentgate.plugin.request;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.model.Cause;
import hudson.model.Run;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;

/**
 * Who asks for a run: the authenticated user the build runs as (e.g. through Authorize Project), else the
 * user who started the build, else {@code anonymous} (timer or SCM builds: nobody can then approve as the
 * requester, since core never matches {@code anonymous} to a real user).
 */
public final class Requester {

    private Requester() {
    }

    @NonNull
    public static String of(@NonNull Run<?, ?> run, @NonNull JenkinsFacade jenkins) {
        String current = jenkins.currentUserId();
        if (current != null) {
            return current;
        }
        Cause.UserIdCause cause = run.getCause(Cause.UserIdCause.class);
        if (cause != null && cause.getUserId() != null) {
            return cause.getUserId();
        }
        return "anonymous";
    }
}
