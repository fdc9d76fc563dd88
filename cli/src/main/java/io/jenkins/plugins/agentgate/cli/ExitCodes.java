package io.jenkins.plugins.agentgate.cli;

/** Exit codes of {@code agentgate}; docs/cli.md documents them and scripts rely on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int AGENT_FAILED = 1;
    public static final int USAGE = 2;
    public static final int POLICY_DENIED = 3;
    public static final int APPROVAL_MISSING = 4;
    public static final int VERIFICATION_FAILED = 5;
    public static final int RUNTIME_ERROR = 6;

    private ExitCodes() {}
}
