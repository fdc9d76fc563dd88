package io.jenkins.plugins.agentgate.core.egress;

/**
 * The policy's answer for one host and port.
 *
 * @param allowed whether the destination may be reached
 * @param rule    rule id from {@link EgressRules}
 * @param pattern the matching allow or deny pattern ({@code host:port}), or null when none matched
 */
public record EgressDecision(boolean allowed, String rule, String pattern) {}
