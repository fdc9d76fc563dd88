package io.jenkins.plugins.agentgate.core.policy;

/**
 * One policy decision, as it goes into logs and evidence.
 *
 * @param subject   what was decided on, e.g. {@code tool}, {@code network}, {@code limit.memory}
 * @param requested the requested value as text
 * @param verdict   allow or deny
 * @param ruleId    the rule that decided (see {@link Rules})
 * @param reason    one sentence for people: what was asked, what the profile allows
 */
public record Decision(String subject, String requested, Verdict verdict, String ruleId, String reason) {
    public static Decision allow(String subject, String requested, String ruleId, String reason) {
        return new Decision(subject, requested, Verdict.ALLOW, ruleId, reason);
    }

    public static Decision deny(String subject, String requested, String ruleId, String reason) {
        return new Decision(subject, requested, Verdict.DENY, ruleId, reason);
    }

    public boolean denied() {
        return verdict == Verdict.DENY;
    }

    /** {@code DENY tool 'curl' [tool.allowlist]: ...} for logs and error messages. */
    public String format() {
        return verdict.name() + " " + subject + " '" + requested + "' [" + ruleId + "]: " + reason;
    }
}
