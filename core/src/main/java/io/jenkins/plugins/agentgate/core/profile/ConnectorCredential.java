package io.jenkins.plugins.agentgate.core.profile;

import java.util.Objects;

/**
 * A credential a connector command receives in its environment: resolved on the host through the secret
 * source, never on an argv, never in the sandbox.
 *
 * @param id  credential id for the secret source
 * @param env name of the environment variable that receives the value
 */
public record ConnectorCredential(String id, String env) {
    public ConnectorCredential {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(env, "env");
    }
}
