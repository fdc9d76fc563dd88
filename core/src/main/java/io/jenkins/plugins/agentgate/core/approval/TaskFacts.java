package io.jenkins.plugins.agentgate.core.approval;

import java.util.List;

/**
 * What template matching needs beyond the request: the task text (checked against the request's prompt hash,
 * so it cannot differ from what was hashed) and the workspace-relative files the run will touch.
 *
 * @param prompt the task text, or null when not available (then no template can match)
 * @param files  files to be touched, or null when not known yet (before the run; path scopes are then checked
 *               after the run with {@link Templates#outsideScope})
 */
public record TaskFacts(String prompt, List<String> files) {
    public TaskFacts {
        files = files == null ? null : List.copyOf(files);
    }

    public static TaskFacts none() {
        return new TaskFacts(null, null);
    }

    public static TaskFacts prompt(String prompt) {
        return new TaskFacts(prompt, null);
    }
}
