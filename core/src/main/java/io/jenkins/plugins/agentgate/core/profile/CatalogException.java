package io.jenkins.plugins.agentgate.core.profile;

import java.util.List;
import java.util.stream.Collectors;

/** A catalog that failed validation, with every problem found (not just the first). */
public final class CatalogException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public CatalogException(List<ConfigProblem> problems) {
        super(problems.size() + " problem(s) in the profile catalog:\n"
                + problems.stream().map(ConfigProblem::format).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
