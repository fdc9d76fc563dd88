package io.jenkins.plugins.agentgate.plugin.steps;

import java.util.concurrent.TimeUnit;

/**
 * Whether this machine can run the sandbox: a Docker engine and the test image that {@code .ci/run} builds
 * locally ({@code docker import} of a busybox rootfs). Tests that need it are skipped elsewhere with a message
 * that says what is missing.
 */
final class Sandboxes {

    static final String IMAGE = "agentgate-test/busybox:1";

    private Sandboxes() {
    }

    static boolean ready() {
        return exits0("docker", "version") && exits0("docker", "image", "inspect", IMAGE);
    }

    static String missing() {
        return "needs a running Docker engine and the local image " + IMAGE + " (built by .ci/run)";
    }

    private static boolean exits0(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
