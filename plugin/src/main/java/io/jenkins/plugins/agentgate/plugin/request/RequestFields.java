package io.jenkins.plugins.agentgate.plugin.request;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.profile.Values;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * A step's request as plain strings: serializable, so the same request is rebuilt on the agent (core's
 * records are not {@link Serializable}). Parsing is core's; errors name the step argument.
 *
 * @param executionClass draft, delivery or privileged
 * @param profile        profile id to narrow to, or null
 * @param image          image reference, or null
 * @param tools          tools, or null for the profile's
 * @param credentials    credential ids
 * @param network        destinations, or null for the profile's
 * @param timeout        duration text, or null
 * @param model          model name (recorded and passed to the agent as {@code AGENTGATE_MODEL}), or null
 * @param taskText       the task prompt
 * @param diffSummary    diff summary shown to approvers, or null
 * @param plannedAction  planned action shown to approvers, or null
 * @param requester      who asked for the run
 */
public record RequestFields(String executionClass, String profile, String image, List<String> tools, List<String> credentials,
                     List<String> network, String timeout, String model, String taskText, String diffSummary,
                     String plannedAction, String requester) implements Serializable {

    private static final long serialVersionUID = 1L;

    public RequestFields {
        tools = tools == null ? null : List.copyOf(tools);
        credentials = credentials == null ? List.of() : List.copyOf(credentials);
        network = network == null ? null : List.copyOf(network);
    }

    /**
     * Core's request.
     *
     * @throws IllegalArgumentException naming the step argument, the value and what was expected
     */
    public RunRequest toRunRequest() {
        ExecutionClass cls;
        try {
            cls = ExecutionClass.parse(executionClass);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(Messages.RequestFields_BadArgument("executionClass", e.getMessage()), e);
        }
        Duration limit = null;
        if (timeout != null) {
            try {
                limit = Values.duration(timeout);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(Messages.RequestFields_BadArgument("timeout", e.getMessage()), e);
            }
        }
        return RunRequest.builder(cls).profileId(profile).image(image).tools(tools).network(network).timeout(limit)
                .credentials(credentials.stream().map(CredentialRequest::of).toList()).requester(requester).build();
    }
}
