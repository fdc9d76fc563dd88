package io.jenkins.plugins.agentgate.core.credentials;

import java.io.IOException;

/**
 * Writes and removes secret files inside a running sandbox. The value travels as bytes (e.g. on the standard
 * input of {@code docker exec -i}), never on a command line. Paths are absolute paths inside the sandbox,
 * always under {@link LeaseBroker#SECRET_DIR}.
 */
public interface SecretFileChannel {

    /** Creates or replaces {@code path} with {@code bytes}, mode 0400, owned by the sandbox user. */
    void write(String path, byte[] bytes) throws IOException;

    /** Removes {@code path}; succeeds when it is already gone. */
    void remove(String path) throws IOException;
}
