package io.jenkins.plugins.agentgate.plugin;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.security.SecurityRealm;
import java.util.List;
import jenkins.model.IdStrategy;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

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

    /** Throws {@code AccessDeniedException3} unless the current user holds {@code permission} on {@code object}. */
    public void checkPermission(@NonNull AccessControlled object, @NonNull Permission permission) {
        object.checkPermission(permission);
    }

    /** Whether the current user holds {@code permission} on {@code object}. */
    public boolean hasPermission(@NonNull AccessControlled object, @NonNull Permission permission) {
        return object.hasPermission(permission);
    }

    /**
     * The authenticated user's id, or {@code null} for anonymous callers and for SYSTEM (a build running
     * without Authorize Project runs as SYSTEM, which is nobody in particular).
     */
    public String currentUserId() {
        Authentication auth = Jenkins.getAuthentication2();
        if (ACL.SYSTEM_USERNAME.equals(auth.getName())) {
            return null;
        }
        User user = User.get2(auth);
        return user == null ? null : user.getId();
    }

    /** The authorities (groups) of the current authentication, as the security realm grants them. */
    @NonNull
    public List<String> currentAuthorities() {
        Authentication auth = Jenkins.getAuthentication2();
        return auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(a -> a != null && !a.equals(SecurityRealm.AUTHENTICATED_AUTHORITY2.getAuthority())).toList();
    }

    /** How the security realm compares user ids (case rules belong to the realm, not to us). */
    @NonNull
    public IdStrategy userIdStrategy() {
        return jenkins().getSecurityRealm().getUserIdStrategy();
    }

    /** How the security realm compares group names. */
    @NonNull
    public IdStrategy groupIdStrategy() {
        return jenkins().getSecurityRealm().getGroupIdStrategy();
    }
}
