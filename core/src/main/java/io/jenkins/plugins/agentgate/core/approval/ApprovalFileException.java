package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.ConfigProblem;
import java.io.IOException;

/** A request or ledger file that cannot be used, naming file, line, field, value and what was expected. */
public final class ApprovalFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient ConfigProblem problem;

    public ApprovalFileException(ConfigProblem problem) {
        super(problem.format());
        this.problem = problem;
    }

    public ConfigProblem problem() {
        return problem;
    }
}
