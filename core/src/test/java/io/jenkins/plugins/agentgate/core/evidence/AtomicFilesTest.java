package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    /** A file whose fsync the kernel refuses (EINVAL on procfs): syncing it through a followed link would throw. */
    private static final Path UNSYNCABLE = Path.of("/proc/version");

    @TempDir
    Path dir;

    @Test
    void theControlFileCannotBeSynced() {
        // Without this, the link test below could not fail.
        assertThatThrownBy(() -> AtomicFiles.fsync(UNSYNCABLE)).isInstanceOf(IOException.class);
    }

    @Test
    void syncTreeSyncsFilesAndDirectoriesWithoutFollowingLinks() throws IOException {
        Path bundle = Files.createDirectories(dir.resolve(".staging-run-1"));
        Files.writeString(bundle.resolve("evidence.json"), "{}");
        Files.createDirectories(bundle.resolve("artifacts"));
        Files.writeString(bundle.resolve("artifacts/1-out.txt"), "out");
        Files.createSymbolicLink(bundle.resolve("link-to-file"), UNSYNCABLE);
        Files.createSymbolicLink(bundle.resolve("link-to-dir"), UNSYNCABLE.getParent());
        Files.createSymbolicLink(bundle.resolve("dangling"), dir.resolve("missing"));

        AtomicFiles.syncTree(bundle);

        assertThat(Files.readString(bundle.resolve("artifacts/1-out.txt"))).isEqualTo("out");
    }

    @Test
    void renameReplacesTheTargetInOneStep() throws IOException {
        Path tmp = Files.writeString(dir.resolve(".patch.diff.1.tmp"), "new");
        Path target = Files.writeString(dir.resolve("patch.diff"), "old");

        AtomicFiles.rename(tmp, target);

        assertThat(tmp).doesNotExist();
        assertThat(target).hasContent("new");
    }
}
