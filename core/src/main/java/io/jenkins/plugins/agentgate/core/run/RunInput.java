package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One governed run's input.
 *
 * @param catalog   the admins' catalog
 * @param request   what the pipeline or user asks for
 * @param taskText  the task prompt; reaches the agent as a read-only file
 * @param workspace host directory the agent works in
 * @param command   the agent's command inside the container
 * @param output    where the agent's output goes (capped); not closed
 */
public record RunInput(ProfileCatalog catalog, RunRequest request, String taskText, Path workspace, List<String> command,
                       OutputStream output) {
    public RunInput {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(taskText, "taskText");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(output, "output");
        command = List.copyOf(command);
    }
}
