package io.jenkins.plugins.agentgate.core.credentials;

import java.io.IOException;
import java.util.List;

/**
 * {@link SecretFileChannel} over a {@link ContainerExec}: the value goes to {@code cat} on standard input, into
 * a temporary file created with umask 0377 (so it is never readable by others, not even for a moment), then
 * renamed into place. Needs {@code sh}, {@code cat}, {@code chmod}, {@code mv} and {@code rm} in the image
 * (busybox has them). The exec runs as the sandbox user, who owns the tmpfs, so the file is theirs.
 */
public final class ExecSecretFileChannel implements SecretFileChannel {
    // "$1" is the target path (argv, not secret); the value arrives on stdin only. chmod 0700 on the directory
    // re-asserts the tmpfs contract (docker copies the mode of a mount point that exists in the image) and fails
    // the write when the sandbox user does not own it.
    static final String WRITE_SCRIPT = "set -e; umask 0377; chmod 0700 -- \"${1%/*}\"; t=\"$1.tmp.$$\"; rm -f -- \"$t\";"
            + " cat > \"$t\"; chmod 0400 -- \"$t\"; mv -f -- \"$t\" \"$1\"";
    static final String REMOVE_SCRIPT = "rm -f -- \"$1\"";

    private final ContainerExec exec;

    public ExecSecretFileChannel(ContainerExec exec) {
        this.exec = exec;
    }

    @Override
    public void write(String path, byte[] bytes) throws IOException {
        run("write", path, WRITE_SCRIPT, bytes);
    }

    @Override
    public void remove(String path) throws IOException {
        run("remove", path, REMOVE_SCRIPT, new byte[0]);
    }

    private void run(String what, String path, String script, byte[] stdin) throws IOException {
        LeaseBroker.checkSecretPath(path);
        ContainerExec.Result r;
        try {
            r = exec.exec(List.of("sh", "-c", script, "agentgate-secret-" + what, path), stdin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while trying to " + what + " secret file " + path, e);
        }
        if (r.exitCode() != 0) {
            throw new IOException("could not " + what + " secret file " + path + " in the sandbox (exit " + r.exitCode()
                    + "): " + r.stderr().strip());
        }
    }
}
