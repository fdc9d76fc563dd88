package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import java.util.List;

/**
 * A pre-approved task shape for low-risk work.
 *
 * @param id            template id recorded in evidence
 * @param description   what the template is for
 * @param classes       classes it may approve
 * @param promptPattern regular expression the whole task text must match, or null for any
 * @param pathScope     workspace-relative glob patterns the run may change (empty: any)
 */
public record TaskTemplate(String id, String description, List<ExecutionClass> classes, String promptPattern,
                           List<String> pathScope) {
    public TaskTemplate {
        classes = classes == null ? List.of() : classes.stream().distinct().sorted().toList();
        pathScope = Lists.sortedDistinct(pathScope);
    }
}
