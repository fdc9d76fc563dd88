package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Git-aware capture. The pre-run working tree is written as a git tree into a private object directory
 * (alternates point at the repository's objects, which are only read) through a private index seeded
 * from the repository's index, so only files whose stat data changed are hashed. After the run, the
 * post-run tree is built from the changed paths alone ({@link ChangedPaths}: one {@code ls-files} stat
 * pass, blobs and trees written as one pack), or, where git's staging could differ from a plain content
 * hash, by staging the whole working tree as before; one {@code diff-tree --stdin} gives both patches.
 * The repository's own config, hooks, index and objects are never used for writing; its filters and
 * fsmonitor never run because its config is not read at all.
 */
final class GitCapture {
    /** Both patches: raw records and numstat first (the change list), then the binary-safe patch. */
    private static final String[] PATCH_OPTIONS = {"-r", "-z", "--raw", "--numstat", "-p", "--binary", "--full-index",
            "--no-renames", "--no-ext-diff", "--no-textconv"};

    private final Path workspace;
    private final Path scratch;
    private final GitCli repo;
    private final GitCli priv;
    private final String baseCommit;
    private final Path realIndex;
    private final Path gitDir;
    private final Path commonDir;
    private final CapturePack objects;
    /** Whether the last after() had git stage the whole working tree (for tests: the fast path was or was not taken). */
    private volatile boolean stagedByGit;
    /** Whether the last after() found new files from directory stats rather than git's directory scan (for tests). */
    private volatile boolean scannedDirectoriesItself;

    private GitCapture(Path workspace, Path scratch, GitCli repo, GitCli priv, String baseCommit, Path realIndex,
                       Path gitDir, Path commonDir, CapturePack objects) {
        this.workspace = workspace;
        this.scratch = scratch;
        this.repo = repo;
        this.priv = priv;
        this.baseCommit = baseCommit;
        this.realIndex = realIndex;
        this.gitDir = gitDir;
        this.commonDir = commonDir;
        this.objects = objects;
    }

    /** Returns a git capture when {@code ws} is the top of a git work tree and git works, else null. */
    static GitCapture detect(Path ws, Path scratch) throws IOException {
        Path home = Files.createDirectories(scratch.resolve("home"));
        Path parent = ws.getParent() == null ? ws : ws.getParent();
        // Discovery stops at the workspace: a repository above it is not the workspace's.
        GitCli repo = new GitCli("git", ws, home, Map.of("GIT_CEILING_DIRECTORIES", parent.toString()));
        GitCli.Result info;
        try {
            info = repo.tryRun("rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir",
                    "--git-path", "index", "--show-object-format", "--git-dir");
        } catch (CaptureException e) {
            return null; // no git binary: manifest capture
        }
        if (info.exitCode() != 0) {
            return null;
        }
        String[] lines = info.stdout().split("\n");
        if (lines.length < 5 || !Path.of(lines[0]).toRealPath().equals(ws)) {
            return null;
        }
        Path commonDir = Path.of(lines[1]);
        Path realIndex = Path.of(lines[2]);
        String objectFormat = lines[3].strip();
        Path repoGitDir = Path.of(lines[4]);
        if (!"sha1".equals(objectFormat) && !"sha256".equals(objectFormat)) {
            return null; // an object format this capture does not know how to write
        }
        GitCli.Result head = repo.tryRun("rev-parse", "-q", "--verify", "HEAD^{commit}");
        String base = head.exitCode() == 0 ? head.stdout().strip() : null;

        Path gitDir = scratch.resolve("git");
        Files.createDirectories(gitDir.resolve("objects/info"));
        Files.createDirectories(gitDir.resolve("objects/pack")); // for the pack after() writes
        Files.createDirectories(gitDir.resolve("refs/heads"));
        Files.writeString(gitDir.resolve("HEAD"), "ref: refs/heads/agentgate-capture\n");
        Files.writeString(gitDir.resolve("config"), "sha1".equals(objectFormat)
                ? "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                : "[core]\n\trepositoryformatversion = 1\n\tbare = false\n[extensions]\n\tobjectFormat = " + objectFormat + "\n");
        Files.writeString(gitDir.resolve("objects/info/alternates"), commonDir.resolve("objects") + "\n");
        GitCli priv = new GitCli("git", ws, home, Map.of(
                "GIT_DIR", gitDir.toString(),
                "GIT_WORK_TREE", ws.toString(),
                "GIT_CEILING_DIRECTORIES", parent.toString()));
        return new GitCapture(ws, scratch, repo, priv, base, realIndex, repoGitDir, commonDir,
                new CapturePack(gitDir.resolve("objects"), objectFormat));
    }

    WorkspaceCapture.Snapshot before(Path outputDir, CaptureLimits limits) throws IOException {
        return before(outputDir, limits, true);
    }

    /** {@code fromChangedPaths} false: always stage the whole working tree after the run (the reference path, for tests). */
    WorkspaceCapture.Snapshot before(Path outputDir, CaptureLimits limits, boolean fromChangedPaths) throws IOException {
        Path preIndex = scratch.resolve("pre.index");
        boolean seeded = seedIndex(preIndex);
        String preTree;
        try {
            preTree = snapshotTree(preIndex);
        } catch (CaptureException e) {
            if (!seeded) {
                throw e;
            }
            Files.deleteIfExists(preIndex); // e.g. a split index we cannot read: start from an empty one
            preTree = snapshotTree(preIndex);
        }
        String tree = preTree;
        // Every pre-run entry with its id: after the run, the trees above changed paths are rebuilt from it.
        TreeListing listing = fromChangedPaths
                ? TreeListing.of(priv.run("ls-tree", "-r", "-t", "-z", "--full-tree", preTree)) : null;
        // Each directory's stat, so that after the run only directories whose entries changed are read.
        DirStats dirStats = listing == null ? null : DirStats.capture(workspace, listing);
        return new WorkspaceCapture.Snapshot() {
            @Override
            public String kind() {
                return "git";
            }

            @Override
            public CaptureResult after(UnaryOperator<OutputStream> patchMask) throws IOException {
                return GitCapture.this.after(preIndex, tree, listing, dirStats, outputDir, limits, patchMask);
            }
        };
    }

    /**
     * Copies the repository's index for its stat cache, unless it marks entries assume-unchanged or
     * skip-worktree (those would hide changes); then the private index starts empty.
     */
    private boolean seedIndex(Path preIndex) throws IOException {
        if (!Files.isRegularFile(realIndex, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Files.copy(realIndex, preIndex, StandardCopyOption.REPLACE_EXISTING);
        GitCli.Result tags = priv.with(Map.of("GIT_INDEX_FILE", preIndex.toString())).tryRun("ls-files", "-v", "-z");
        boolean usable = tags.exitCode() == 0;
        if (usable) {
            for (String entry : tags.stdout().split("\0")) {
                if (!entry.isEmpty() && (Character.isLowerCase(entry.charAt(0)) || entry.charAt(0) == 'S')) {
                    usable = false;
                    break;
                }
            }
        }
        if (!usable) {
            Files.deleteIfExists(preIndex);
        }
        return usable;
    }

    /** Stages the whole working tree (ignored files too: the agent may write there) and returns its tree id. */
    private String snapshotTree(Path index) throws IOException {
        GitCli g = priv.with(Map.of("GIT_INDEX_FILE", index.toString()));
        g.run("add", "--all", "--force", "--", ".");
        return new String(g.run("write-tree"), StandardCharsets.UTF_8).strip();
    }

    private CaptureResult after(Path preIndex, String preTree, TreeListing listing, DirStats dirStats, Path outputDir,
                                CaptureLimits limits, UnaryOperator<OutputStream> patchMask) throws IOException {
        GitCli g = priv.with(Map.of("GIT_INDEX_FILE", preIndex.toString()));
        Path patchFile = outputDir.resolve(EvidenceBundle.PATCH);
        Path revertFile = outputDir.resolve(EvidenceBundle.REVERT_PATCH);
        ChangedPaths.Result fromChanges = null;
        GitCli.Running patches = null;
        String postTree;
        String headAfter;
        String rawOut = "";
        GitCli.FileOut patchOut = null;
        GitCli.FileOut revertOut = null;
        try {
            if (listing != null) {
                // One stat pass over the index (no hashing of unchanged files, no index write) and a read of
                // the directories for new and ignored files; only the paths it names are read and hashed.
                // diff-files stats the index entries on parallel threads (core.preloadIndex), unlike ls-files;
                // it names stat-changed files without reading them (the JVM's hash drops unchanged content).
                // It is the longest step, so it starts first; everything below overlaps it.
                GitCli.Running diffFiles = dirStats == null ? null
                        : g.start("diff-files", "-z", "--name-only", "--no-renames");
                byte[] candidates = null;
                Set<String> untracked = null;
                try {
                    // diff-tree starts now (exec, configuration) and waits for the trees, while the changes are
                    // found. It reads no index (~3 ms at start-up for 10,000 entries) though git reads one by
                    // default: a tree-to-tree diff does not use it, except for attributes (a .gitattributes
                    // missing from the working tree is read from the index), and this route is left whenever a
                    // .gitattributes exists.
                    patches = priv.with(Map.of("GIT_INDEX_FILE", scratch.resolve("no.index").toString()))
                            .startPatchPair(PATCH_OPTIONS);
                    if (diffFiles != null) {
                        // New and ignored files from the directories whose stat changed (DirStats), read while git
                        // stats the files (its output, a few names, waits in the pipe); null when the pre-run tree
                        // does not account for every directory (then git reads them all, below).
                        untracked = dirStats.untracked(listing);
                    }
                } catch (IOException | RuntimeException e) {
                    if (diffFiles != null) {
                        diffFiles.abandon();
                    }
                    throw e;
                }
                if (diffFiles != null) {
                    candidates = diffFiles.finish();
                }
                scannedDirectoriesItself = untracked != null;
                if (untracked == null) {
                    candidates = g.run("ls-files", "-z", "-m", "-d", "-o", "--directory", "--no-empty-directory");
                    untracked = Set.of();
                }
                fromChanges = ChangedPaths.build(workspace, candidates, untracked, listing, objects);
            }
            stagedByGit = fromChanges == null;
            if (fromChanges != null) {
                postTree = fromChanges.postTree();
            } else {
                if (patches != null) {
                    patches.abandon(); // git stages the tree below; the reference path's diff-tree reads the index
                    patches = null;
                }
                // Git stages what the JVM should not judge (attributes, nested repositories, odd names). The
                // pre-run index is updated in place: after() runs once, and everything below compares tree ids.
                g.run("add", "--all", "--force", "--", ".");
                postTree = new String(g.run("write-tree"), StandardCharsets.UTF_8).strip();
            }
            headAfter = headAfter();
            if (!postTree.equals(preTree)) {
                // Tree-to-tree diffs read only the changed subtrees, never the index or the workspace. One
                // process gives both directions; the first also brings raw records and numstat.
                GitCli.PatchPair pair;
                if (fromChanges != null) {
                    pair = priv.finishPatchPair(patches, preTree, postTree, patchFile, revertFile, limits.maxPatchBytes(),
                            patchMask);
                } else {
                    pair = g.runPatchPair(preTree, postTree, patchFile, revertFile, limits.maxPatchBytes(), patchMask,
                            PATCH_OPTIONS);
                }
                patchOut = pair.first();
                revertOut = pair.second();
                rawOut = new String(patchOut.header(), StandardCharsets.UTF_8);
            }
        } finally {
            if (patches != null) {
                patches.abandon(); // not used (no change, or git staged the tree): a no-op once finished
            }
        }
        Map<String, CapturePack.Blob> blobs = fromChanges == null ? Map.of() : fromChanges.blobs();
        TreeMap<String, Raw> changes = new TreeMap<>();
        parseRawNumstat(rawOut, changes);
        List<String> reasons = new ArrayList<>();
        List<FileChange> listed = new ArrayList<>();
        int added = 0, modified = 0, deleted = 0, typeChanged = 0, binary = 0, symlinks = 0;
        long linesAdded = 0, linesRemoved = 0, hashed = 0;
        boolean budgetHit = false;
        for (Raw r : changes.values()) {
            switch (r.change) {
                case "added" -> added++;
                case "deleted" -> deleted++;
                case "type-changed" -> typeChanged++;
                default -> modified++;
            }
            if (r.binary) {
                binary++;
            }
            linesAdded += r.linesAdded == null ? 0 : r.linesAdded;
            linesRemoved += r.linesRemoved == null ? 0 : r.linesRemoved;
            String type = typeOf(r.change.equals("deleted") ? r.modeBefore : r.modeAfter);
            if ("symlink".equals(type)) {
                symlinks++;
            }
            if (listed.size() >= limits.maxFiles()) {
                continue;
            }
            Long sizeAfter = null;
            String shaAfter = null;
            String target = null;
            Path p = workspace.resolve(r.path);
            if (!r.change.equals("deleted")) {
                if ("symlink".equals(type) && Files.isSymbolicLink(p)) {
                    target = Files.readSymbolicLink(p).toString();
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    sizeAfter = Files.size(p);
                    if (hashed + sizeAfter <= limits.maxHashBytes()) {
                        // Hashed already when its blob was written (same read), unless git staged it.
                        CapturePack.Blob b = blobs.get(new String(r.path.getBytes(StandardCharsets.UTF_8),
                                StandardCharsets.ISO_8859_1));
                        shaAfter = b != null && b.oid().equals(r.oidAfter) ? b.sha256() : Digests.sha256Hex(p);
                        hashed += sizeAfter;
                    } else {
                        budgetHit = true;
                    }
                }
            }
            listed.add(new FileChange(r.path, r.change, type, r.linesAdded, r.linesRemoved, r.binary, null, sizeAfter,
                    null, shaAfter, zeroToNull(r.oidBefore), zeroToNull(r.oidAfter), target));
        }
        if (changes.size() > listed.size()) {
            reasons.add(changes.size() + " paths changed; only the first " + listed.size()
                    + " are listed (limit maxFiles=" + limits.maxFiles() + ")");
        }
        if (budgetHit) {
            reasons.add("content hashing stopped after " + hashed + " bytes (limit maxHashBytes="
                    + limits.maxHashBytes() + "); later files have no sha256After");
        }
        List<BundleFile> files = new ArrayList<>();
        BundleFile patch = patchRef(patchFile, patchOut, changes.isEmpty(), limits, reasons, EvidenceBundle.PATCH);
        BundleFile revert = patchRef(revertFile, revertOut, changes.isEmpty(), limits, reasons, EvidenceBundle.REVERT_PATCH);
        if (patch != null) {
            files.add(patch);
        }
        if (revert != null) {
            files.add(revert);
        }
        boolean revertMasked = revert != null && revertOut.masked();
        if (patch != null && patchOut.masked() || revertMasked) {
            reasons.add("values of the run's credentials were found in the changes and masked in " + EvidenceBundle.PATCH
                    + " and " + EvidenceBundle.REVERT_PATCH + "; where masked, the patches no longer apply byte for byte");
        }
        Truncation truncation = new Truncation(!reasons.isEmpty(), changes.size(), listed.size(), hashed, reasons);
        DiffSummary summary = new DiffSummary(changes.size(), added, modified, deleted, typeChanged, linesAdded,
                linesRemoved, binary, symlinks);
        WorkspaceEvidence w = new WorkspaceEvidence("git", null, baseCommit, headAfter, preTree, postTree, listed,
                summary, truncation, patch);
        boolean rollbackComplete = changes.isEmpty() || revert != null && !revertMasked;
        Rollback rollback = new Rollback("git-revert-patch", baseCommit, preTree, revert, null, rollbackComplete,
                rollbackComplete ? null : revertMasked
                        ? "the revert patch has credential values masked and does not apply where they were; the base commit is the rollback reference"
                        : "the revert patch exceeded maxPatchBytes=" + limits.maxPatchBytes()
                        + "; only the base commit is recorded");
        return new CaptureResult(w, rollback, files);
    }

    /**
     * HEAD after the run. Read from the repository's files; when that names the commit git resolved before
     * the run, no process is needed. Otherwise (moved, unborn before, or a layout the reader leaves to git)
     * git resolves it, peeling to a commit as before the run.
     */
    private String headAfter() throws IOException {
        GitHead.Head h = GitHead.read(gitDir, commonDir, objects.hexLength());
        if (h.kind() == GitHead.Head.Kind.UNBORN && baseCommit == null) {
            return null;
        }
        if (h.kind() == GitHead.Head.Kind.ID && h.oid().equals(baseCommit)) {
            return baseCommit;
        }
        GitCli.Result r = repo.tryRun("rev-parse", "-q", "--verify", "HEAD^{commit}");
        return r.exitCode() == 0 ? r.stdout().strip() : null;
    }

    boolean stagedByGit() {
        return stagedByGit;
    }

    boolean scannedDirectoriesItself() {
        return scannedDirectoriesItself;
    }

    private static BundleFile patchRef(Path file, GitCli.FileOut out, boolean noChanges, CaptureLimits limits,
                                       List<String> reasons, String name) throws IOException {
        if (noChanges) {
            Files.deleteIfExists(file);
            return null;
        }
        if (out.bytes() < 0) {
            reasons.add(name + " exceeded " + limits.maxPatchBytes() + " bytes (limit maxPatchBytes) and was left out");
            return null;
        }
        return new BundleFile(name, out.sha256(), out.bytes());
    }

    private static final class Raw {
        String path;
        String change;
        String modeBefore;
        String modeAfter;
        String oidBefore;
        String oidAfter;
        Long linesAdded;
        Long linesRemoved;
        boolean binary;
    }

    /** Parses {@code diff-tree -z --raw --numstat}: raw records (":m1 m2 o1 o2 S\0path\0") then numstat ("a\tr\tpath\0"). */
    static void parseRawNumstat(String out, Map<String, Raw> into) {
        String[] tok = out.split("\0", -1);
        for (int i = 0; i < tok.length; i++) {
            String t = tok[i];
            if (t.isEmpty()) {
                continue;
            }
            if (t.startsWith(":")) {
                String[] f = t.substring(1).split(" ");
                Raw r = into.computeIfAbsent(tok[++i], k -> new Raw());
                r.path = tok[i];
                r.modeBefore = f[0];
                r.modeAfter = f[1];
                r.oidBefore = f[2];
                r.oidAfter = f[3];
                r.change = switch (f[4].charAt(0)) {
                    case 'A' -> "added";
                    case 'D' -> "deleted";
                    case 'T' -> "type-changed";
                    default -> "modified";
                };
            } else {
                String[] f = t.split("\t", 3);
                Raw r = into.computeIfAbsent(f[2], k -> new Raw());
                r.path = f[2];
                if ("-".equals(f[0])) {
                    r.binary = true;
                } else {
                    r.linesAdded = Long.parseLong(f[0]);
                    r.linesRemoved = Long.parseLong(f[1]);
                }
            }
        }
    }

    private static String typeOf(String mode) {
        return switch (mode) {
            case "100644" -> "file";
            case "100755" -> "executable";
            case "120000" -> "symlink";
            case "160000" -> "gitlink";
            default -> "other";
        };
    }

    private static String zeroToNull(String oid) {
        return oid == null || oid.chars().allMatch(c -> c == '0') ? null : oid;
    }
}
