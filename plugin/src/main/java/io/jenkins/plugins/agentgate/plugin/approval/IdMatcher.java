package io.jenkins.plugins.agentgate.plugin.approval;

/**
 * How user ids and group names compare: the security realm's id strategies, handed to the engine. Two ids name
 * the same principal exactly when their keys are equal.
 */
public interface IdMatcher {
    String userKey(String id);

    String groupKey(String id);
}
