package io.jenkins.plugins.agentgate.core.evidence;

import static io.jenkins.plugins.agentgate.core.evidence.Fixtures.git;
import static io.jenkins.plugins.agentgate.core.evidence.Fixtures.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-run capture built from the changed paths (ls-files + blobs and trees written by the JVM) must
 * give exactly what staging the whole working tree with git gives: the same tree ids, file list, counts,
 * and byte-identical patch.diff and revert.diff. Each case runs both on two copies of one workspace
 * that the "agent" changes in the same way, and checks that the fast path was really taken (or, for the
 * cases it leaves to git, that it was not).
 */
class GitCaptureEquivalenceTest {
    @TempDir
    Path tmp;

    /** The fast capture of the last {@link #bothWays} call. */
    private GitCapture lastFast;

    interface Agent {
        void run(Path ws) throws Exception;
    }

    /** Both captures of the same change; returns the fast one's result. */
    private CaptureResult bothWays(Path template, Agent agent, boolean expectFast) throws Exception {
        Path fastWs = tmp.resolve("fast");
        Path refWs = tmp.resolve("ref");
        sh(tmp, "cp", "-a", template.toString(), fastWs.toString());
        sh(tmp, "cp", "-a", template.toString(), refWs.toString());
        // Directory times within two seconds of the pre-run capture are "racy" and always re-read; wait them
        // out so that the captures below rely on directory stats where they can.
        Thread.sleep(2100);
        Path fastOut = Files.createDirectories(tmp.resolve("fast-out"));
        Path refOut = Files.createDirectories(tmp.resolve("ref-out"));

        GitCapture fast = GitCapture.detect(fastWs.toRealPath(), Files.createDirectories(tmp.resolve("fast-scratch")));
        GitCapture ref = GitCapture.detect(refWs.toRealPath(), Files.createDirectories(tmp.resolve("ref-scratch")));
        WorkspaceCapture.Snapshot fastSnap = fast.before(fastOut, CaptureLimits.defaults(), true);
        WorkspaceCapture.Snapshot refSnap = ref.before(refOut, CaptureLimits.defaults(), false);
        agent.run(fastWs);
        agent.run(refWs);
        CaptureResult f = fastSnap.after();
        CaptureResult r = refSnap.after();

        lastFast = fast;
        assertThat(fast.stagedByGit()).as("staged by git instead of from the changed paths").isEqualTo(!expectFast);
        assertThat(ref.stagedByGit()).isTrue();
        assertThat(f.workspace()).usingRecursiveComparison().isEqualTo(r.workspace());
        assertThat(f.rollback()).usingRecursiveComparison().isEqualTo(r.rollback());
        assertThat(f.files()).isEqualTo(r.files());
        for (String name : List.of(EvidenceBundle.PATCH, EvidenceBundle.REVERT_PATCH)) {
            assertThat(Files.exists(fastOut.resolve(name))).isEqualTo(Files.exists(refOut.resolve(name)));
            if (Files.exists(refOut.resolve(name))) {
                assertThat(Files.readAllBytes(fastOut.resolve(name))).as(name).isEqualTo(Files.readAllBytes(refOut.resolve(name)));
            }
        }
        // The pack the fast path wrote is a well-formed pack (checksums, index) that git accepts.
        try (Stream<Path> idx = Files.list(tmp.resolve("fast-scratch/git/objects")).filter(p -> p.endsWith("pack"))) {
            for (Path packDir : idx.toList()) {
                try (Stream<Path> files = Files.list(packDir)) {
                    for (Path i : files.filter(p -> p.toString().endsWith(".idx")).toList()) {
                        // Inside the capture's git directory, so that git knows the object format.
                        sh(tmp, "git", "--git-dir=" + tmp.resolve("fast-scratch/git"), "verify-pack", i.toString());
                    }
                }
            }
        }
        return f;
    }

    /** A repository with text, binary, executable, symlink and nested-directory content. */
    private Path richRepo() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("template"));
        Files.createDirectories(ws.resolve("dir/sub"));
        Files.writeString(ws.resolve("dir/sub/deep.txt"), "deep\n");
        Files.writeString(ws.resolve("dir/a.txt"), "a\n");
        Files.createDirectories(ws.resolve("dir/gone"));
        Files.writeString(ws.resolve("dir/gone/only.txt"), "x\n");
        Files.writeString(ws.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(ws.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(ws.resolve("mode.txt"), "mode only\n");
        Files.writeString(ws.resolve("becomes-link.txt"), "file now\n");
        Files.createSymbolicLink(ws.resolve("link-to-readme"), Path.of("README.md"));
        Files.writeString(ws.resolve("becomes-dir"), "file, later a directory\n");
        Files.createDirectories(ws.resolve("becomes-file"));
        Files.writeString(ws.resolve("becomes-file/x.txt"), "directory, later a file\n");
        Files.writeString(ws.resolve("with space.txt"), "spaces\n");
        Files.writeString(ws.resolve("a.txt"), "sorts before a/ but after a-b\n");
        Files.writeString(ws.resolve("a-b"), "x\n");
        Files.createDirectories(ws.resolve("a"));
        Files.writeString(ws.resolve("a/in.txt"), "in\n");
        Files.writeString(ws.resolve("touched.txt"), "same content\n");
        Files.writeString(ws.resolve("rewritten.txt"), "same content, new inode\n");
        Files.createDirectories(ws.resolve("linked-dir"));
        Files.writeString(ws.resolve("linked-dir/f.txt"), "tracked under a directory that becomes a symlink\n");
        git(ws, "add", "-A");
        git(ws, "commit", "-q", "-m", "rich");
        return ws;
    }

    @Test
    void everyKindOfChangeGivesTheSameEvidenceAsStagingEverything() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("f.txt"), "outside content: must never be read\n");
        CaptureResult r = bothWays(richRepo(), ws -> {
            Files.writeString(ws.resolve("README.md"), "hello\nthere\nworld\n");
            Files.writeString(ws.resolve("src/New.java"), "class New {}\n");
            Files.delete(ws.resolve("old.txt"));
            Files.write(ws.resolve("logo.bin"), new byte[] {0, 9, 9, 0, (byte) 0xff});
            Files.delete(ws.resolve("dir/gone/only.txt")); // its directory disappears from the tree
            Files.writeString(ws.resolve("dir/sub/deep.txt"), "deeper\n");
            Files.createDirectories(ws.resolve("dir/sub/new/deeper"));
            Files.writeString(ws.resolve("dir/sub/new/deeper/n.txt"), "new nested\n");
            Files.setPosixFilePermissions(ws.resolve("mode.txt"), PosixFilePermissions.fromString("rwxr--r--"));
            Files.setPosixFilePermissions(ws.resolve("run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
            Files.writeString(ws.resolve("run.sh"), "#!/bin/sh\necho changed\n");
            Files.delete(ws.resolve("becomes-link.txt"));
            Files.createSymbolicLink(ws.resolve("becomes-link.txt"), Path.of("/etc/passwd"));
            Files.delete(ws.resolve("link-to-readme"));
            Files.writeString(ws.resolve("link-to-readme"), "a file where a link was\n");
            Files.delete(ws.resolve("becomes-dir"));
            Files.createDirectories(ws.resolve("becomes-dir"));
            Files.writeString(ws.resolve("becomes-dir/inner.txt"), "inner\n");
            Files.delete(ws.resolve("becomes-file/x.txt"));
            Files.delete(ws.resolve("becomes-file"));
            Files.writeString(ws.resolve("becomes-file"), "now a file\n");
            Files.writeString(ws.resolve("with space.txt"), "spaces changed\n");
            Files.writeString(ws.resolve("we ird\"name\t\u00fcn\u00efcode\nline.txt"), "odd name\n");
            Files.writeString(ws.resolve("-rf"), "not an option\n");
            Files.writeString(ws.resolve("a/in.txt"), "in, changed\n");
            Files.writeString(ws.resolve("a.txt"), "changed too\n");
            Files.createFile(ws.resolve("empty.txt"));
            Files.move(ws.resolve("src/App.java"), ws.resolve("src/Renamed.java")); // a rename: delete + add
            Files.setLastModifiedTime(ws.resolve("touched.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
            Files.delete(ws.resolve("rewritten.txt"));
            Files.writeString(ws.resolve("rewritten.txt"), "same content, new inode\n");
            Files.createLink(ws.resolve("hard.txt"), ws.resolve("a.txt"));
            Files.writeString(ws.resolve(".gitignore"), "*.log\n");
            Files.writeString(ws.resolve("ignored.log"), "ignored by git status, not by evidence\n");
            Files.createDirectories(ws.resolve("untracked-dir/inner"));
            Files.writeString(ws.resolve("untracked-dir/inner/u.txt"), "untracked tree\n");
            Files.createSymbolicLink(ws.resolve("untracked-dir/out"), outside);
            // A tracked directory replaced by a symlink to a directory outside holding the same names.
            Files.delete(ws.resolve("linked-dir/f.txt"));
            Files.delete(ws.resolve("linked-dir"));
            Files.createSymbolicLink(ws.resolve("linked-dir"), outside);
        }, true);
        assertThat(lastFast.scannedDirectoriesItself()).as("new files found from directory stats").isTrue();
        WorkspaceEvidence w = r.workspace();
        assertThat(w.files()).extracting(FileChange::path).contains("linked-dir", "linked-dir/f.txt", "becomes-dir",
                "becomes-dir/inner.txt", "untracked-dir/out", "ignored.log", "src/Renamed.java", "src/App.java")
                .doesNotContain("touched.txt", "rewritten.txt");
        FileChange linkedDir = w.files().stream().filter(c -> c.path().equals("linked-dir")).findFirst().orElseThrow();
        assertThat(linkedDir.type()).isEqualTo("symlink");
        assertThat(linkedDir.sha256After()).isNull();
        FileChange mode = w.files().stream().filter(c -> c.path().equals("mode.txt")).findFirst().orElseThrow();
        assertThat(mode.type()).isEqualTo("executable");
        FileChange readme = w.files().stream().filter(c -> c.path().equals("README.md")).findFirst().orElseThrow();
        assertThat(readme.sha256After()).isEqualTo(Digests.sha256Hex("hello\nthere\nworld\n"));
        // The revert patch made from the changed paths restores the pre-run state exactly.
        Path fastWs = tmp.resolve("fast");
        git(fastWs, "apply", "--binary", tmp.resolve("fast-out/revert.diff").toString());
        sh(tmp, "git", "--git-dir=" + tmp.resolve("template/.git"), "--work-tree=" + fastWs, "diff", "--exit-code", "HEAD");
        assertThat(Files.isDirectory(fastWs.resolve("linked-dir"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(outside.resolve("f.txt"))).isEqualTo("outside content: must never be read\n");
    }

    @Test
    void emptyDirectoriesGitDoesNotRecordAreReadByGit() throws Exception {
        Path ws = richRepo();
        Files.createDirectories(ws.resolve("dir/empty/inner-empty"));
        CaptureResult r = bothWays(ws, w -> {
            Files.writeString(w.resolve("dir/empty/inner-empty/now.txt"), "into a directory git did not know\n");
            Files.writeString(w.resolve("dir/added.txt"), "x\n");
        }, true);
        assertThat(lastFast.scannedDirectoriesItself()).isFalse(); // link counts showed a directory not in the tree
        assertThat(r.workspace().files()).extracting(FileChange::path)
                .containsExactly("dir/added.txt", "dir/empty/inner-empty/now.txt");
    }

    @Test
    void newFilesInKnownDirectoriesAreFoundFromDirectoryStats() throws Exception {
        CaptureResult r = bothWays(richRepo(), w -> {
            Files.writeString(w.resolve("dir/sub/fresh.txt"), "new in a known directory\n");
            Files.createDirectories(w.resolve("a/new-dir/deeper"));
            Files.writeString(w.resolve("a/new-dir/deeper/x.bin"), "\0\1");
            Files.move(w.resolve("dir/a.txt"), w.resolve("dir/moved.txt"));
            Files.delete(w.resolve("dir/gone/only.txt"));
            Files.delete(w.resolve("dir/gone"));
            Files.writeString(w.resolve("dir/gone"), "a file where a directory was\n");
        }, true);
        assertThat(lastFast.scannedDirectoriesItself()).isTrue();
        assertThat(r.workspace().files()).extracting(FileChange::path).containsExactly("a/new-dir/deeper/x.bin",
                "dir/a.txt", "dir/gone", "dir/gone/only.txt", "dir/moved.txt", "dir/sub/fresh.txt");
    }

    @Test
    void anUnchangedWorkspaceAndATouchedOneHaveNoPatch() throws Exception {
        CaptureResult r = bothWays(richRepo(), ws -> {
            Files.setLastModifiedTime(ws.resolve("touched.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        }, true);
        assertThat(r.workspace().files()).isEmpty();
        assertThat(r.workspace().postRunTree()).isEqualTo(r.workspace().preRunTree());
    }

    @Test
    void emptyingTheWholeWorkspaceGivesTheEmptyTree() throws Exception {
        CaptureResult r = bothWays(Fixtures.repo(tmp.resolve("template")), ws -> {
            try (Stream<Path> s = Files.list(ws)) {
                for (Path p : s.filter(p -> !p.getFileName().toString().equals(".git")).toList()) {
                    sh(ws, "rm", "-rf", p.toString());
                }
            }
        }, true);
        assertThat(r.workspace().postRunTree()).isEqualTo("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    }

    @Test
    void anUnbornRepositoryWithUncommittedFiles() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("template"));
        git(ws, "init", "-q");
        Files.writeString(ws.resolve("draft.txt"), "never committed\n");
        CaptureResult r = bothWays(ws, w -> Files.writeString(w.resolve("draft.txt"), "edited\n"), true);
        assertThat(r.workspace().baseCommit()).isNull();
        assertThat(r.workspace().headAfter()).isNull();
        assertThat(r.workspace().files()).extracting(FileChange::change).containsExactly("modified");
    }

    @Test
    void aSha256Repository() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("template"));
        git(ws, "init", "-q", "--object-format=sha256");
        Files.writeString(ws.resolve("a.txt"), "a\n");
        Files.createDirectories(ws.resolve("d"));
        Files.writeString(ws.resolve("d/b.txt"), "b\n");
        git(ws, "add", "-A");
        git(ws, "commit", "-q", "-m", "sha256");
        CaptureResult r = bothWays(ws, w -> {
            Files.writeString(w.resolve("d/b.txt"), "b2\n");
            Files.writeString(w.resolve("d/c.bin"), "\0binary\0");
        }, true);
        assertThat(r.workspace().postRunTree()).hasSize(64);
        assertThat(r.workspace().files()).hasSize(2);
    }

    @Test
    void largeFilesAreReadAgainIntoThePack() throws Exception {
        CaptureResult r = bothWays(Fixtures.repo(tmp.resolve("template")), ws -> {
            byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".getBytes(StandardCharsets.US_ASCII);
            try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(ws.resolve("big.txt")), 1 << 20)) {
                for (long n = 0; n < (9L << 20); n += line.length) {
                    out.write(line);
                }
            }
        }, true);
        assertThat(r.workspace().files().get(0).sizeAfter()).isGreaterThan(8L << 20);
    }

    @Test
    void attributesNestedRepositoriesAndNonUtf8NamesAreLeftToGit() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("template"));
        Files.writeString(ws.resolve(".gitattributes"), "*.txt text eol=lf\n");
        git(ws, "add", "-A");
        git(ws, "commit", "-q", "-m", "attributes");
        bothWays(ws, w -> Files.writeString(w.resolve("crlf.txt"), "a\r\nb\r\n"), false);
        deleteAll();

        bothWays(Fixtures.repo(tmp.resolve("template")),
                w -> Files.writeString(w.resolve(".gitattributes"), "*.bin -text\n"), false);
        deleteAll();

        bothWays(Fixtures.repo(tmp.resolve("template")), w -> {
            Path nested = Files.createDirectories(w.resolve("vendor/lib"));
            git(nested, "init", "-q");
            Files.writeString(nested.resolve("x.txt"), "x\n");
            git(nested, "add", "-A");
            // A fixed date: both workspaces' nested commits (hence the gitlinks) must be the same commit,
            // even when a second boundary falls between the two agents' runs.
            sh(nested, "env", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
                    "git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false",
                    "commit", "-q", "-m", "nested");
        }, false);
        deleteAll();

        CaptureResult r = bothWays(Fixtures.repo(tmp.resolve("template")),
                w -> sh(w, "sh", "-c", "printf 'latin-1 name\\n' > \"$(printf 'caf\\351.txt')\""), false);
        assertThat(r.workspace().files()).hasSize(1);
    }

    private void deleteAll() throws IOException, InterruptedException {
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                sh(tmp, "rm", "-rf", p.toString());
            }
        }
    }
}
