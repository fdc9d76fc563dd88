package io.jenkins.plugins.agentgate.plugin.request;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.ConfigProblem;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.plugin.config.AgentGateConfiguration;
import java.util.stream.Collectors;

/**
 * Asks core's policy engine, on the controller, what a step's request amounts to. The controller needs the
 * plan before anything leaves it: to resolve only the credentials the plan grants, and to show approvers the
 * policy hash the agent will run under. (The agent decides again from the same catalog text and request, and
 * the run's gate checks that both decisions carry the same policy hash.)
 */
public final class RequestPlanner {

    private RequestPlanner() {
    }

    /** A request with core's decision about it. */
    public record Planned(ProfileCatalog catalog, RunRequest request, PolicyResult result) {
        /** The plan, or null when the policy denied the request. */
        public RunPlan plan() {
            return result.allowed() ? result.plan() : null;
        }
    }

    /**
     * @throws AbortException when the catalog in force is invalid or an argument does not parse; the message
     *                        names the field, the value and what was expected
     */
    @NonNull
    public static Planned plan(@NonNull RequestFields fields) throws AbortException {
        ProfileCatalog catalog;
        try {
            catalog = AgentGateConfiguration.get().getCatalog();
        } catch (CatalogException e) {
            throw new AbortException(Messages.RequestPlanner_CatalogInvalid(
                    e.problems().stream().map(ConfigProblem::format).collect(Collectors.joining("; "))));
        }
        RunRequest request;
        try {
            request = fields.toRunRequest();
        } catch (IllegalArgumentException e) {
            throw new AbortException(e.getMessage());
        }
        return new Planned(catalog, request, new PolicyEngine().decide(catalog, request));
    }

    /** The denials of a denied request, one line each, for the build log and the abort message. */
    @NonNull
    public static String denials(@NonNull PolicyResult result) {
        return result.denials().stream().map(d -> d.format()).collect(Collectors.joining("; "));
    }
}
