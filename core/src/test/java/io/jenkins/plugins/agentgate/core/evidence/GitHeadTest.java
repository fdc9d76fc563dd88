package io.jenkins.plugins.agentgate.core.evidence;

import static io.jenkins.plugins.agentgate.core.evidence.Fixtures.git;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.evidence.GitHead.Head;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HEAD reader against real repositories, checked against what git itself resolves. */
class GitHeadTest {
    @TempDir
    Path tmp;

    private static Head read(Path repo) {
        return GitHead.read(repo.resolve(".git"), repo.resolve(".git"), 40);
    }

    private static String revParse(Path repo) throws Exception {
        return git(repo, "rev-parse", "HEAD").strip();
    }

    @Test
    void branchInALooseRef() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void branchOnlyInPackedRefs() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        git(repo, "pack-refs", "--all", "--prune");
        assertThat(Files.exists(repo.resolve(".git/refs/heads/main"))).isFalse();
        assertThat(Files.readString(repo.resolve(".git/packed-refs"))).startsWith("#");
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void aLooseRefWinsOverAStalePackedOne() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        git(repo, "pack-refs", "--all", "--prune");
        Files.writeString(repo.resolve("x.txt"), "x\n");
        git(repo, "add", "x.txt");
        git(repo, "commit", "-q", "-m", "second");
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void annotatedTagsInPackedRefsAreSkippedByTheirPeeledLines() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        git(repo, "tag", "-a", "-m", "v1", "v1");
        git(repo, "pack-refs", "--all", "--prune");
        assertThat(Files.readString(repo.resolve(".git/packed-refs"))).contains("\n^");
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void detachedHead() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        git(repo, "checkout", "-q", "--detach");
        assertThat(Files.readString(repo.resolve(".git/HEAD")).strip()).isEqualTo(revParse(repo));
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void unbornBranch() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("r"));
        git(repo, "init", "-q");
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNBORN);
        Path other = Fixtures.repo(tmp.resolve("o"));
        git(other, "checkout", "-q", "--orphan", "fresh");
        git(other, "pack-refs", "--all");
        assertThat(read(other).kind()).isEqualTo(Head.Kind.UNBORN); // packed-refs exists but lacks the branch
    }

    @Test
    void symbolicRefChainsAreFollowed() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        git(repo, "symbolic-ref", "refs/heads/alias", "refs/heads/main");
        git(repo, "symbolic-ref", "HEAD", "refs/heads/alias");
        assertThat(read(repo)).isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
    }

    @Test
    void aLinkedWorktreeReadsHeadFromItsOwnGitDirAndRefsFromTheCommonOne() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        Path wt = tmp.resolve("wt");
        git(repo, "worktree", "add", "-q", "-b", "side", wt.toString());
        Files.writeString(wt.resolve("side.txt"), "side\n");
        git(wt, "add", "side.txt");
        git(wt, "commit", "-q", "-m", "side");
        Path gitDir = Path.of(git(wt, "rev-parse", "--absolute-git-dir").strip());
        Path common = Path.of(git(wt, "rev-parse", "--path-format=absolute", "--git-common-dir").strip());
        assertThat(gitDir).isNotEqualTo(common);
        assertThat(GitHead.read(gitDir, common, 40)).isEqualTo(new Head(Head.Kind.ID, revParse(wt)));
        assertThat(revParse(wt)).isNotEqualTo(revParse(repo));
    }

    @Test
    void aSha256Repository() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("r"));
        git(repo, "init", "-q", "--object-format=sha256");
        Files.writeString(repo.resolve("a"), "a\n");
        git(repo, "add", "a");
        git(repo, "commit", "-q", "-m", "a");
        assertThat(GitHead.read(repo.resolve(".git"), repo.resolve(".git"), 64))
                .isEqualTo(new Head(Head.Kind.ID, revParse(repo)));
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN); // a 64-digit id is not a SHA-1 id
    }

    @Test
    void whatTheReaderDoesNotFullyUnderstandIsLeftToGit() throws Exception {
        Path repo = Fixtures.repo(tmp.resolve("r"));
        Path head = repo.resolve(".git/HEAD");

        Files.writeString(head, "ref: refs/worktree/mine\n"); // per-worktree ref
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN);
        Files.writeString(head, "ref: FETCH_HEAD\n"); // pseudo ref
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN);
        Files.writeString(head, "ref: refs/heads/../../config\n"); // escapes the refs directory
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN);
        Files.writeString(head, "garbage\n");
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN);
        Files.writeString(head, "ref: refs/heads/main\nextra line\n");
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN);

        Files.writeString(head, "ref: refs/heads/main\n");
        Files.delete(repo.resolve(".git/refs/heads/main"));
        Files.createSymbolicLink(repo.resolve(".git/refs/heads/main"), tmp.resolve("elsewhere"));
        assertThat(read(repo).kind()).isEqualTo(Head.Kind.UNKNOWN); // a symlinked ref is never followed

        Path loop = Fixtures.repo(tmp.resolve("loop"));
        Files.writeString(loop.resolve(".git/refs/heads/a"), "ref: refs/heads/b\n");
        Files.writeString(loop.resolve(".git/refs/heads/b"), "ref: refs/heads/a\n");
        Files.writeString(loop.resolve(".git/HEAD"), "ref: refs/heads/a\n");
        assertThat(read(loop).kind()).isEqualTo(Head.Kind.UNKNOWN);

        Path reftable = Fixtures.repo(tmp.resolve("reftable"));
        Files.createDirectories(reftable.resolve(".git/reftable"));
        assertThat(read(reftable).kind()).isEqualTo(Head.Kind.UNKNOWN);

        Path linkedHead = Fixtures.repo(tmp.resolve("linked-head"));
        Files.delete(linkedHead.resolve(".git/HEAD"));
        Files.createSymbolicLink(linkedHead.resolve(".git/HEAD"), Path.of("refs/heads/main"));
        assertThat(read(linkedHead).kind()).isEqualTo(Head.Kind.UNKNOWN);
    }

    @Test
    void refNamesOutsideTheSharedRefsAreRejected() {
        assertThat(GitHead.isSharedRef("refs/heads/main")).isTrue();
        assertThat(GitHead.isSharedRef("refs/heads/feature/x-1")).isTrue();
        assertThat(GitHead.isSharedRef("refs/heads/.hidden")).isFalse();
        assertThat(GitHead.isSharedRef("refs/heads/a..b")).isFalse();
        assertThat(GitHead.isSharedRef("refs/heads/x.lock")).isFalse();
        assertThat(GitHead.isSharedRef("refs/bisect/bad")).isFalse();
        assertThat(GitHead.isSharedRef("refs/rewritten/x")).isFalse();
        assertThat(GitHead.isSharedRef("HEAD")).isFalse();
        assertThat(GitHead.isSharedRef("refs/heads/a b")).isFalse();
        assertThat(GitHead.isSharedRef("refs/heads/a//b")).isFalse();
        assertThat(GitHead.isSharedRef("/etc/passwd")).isFalse();
    }
}
