package io.jenkins.plugins.agentgate.plugin;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.security.Permission;
import jenkins.model.Jenkins;

/**
 * The only class of the plugin that reaches the running Jenkins instance (ArchUnit-enforced), so every
 * other class can be read, tested and reviewed for what it asks of Jenkins: permissions and the root
 * item group.
 */
public class JenkinsFacade {

    /** The running controller. */
    @NonNull
    public Jenkins jenkins() {
        return Jenkins.get();
    }

    /** Whether the current user holds {@code permission} on the controller. */
    public boolean hasPermission(@NonNull Permission permission) {
        return jenkins().hasPermission(permission);
    }

    /** Throws {@code AccessDeniedException3} unless the current user holds {@code permission} on the controller. */
    public void checkPermission(@NonNull Permission permission) {
        jenkins().checkPermission(permission);
    }
}
