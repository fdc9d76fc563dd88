package io.jenkins.plugins.agentgate.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which containers the reaper removes (the real engine runs it in the cli module's fault tests). */
class ReaperTest {
    @Test
    void removesOnlyContainersPastTheirDeadline() throws Exception {
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        List<List<String>> calls = new ArrayList<>();
        CommandRunner docker = (c, out, err, t) -> {
            calls.add(c.argv());
            if (c.argv().get(1).equals("ps")) {
                out.write(("expired\t" + (now.getEpochSecond() - 1) + "\nlive\t" + (now.getEpochSecond() + 600)
                        + "\nforged\tnot-a-number\n").getBytes(StandardCharsets.UTF_8));
            }
            return new CommandResult(0, false, Duration.ZERO);
        };
        List<String> reaped = new DockerSandbox(docker, "docker", Clock.fixed(now, ZoneOffset.UTC)).reaper().reap();
        assertThat(reaped).containsExactly("expired", "forged");
        assertThat(calls.get(0)).contains("label=" + Labels.RUN_ID);
        assertThat(calls.get(1)).containsExactly("docker", "rm", "--force", "--volumes", "expired", "forged");
    }

    @Test
    void nothingToReapMeansNoRemoveCall() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        CommandRunner docker = (c, out, err, t) -> {
            calls.add(c.argv());
            return new CommandResult(0, false, Duration.ZERO);
        };
        assertThat(new DockerSandbox(docker).reaper().reap()).isEmpty();
        assertThat(calls).hasSize(1);
    }
}
