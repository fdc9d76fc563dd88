package io.jenkins.plugins.agentgate.core.egress;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Run as a separate process by EgressReaperTest: holds a lock on a file, as a live proxy in another process does. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            ch.lock();
            System.out.print("locked");
            System.out.flush();
            Thread.sleep(60_000); // bounded: the test destroys it long before
        }
    }
}
