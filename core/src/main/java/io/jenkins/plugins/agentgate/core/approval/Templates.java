package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Matching runs against pre-approved task templates. */
public final class Templates {
    private Templates() {}

    /**
     * Why {@code template} does not pre-approve this run, or null when it does.
     *
     * @param facts the task text (must hash to the request's prompt hash) and the files to be touched when known
     */
    public static String mismatch(TaskTemplate template, ExecutionClass executionClass, String promptHash, TaskFacts facts) {
        if (!template.classes().contains(executionClass)) {
            return "template " + template.id() + " is for " + template.classes().stream().map(ExecutionClass::id).toList()
                    + ", not " + executionClass.id();
        }
        if (facts.prompt() == null) {
            return "template " + template.id() + ": the task text is not available to check";
        }
        if (!ApprovalRequest.promptMatches(promptHash, facts.prompt())) {
            return "template " + template.id() + ": the task text given does not hash to the request's prompt hash";
        }
        if (template.promptPattern() != null && !Pattern.compile(template.promptPattern()).matcher(facts.prompt()).matches()) {
            return "template " + template.id() + ": the task text does not match the pattern " + template.promptPattern();
        }
        if (facts.files() != null) {
            List<String> outside = outsideScope(template, facts.files());
            if (!outside.isEmpty()) {
                return "template " + template.id() + ": " + outside + " outside its path scope " + template.pathScope();
            }
        }
        return null;
    }

    /**
     * The files outside the template's path scope (none when the scope is empty). A path that is absolute or has a {@code ..}
     * segment is always outside. The run calls this after the sandbox when the files were not known
     * before it.
     */
    public static List<String> outsideScope(TaskTemplate template, List<String> files) {
        List<String> outside = new ArrayList<>();
        if (template.pathScope().isEmpty()) {
            return outside;
        }
        List<PathMatcher> matchers = template.pathScope().stream()
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        for (String f : files) {
            Path p = Path.of(f).normalize();
            boolean climbs = java.util.Arrays.asList(f.split("/")).contains("..");
            boolean inside = !p.isAbsolute() && !climbs && !f.contains("\\") && matchers.stream().anyMatch(m -> m.matches(p));
            if (!inside) {
                outside.add(f);
            }
        }
        return outside;
    }
}
