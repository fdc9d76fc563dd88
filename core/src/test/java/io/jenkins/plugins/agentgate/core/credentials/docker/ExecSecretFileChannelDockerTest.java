package io.jenkins.plugins.agentgate.core.credentials.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.credentials.ExecSecretFileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Contract of {@link ExecSecretFileChannel} against a real container and a real {@code docker exec -i}. */
class ExecSecretFileChannelDockerTest {
    private static final String NAME = "agentgate-cred-channel-" + UUID.randomUUID().toString().substring(0, 8);
    private static ExecSecretFileChannel channel;
    private static DockerExec exec;

    @BeforeAll
    static void start() throws Exception {
        String image = Docker.busyboxImage();
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(Docker.sandboxOptions(NAME));
        args.addAll(List.of(image, "sleep", "120"));
        Docker.Result r = Docker.run(args, Map.of(), null, 120);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Docker.awaitRunning(NAME, 30);
        exec = new DockerExec(NAME);
        channel = new ExecSecretFileChannel(exec);
    }

    @AfterAll
    static void stop() {
        Docker.removeQuietly(NAME);
    }

    private static String sh(String script) throws Exception {
        var r = Docker.run(List.of("exec", NAME, "sh", "-c", script), Map.of(), null, 60);
        return r.stdout().strip() + (r.exitCode() == 0 ? "" : " exit=" + r.exitCode());
    }

    @Test
    void writesA0400FileOwnedByTheSandboxUserWithExactBytes() throws Exception {
        byte[] value = "line1\nbinary\u0000\u00ff-secret".getBytes(StandardCharsets.ISO_8859_1);
        channel.write("/run/agentgate/secrets/contract-a", value);
        assertThat(sh("stat -c '%a %u %g' /run/agentgate/secrets/contract-a")).isEqualTo("400 1000 1000");
        assertThat(sh("stat -c '%a %u' /run/agentgate/secrets")).isEqualTo("700 1000");
        var back = Docker.run(List.of("exec", NAME, "cat", "/run/agentgate/secrets/contract-a"), Map.of(), null, 60);
        assertThat(back.stdout().getBytes(StandardCharsets.UTF_8)).isNotNull();
        var raw = new java.io.ByteArrayOutputStream();
        Docker.run(List.of("exec", NAME, "cat", "/run/agentgate/secrets/contract-a"), Map.of(), null, raw,
                new java.io.ByteArrayOutputStream(), 60);
        assertThat(raw.toByteArray()).isEqualTo(value);
        assertThat(sh("ls -a /run/agentgate/secrets | grep -c tmp || true")).isEqualTo("0");
    }

    @Test
    void replacesAnExistingFileAndRemovesIdempotently() throws Exception {
        channel.write("/run/agentgate/secrets/contract-b", "first-value-1".getBytes(StandardCharsets.US_ASCII));
        channel.write("/run/agentgate/secrets/contract-b", "second-value-2".getBytes(StandardCharsets.US_ASCII));
        assertThat(sh("cat /run/agentgate/secrets/contract-b")).isEqualTo("second-value-2");
        channel.remove("/run/agentgate/secrets/contract-b");
        assertThat(sh("test -e /run/agentgate/secrets/contract-b && echo present || echo gone")).isEqualTo("gone");
        channel.remove("/run/agentgate/secrets/contract-b");
    }

    @Test
    void refusesPathsOutsideTheSecretTmpfsBeforeRunningAnything() {
        assertThatThrownBy(() -> channel.write("/tmp/x", new byte[8])).hasMessageContaining("/tmp/x");
        assertThatThrownBy(() -> channel.remove("/run/agentgate/secrets/../../tmp")).hasMessageContaining("not allowed");
    }

    @Test
    void aFailureInTheContainerIsAClearErrorWithoutTheValue() {
        ExecSecretFileChannel broken = new ExecSecretFileChannel((argv, stdin) -> exec.exec(
                List.of("sh", "-c", "echo no space left on device >&2; exit 3"), stdin));
        assertThatThrownBy(() -> broken.write("/run/agentgate/secrets/contract-c", "value-never-shown".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("could not write secret file /run/agentgate/secrets/contract-c")
                .hasMessageContaining("exit 3").hasMessageContaining("no space left")
                .hasMessageNotContaining("value-never-shown");
    }
}
