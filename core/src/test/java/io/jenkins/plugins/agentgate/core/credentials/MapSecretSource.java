package io.jenkins.plugins.agentgate.core.credentials;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** Secrets held in memory, for broker tests (pure logic; the CLI's file/env source has its own tests). */
record MapSecretSource(Map<String, String> values) implements SecretSource {
    @Override
    public SecretValue resolve(String id) throws SecretSourceException {
        String v = values.get(id);
        if (v == null) {
            throw new SecretSourceException(id, "credential '" + id + "' is not configured; known: " + values.keySet());
        }
        return SecretValue.ofOwned(v.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Set<String> ids() {
        return values.keySet();
    }
}
