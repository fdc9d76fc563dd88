package io.jenkins.plugins.agentgate.core.credentials;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** In-memory files, for the broker's timing logic; DockerSecretFileChannelTest covers the real channel. */
final class RecordingFileChannel implements SecretFileChannel {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    boolean failRemovals;

    @Override
    public synchronized void write(String path, byte[] bytes) {
        LeaseBroker.checkSecretPath(path);
        files.put(path, bytes.clone());
        log.add("write " + path);
    }

    @Override
    public synchronized void remove(String path) throws IOException {
        if (failRemovals) {
            throw new IOException("container is gone");
        }
        files.remove(path);
        log.add("remove " + path);
    }
}
