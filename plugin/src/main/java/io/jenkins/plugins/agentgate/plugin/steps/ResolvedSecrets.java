package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Core's {@link SecretSource} on the agent, over the values the controller resolved from the credentials
 * plugin for the plan's grants only. The map lives in memory for one run and is wiped by {@link #wipe}.
 */
final class ResolvedSecrets implements SecretSource {

    private final Map<String, byte[]> values;

    ResolvedSecrets(Map<String, byte[]> values) {
        this.values = values;
    }

    @Override
    public SecretValue resolve(String credentialId) throws SecretSourceException {
        byte[] v = values.get(credentialId);
        if (v == null) {
            throw new SecretSourceException(credentialId, Messages.ResolvedSecrets_NotResolved(credentialId));
        }
        return SecretValue.ofOwned(v.clone());
    }

    @Override
    public Set<String> ids() {
        return Set.copyOf(values.keySet());
    }

    void wipe() {
        values.values().forEach(v -> Arrays.fill(v, (byte) 0));
    }
}
