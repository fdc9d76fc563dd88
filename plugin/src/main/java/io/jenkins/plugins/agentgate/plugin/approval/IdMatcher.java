package io.jenkins.plugins.agentgate.plugin.approval;

/** How user ids and group names compare: the security realm's id strategies, handed to the engine. */
public interface IdMatcher {
    boolean sameUser(String a, String b);

    boolean sameGroup(String a, String b);
}
