package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The post-run tree built from the changed paths only. {@code git ls-files -m -d -o --directory} (run by
 * the caller against the pre-run index; one stat pass, no index write) names the candidates; this class
 * reads each one without following symlinks, stores its blob in the private object store (hashing the
 * content for the evidence in the same read), and rewrites the trees above it.
 *
 * <p>It gives up — {@link #build} returns null and the caller stages the whole working tree with git,
 * as before — wherever git's own staging could differ from a plain content hash: a {@code .gitattributes}
 * file anywhere (filters and line-ending conversion), gitlinks and nested repositories, special files,
 * paths git refuses ({@code .git} look-alikes), and names the JVM cannot open byte-exactly (not UTF-8).
 */
final class ChangedPaths {
    /** The post-run tree id and the blobs written for changed files, keyed by path (ISO-8859-1 form). */
    record Result(String postTree, Map<String, CapturePack.Blob> blobs) {}

    private static final boolean UTF8_NAMES =
            "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding", ""));

    private final Path workspace;
    private final TreeListing pre;
    private final CapturePack store;
    private final Map<String, Boolean> realDirs = new HashMap<>();
    private final Map<String, TreeListing.Entry> changes = new HashMap<>();
    private final Map<String, CapturePack.Blob> blobs = new HashMap<>();

    private ChangedPaths(Path workspace, TreeListing pre, CapturePack store) {
        this.workspace = workspace;
        this.pre = pre;
        this.store = store;
    }

    /**
     * @param lsFiles output of {@code ls-files -z -m -d -o --directory --no-empty-directory}
     * @return the post-run tree, or null when git must stage the working tree itself
     */
    static Result build(Path workspace, byte[] lsFiles, TreeListing pre, CapturePack store) throws IOException {
        return build(workspace, lsFiles, Set.of(), pre, store);
    }

    /** @param untracked more candidates (paths, or directories ending in '/'), found without git */
    static Result build(Path workspace, byte[] lsFiles, Set<String> untracked, TreeListing pre, CapturePack store)
            throws IOException {
        if (pre.hasAttributes()) {
            return null;
        }
        ChangedPaths c = new ChangedPaths(workspace, pre, store);
        if (!c.run(lsFiles, untracked)) {
            return null;
        }
        String tree = pre.apply(c.changes, store);
        store.flush();
        return new Result(tree, c.blobs);
    }

    private boolean run(byte[] lsFiles, Set<String> untracked) throws IOException {
        Set<String> candidates = new LinkedHashSet<>(untracked);
        int start = 0;
        for (int i = 0; i < lsFiles.length; i++) {
            if (lsFiles[i] == 0) {
                if (i > start) {
                    candidates.add(TreeListing.latin1(lsFiles, start, i));
                }
                start = i + 1;
            }
        }
        Set<String> files = new LinkedHashSet<>();
        for (String c : candidates) {
            if (c.endsWith("/")) {
                // An untracked directory: every file below it is new (a nested repository gives up).
                if (!walkUntracked(c.substring(0, c.length() - 1), files)) {
                    return false;
                }
            } else {
                files.add(c);
            }
        }
        Set<String> underReplaced = new LinkedHashSet<>();
        if (!examineAll(files, underReplaced)) {
            return false;
        }
        underReplaced.removeAll(files);
        return examineAll(underReplaced, new LinkedHashSet<>());
    }

    /**
     * Examines each path; a tracked file that is now a directory adds the files below it to
     * {@code underReplaced} (git lists such a directory neither as untracked nor by its content).
     */
    private boolean examineAll(Set<String> files, Set<String> underReplaced) throws IOException {
        Map<String, TreeListing.Entry> before = pre.entriesOf(files);
        for (String path : files) {
            TreeListing.Entry old = before.get(path);
            if (old != null && "160000".equals(old.mode())) {
                return false;
            }
            if (!examine(path, old, underReplaced)) {
                return false;
            }
        }
        return true;
    }

    /** Records the post-run entry of {@code path}; false when git must decide. */
    private boolean examine(String path, TreeListing.Entry old, Set<String> underReplaced) throws IOException {
        Path p = open(path);
        if (p == null || refusedByGit(path)) {
            return false;
        }
        PosixFileAttributes a = null;
        if (parentsAreDirectories(path)) {
            try {
                a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException | NotDirectoryException e) {
                a = null;
            }
        }
        TreeListing.Entry now;
        if (a == null) {
            now = null;
        } else if (a.isDirectory()) {
            now = null;
            if (!walkUntracked(path, underReplaced)) {
                return false;
            }
        } else if (a.isRegularFile()) {
            CapturePack.Blob b;
            try {
                b = store.hashFile(p, a.size());
            } catch (java.nio.file.AccessDeniedException e) {
                return false; // unreadable: git decides (and reports it) as it always did
            }
            blobs.put(path, b);
            now = new TreeListing.Entry(a.permissions().contains(PosixFilePermission.OWNER_EXECUTE) ? "100755" : "100644", b.oid());
            if (old == null || !b.oid().equals(old.oid())) {
                store.addBlob(b);
            }
        } else if (a.isSymbolicLink()) {
            if (linkGitRefuses(path)) {
                return false;
            }
            String target = Files.readSymbolicLink(p).toString();
            if (target.indexOf('\uFFFD') >= 0 || (!UTF8_NAMES && !isAscii(target))) {
                return false; // the link text is not UTF-8: the JVM cannot hand git its exact bytes
            }
            now = new TreeListing.Entry("120000", store.add("blob", target.getBytes(StandardCharsets.UTF_8)));
        } else {
            return false; // a FIFO, socket or device where git had a file
        }
        if (now == null ? old != null : !now.equals(old)) {
            changes.put(path, now);
        }
        return true;
    }

    private boolean walkUntracked(String dir, Set<String> into) throws IOException {
        Path root = open(dir);
        if (root == null || refusedByGit(dir) || !parentsAreDirectories(dir + "/")) {
            return false;
        }
        boolean[] ok = {true};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return check(d) ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (!check(f)) {
                    return FileVisitResult.TERMINATE;
                }
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    String rel = workspace.relativize(f).toString();
                    into.add(new String(rel.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
                }
                return FileVisitResult.CONTINUE; // git skips FIFOs, sockets and devices it does not track
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                ok[0] = false; // e.g. an unreadable directory: git decides what to stage and what to report
                return FileVisitResult.TERMINATE;
            }

            private boolean check(Path f) {
                String name = f.getFileName() == null ? "" : f.getFileName().toString();
                if (name.indexOf('\uFFFD') >= 0 || refusedByGit(name)
                        || (Files.isSymbolicLink(f) && linkGitRefuses(name))) {
                    ok[0] = false;
                }
                return ok[0];
            }
        });
        return ok[0];
    }

    /** Every directory above {@code path} is a real directory, not a symlink: never look through one. */
    private boolean parentsAreDirectories(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return true;
        }
        String dir = path.substring(0, slash);
        Boolean known = realDirs.get(dir);
        if (known != null) {
            return known;
        }
        boolean real = parentsAreDirectories(dir);
        if (real) {
            Path d = open(dir);
            real = d != null && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS);
        }
        realDirs.put(dir, real);
        return real;
    }

    /** The workspace path for git's bytes, or null when the JVM cannot name exactly those bytes. */
    private Path open(String latin1Path) {
        return open(workspace, latin1Path);
    }

    /** The workspace path for git's bytes (ISO-8859-1 form), or null when the JVM cannot name exactly those bytes. */
    static Path open(Path workspace, String latin1Path) {
        byte[] bytes = latin1Path.getBytes(StandardCharsets.ISO_8859_1);
        boolean ascii = true;
        for (byte b : bytes) {
            ascii &= b >= 0;
        }
        if (!ascii && !UTF8_NAMES) {
            return null;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return workspace.resolve(s);
        } catch (CharacterCodingException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /**
     * Components git will not stage on any platform ({@code .git} and its NTFS spellings, {@code git~1}),
     * and links named like git's own files; git may refuse or treat them specially, so git decides.
     */
    private static boolean refusedByGit(String path) {
        for (String part : path.split("/")) {
            String lower = part.toLowerCase(Locale.ROOT);
            if (lower.startsWith(".git") && (lower.length() == 4 || " .:".indexOf(lower.charAt(4)) >= 0
                    || lower.equals(".gitattributes") || lower.equals(".gitmodules"))
                    || lower.startsWith("git~")) {
                return true;
            }
        }
        return false;
    }

    /** git refuses symlinks named like the files it reads from the work tree (.gitignore, .mailmap, ...). */
    private static boolean linkGitRefuses(String path) {
        String lower = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return lower.startsWith(".git") || lower.startsWith(".mailmap");
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
