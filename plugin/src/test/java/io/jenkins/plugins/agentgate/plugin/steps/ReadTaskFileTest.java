package io.jenkins.plugins.agentgate.plugin.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task file is read inside the workspace only, with real files and symlinks. */
class ReadTaskFileTest {

    @TempDir
    Path dir;

    private Path workspace() throws IOException {
        return Files.createDirectories(dir.resolve("ws"));
    }

    @Test
    void readsAUtf8FileInsideTheWorkspace() throws Exception {
        Path ws = workspace();
        Files.createDirectories(ws.resolve("prompts"));
        Files.writeString(ws.resolve("prompts/t.md"), "Résumé the docs", StandardCharsets.UTF_8);
        assertThat(new ReadTaskFile("prompts/t.md").invoke(ws.toFile(), null)).isEqualTo("Résumé the docs");
    }

    @Test
    void refusesPathsThatLeaveTheWorkspace() throws Exception {
        Path ws = workspace();
        Files.writeString(dir.resolve("secret.txt"), "not for the agent");
        assertThatThrownBy(() -> new ReadTaskFile("../secret.txt").invoke(ws.toFile(), null))
                .hasMessageContaining("taskFile: '../secret.txt' is not inside the workspace");
        assertThatThrownBy(() -> new ReadTaskFile(dir.resolve("secret.txt").toString()).invoke(ws.toFile(), null))
                .hasMessageContaining("is not inside the workspace");
    }

    @Test
    void refusesASymlinkThatLeadsOut() throws Exception {
        Path ws = workspace();
        Files.writeString(dir.resolve("secret.txt"), "not for the agent");
        Files.createSymbolicLink(ws.resolve("task.md"), dir.resolve("secret.txt"));
        assertThatThrownBy(() -> new ReadTaskFile("task.md").invoke(ws.toFile(), null))
                .hasMessageContaining("outside the workspace");
    }

    @Test
    void refusesMissingNonUtf8AndOversizedFiles() throws Exception {
        Path ws = workspace();
        assertThatThrownBy(() -> new ReadTaskFile("none.md").invoke(ws.toFile(), null)).hasMessageContaining("is not a file");
        Files.write(ws.resolve("bin.md"), new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> new ReadTaskFile("bin.md").invoke(ws.toFile(), null)).hasMessageContaining("is not UTF-8");
        Files.write(ws.resolve("big.md"), new byte[ReadTaskFile.MAX_BYTES + 1]);
        assertThatThrownBy(() -> new ReadTaskFile("big.md").invoke(ws.toFile(), null)).hasMessageContaining("expected at most");
    }
}
