package io.jenkins.plugins.agentgate.core.evidence;

import static io.jenkins.plugins.agentgate.core.evidence.Fixtures.git;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceCaptureTest {
    @TempDir
    Path tmp;

    private static Map<String, FileChange> byPath(WorkspaceEvidence w) {
        return w.files().stream().collect(Collectors.toMap(FileChange::path, Function.identity()));
    }

    @Test
    void gitCaptureRecordsEveryKindOfChangeWithoutTouchingTheRepository() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(ws.resolve("pre-existing-dirt.txt"), "uncommitted before the run\n");
        byte[] indexBefore = Files.readAllBytes(ws.resolve(".git/index"));
        long objectsBefore = countFiles(ws.resolve(".git/objects"));
        String base = git(ws, "rev-parse", "HEAD").strip();

        WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, tmp.resolve("scratch"), CaptureLimits.defaults());
        assertThat(snap.kind()).isEqualTo("git");
        // The agent's work:
        Files.writeString(ws.resolve("README.md"), "hello\nthere\nworld\n");
        Files.writeString(ws.resolve("src/New.java"), "class New {}\n");
        Files.delete(ws.resolve("old.txt"));
        Files.write(ws.resolve("logo.bin"), new byte[] {0, 9, 9, 0});
        Files.createSymbolicLink(ws.resolve("passwd-link"), Path.of("/etc/passwd"));
        Files.createLink(ws.resolve("hard.txt"), ws.resolve("src/New.java"));
        Files.writeString(ws.resolve(".gitignore"), "ignored.log\n");
        Files.writeString(ws.resolve("ignored.log"), "hidden from git status, not from evidence\n");

        CaptureResult r = snap.after();
        WorkspaceEvidence w = r.workspace();
        Map<String, FileChange> f = byPath(w);
        assertThat(w.kind()).isEqualTo("git");
        assertThat(w.baseCommit()).isEqualTo(base);
        assertThat(w.headAfter()).isEqualTo(base);
        assertThat(f.keySet()).containsExactlyInAnyOrder("README.md", "src/New.java", "old.txt", "logo.bin",
                "passwd-link", "hard.txt", ".gitignore", "ignored.log");
        assertThat(f).doesNotContainKey("pre-existing-dirt.txt"); // changed before the run, not by it
        assertThat(f.get("README.md").change()).isEqualTo("modified");
        assertThat(f.get("README.md").linesAdded()).isEqualTo(1L);
        assertThat(f.get("README.md").linesRemoved()).isEqualTo(0L);
        assertThat(f.get("README.md").sha256After()).isEqualTo(Digests.sha256Hex(ws.resolve("README.md")));
        assertThat(f.get("old.txt").change()).isEqualTo("deleted");
        assertThat(f.get("old.txt").linesRemoved()).isEqualTo(1L);
        assertThat(f.get("logo.bin").binary()).isTrue();
        assertThat(f.get("logo.bin").linesAdded()).isNull();
        FileChange link = f.get("passwd-link");
        assertThat(link.type()).isEqualTo("symlink");
        assertThat(link.symlinkTarget()).isEqualTo("/etc/passwd");
        assertThat(link.sha256After()).isNull(); // never read through
        assertThat(f.get("hard.txt").sha256After()).isEqualTo(f.get("src/New.java").sha256After());
        assertThat(w.summary().filesChanged()).isEqualTo(8);
        assertThat(w.summary().deleted()).isEqualTo(1);
        assertThat(w.summary().binaryFiles()).isEqualTo(1);
        assertThat(w.summary().symlinks()).isEqualTo(1);
        assertThat(w.truncation().truncated()).isFalse();

        // The patch is the change; the revert patch undoes it exactly.
        assertThat(w.patch()).isNotNull();
        String patch = Files.readString(out.resolve("patch.diff"));
        assertThat(patch).contains("+there").contains("GIT binary patch").contains("+/etc/passwd");
        assertThat(r.rollback().kind()).isEqualTo("git-revert-patch");
        assertThat(r.rollback().complete()).isTrue();
        assertThat(r.rollback().baseCommit()).isEqualTo(base);
        git(ws, "apply", "--binary", out.resolve("revert.diff").toString());
        assertThat(Files.readString(ws.resolve("README.md"))).isEqualTo("hello\nworld\n");
        assertThat(Files.exists(ws.resolve("old.txt"))).isTrue();
        assertThat(Files.exists(ws.resolve("passwd-link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readAllBytes(ws.resolve("logo.bin"))).containsExactly(0, 1, 2, 3, 0, 5);

        // The user's repository was only read.
        assertThat(Files.readAllBytes(ws.resolve(".git/index"))).isEqualTo(indexBefore);
        assertThat(countFiles(ws.resolve(".git/objects"))).isEqualTo(objectsBefore);
    }

    @Test
    void gitCaptureOfAnUnchangedWorkspaceHasNoPatch() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        CaptureResult r = WorkspaceCapture.before(ws, out, tmp.resolve("s"), CaptureLimits.defaults()).after();
        assertThat(r.workspace().files()).isEmpty();
        assertThat(r.workspace().patch()).isNull();
        assertThat(r.workspace().preRunTree()).isEqualTo(r.workspace().postRunTree());
        assertThat(r.rollback().complete()).isTrue();
        assertThat(r.files()).isEmpty();
    }

    @Test
    void gitCaptureKeepsUnusualPathsVerbatim() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, tmp.resolve("s"), CaptureLimits.defaults());
        String odd = "we ird\"name\t\u00fcn\u00efcode\nline.txt";
        Files.writeString(ws.resolve(odd), "x\n");
        Files.writeString(ws.resolve("-rf"), "not an option\n");
        WorkspaceEvidence w = snap.after().workspace();
        assertThat(w.files()).extracting(FileChange::path).containsExactly("-rf", odd);
        assertThat(w.files()).allSatisfy(c -> assertThat(c.linesAdded()).isEqualTo(1L));
    }

    @Test
    void gitCaptureIsBoundedAndSaysSo() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        CaptureLimits small = new CaptureLimits(3, 1024, 4096, 1 << 20);
        WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, tmp.resolve("s"), small);
        for (int i = 0; i < 5; i++) {
            Files.writeString(ws.resolve("f" + i + ".txt"), "x\n");
        }
        writeLarge(ws.resolve("big.txt"), 8L << 20); // 8 MiB of text: over the patch and hash bounds
        WorkspaceEvidence w = snap.after().workspace();
        assertThat(w.truncation().truncated()).isTrue();
        assertThat(w.truncation().changedFiles()).isEqualTo(6);
        assertThat(w.truncation().listedFiles()).isEqualTo(3);
        assertThat(w.summary().filesChanged()).isEqualTo(6);
        assertThat(w.files()).hasSize(3);
        assertThat(w.truncation().reasons()).anyMatch(s -> s.contains("maxFiles=3"))
                .anyMatch(s -> s.contains("maxPatchBytes"));
        assertThat(w.patch()).isNull();
        assertThat(Files.exists(out.resolve("patch.diff"))).isFalse();
    }

    @Test
    void aWorkspaceInsideARepositoryIsNotThatRepository() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("repo"));
        Path ws = repo.resolve("src");
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertThat(WorkspaceCapture.before(ws, out, tmp.resolve("s"), CaptureLimits.defaults()).kind()).isEqualTo("manifest");
    }

    @Test
    void manifestCaptureDiffsContentNeverFollowsSymlinksAndSnapshotsThePreRunState() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("plain"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside secret\n");
        Files.writeString(ws.resolve("keep.txt"), "same\n");
        Files.writeString(ws.resolve("edit.txt"), "v1\n");
        Files.writeString(ws.resolve("gone.txt"), "bye\n");
        Files.writeString(ws.resolve("touched.txt"), "content stays\n");
        Files.createSymbolicLink(ws.resolve("out-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(ws.resolve("dir-link"), outside);
        Path out = Files.createDirectories(tmp.resolve("out"));

        WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, tmp.resolve("s"), CaptureLimits.defaults());
        assertThat(snap.kind()).isEqualTo("manifest");
        Files.writeString(ws.resolve("edit.txt"), "v2 longer\n");
        Files.delete(ws.resolve("gone.txt"));
        Files.writeString(ws.resolve("new.txt"), "hi\n");
        Files.setLastModifiedTime(ws.resolve("touched.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.createLink(ws.resolve("hard.txt"), ws.resolve("keep.txt"));
        Files.delete(ws.resolve("out-link"));
        Files.createSymbolicLink(ws.resolve("out-link"), Path.of("/etc/shadow"));
        Files.writeString(outside.resolve("secret.txt"), "changed outside: not workspace content\n");

        CaptureResult r = snap.after();
        Map<String, FileChange> f = byPath(r.workspace());
        assertThat(f.keySet()).containsExactlyInAnyOrder("edit.txt", "gone.txt", "new.txt", "hard.txt", "out-link");
        assertThat(f.get("edit.txt").change()).isEqualTo("modified");
        assertThat(f.get("edit.txt").sizeBefore()).isEqualTo(3L);
        assertThat(f.get("edit.txt").sizeAfter()).isEqualTo(10L);
        assertThat(f.get("edit.txt").sha256Before()).isEqualTo(Digests.sha256Hex("v1\n"));
        assertThat(f.get("edit.txt").sha256After()).isEqualTo(Digests.sha256Hex("v2 longer\n"));
        assertThat(f.get("gone.txt").change()).isEqualTo("deleted");
        assertThat(f.get("new.txt").change()).isEqualTo("added");
        assertThat(f.get("hard.txt").sha256After()).isEqualTo(Digests.sha256Hex("same\n"));
        assertThat(f.get("out-link").type()).isEqualTo("symlink");
        assertThat(f.get("out-link").symlinkTarget()).isEqualTo("/etc/shadow");
        assertThat(f.get("out-link").sha256After()).isNull();
        assertThat(r.workspace().summary().symlinks()).isEqualTo(1);

        assertThat(r.rollback().kind()).isEqualTo("snapshot-archive");
        assertThat(r.rollback().complete()).isTrue();
        try (ZipFile zip = new ZipFile(out.resolve("snapshot.zip").toFile())) {
            assertThat(new String(zip.getInputStream(zip.getEntry("edit.txt")).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("v1\n");
            assertThat(zip.getEntry("gone.txt")).isNotNull();
            assertThat(zip.getEntry("out-link")).isNull(); // links are in MANIFEST.json, never their targets' content
            String manifest = new String(zip.getInputStream(zip.getEntry("MANIFEST.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(manifest).contains(outside.resolve("secret.txt").toString()).doesNotContain("outside secret");
        }
        assertThat(r.rollback().snapshotArchive().sha256()).isEqualTo(Digests.sha256Hex(out.resolve("snapshot.zip")));
    }

    @Test
    void manifestCaptureHashesOnlyChangedFilesAndBoundsTheSnapshot() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("plain"));
        writeLarge(ws.resolve("huge.bin"), 32L << 20);
        Files.writeString(ws.resolve("small.txt"), "a\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        CaptureLimits limits = new CaptureLimits(1000, 1 << 20, 1 << 20, 1 << 20);
        WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, tmp.resolve("s"), limits);
        Files.writeString(ws.resolve("small.txt"), "b\n");
        CaptureResult r = snap.after();
        assertThat(r.workspace().files()).extracting(FileChange::path).containsExactly("small.txt");
        assertThat(r.workspace().truncation().hashedBytes()).isEqualTo(2); // the unchanged 32 MiB file was not read
        assertThat(r.workspace().truncation().truncated()).isTrue();
        assertThat(r.workspace().truncation().reasons()).anyMatch(s -> s.contains("maxSnapshotBytes"));
        assertThat(r.rollback().complete()).isFalse();
        assertThat(Files.size(out.resolve("snapshot.zip"))).isLessThan(1 << 20);

        writeLarge(ws.resolve("huge.bin"), 33L << 20); // changed and over the hash budget
        CaptureResult r2 = WorkspaceCapture.before(ws, Files.createDirectories(tmp.resolve("out2")), tmp.resolve("s2"), limits).after();
        assertThat(r2.workspace().files()).isEmpty();
    }

    private static void writeLarge(Path p, long size) throws IOException {
        byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".getBytes(StandardCharsets.US_ASCII);
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 20)) {
            for (long n = 0; n < size; n += line.length) {
                out.write(line);
            }
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
