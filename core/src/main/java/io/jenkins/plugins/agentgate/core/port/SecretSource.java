package io.jenkins.plugins.agentgate.core.port;

import java.util.Set;

/**
 * Where secret values come from, by credential id. Only the credential broker calls it, and only after the
 * policy engine granted a lease for the id. The CLI reads files and environment variables; the Jenkins plugin
 * reads the credentials plugin.
 */
public interface SecretSource {

    /**
     * Resolves one credential.
     *
     * @return a fresh value the caller owns (and wipes)
     * @throws SecretSourceException when the id is unknown or its value cannot be read; the message names the
     *                               id and the source, never the value
     */
    SecretValue resolve(String credentialId) throws SecretSourceException;

    /** Ids this source can resolve (for error messages and `policy` output); values are not read. */
    Set<String> ids();
}
