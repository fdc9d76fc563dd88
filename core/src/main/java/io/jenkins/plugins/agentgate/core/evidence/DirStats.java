package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds new (untracked or ignored) paths after the run without reading every directory — git's
 * untracked-cache idea. Before the run it records each directory's inode, mtime and ctime; adding,
 * removing or renaming an entry changes a directory's mtime and ctime (and ctime cannot be set back), so
 * after the run only directories whose stat changed are read. A directory whose times are within two
 * seconds of when they were recorded is "racy" (file times are coarser than the clock) and always read.
 *
 * <p>It only knows the directories of the pre-run tree. Directories git does not record (empty ones,
 * those holding only empty ones, nested repositories) would be blind spots, so when a directory's link
 * count says it has subdirectories the tree does not list — or the file system does not count them —
 * {@link #capture} returns null and the caller asks git to read every directory.
 */
final class DirStats {
    private static final long RACY_NANOS = 2_000_000_000L;

    private record Stat(Object inode, long mtime, long ctime, boolean racy) {}

    private final Path workspace;
    private final Map<String, Stat> dirs;

    private DirStats(Path workspace, Map<String, Stat> dirs) {
        this.workspace = workspace;
        this.dirs = dirs;
    }

    /** Records every directory of {@code listing}; null when some directory cannot be accounted for. */
    static DirStats capture(Path workspace, TreeListing listing) throws IOException {
        if (listing.hasGitlinks()) {
            return null;
        }
        Map<String, Stat> dirs = new HashMap<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (String dir : listing.directories()) {
            Path p = ChangedPaths.open(workspace, dir);
            if (p == null) {
                return null;
            }
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:ino,ctime,lastModifiedTime,nlink,mode", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException | UnsupportedOperationException | IllegalArgumentException e) {
                return null;
            }
            if ((((Integer) a.get("mode")) & 0170000) != 0040000) {
                return null;
            }
            int expected = 2 + listing.subdirectories(dir);
            if (dir.isEmpty() && Files.isDirectory(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                expected++;
            }
            if ((Integer) a.get("nlink") != expected) {
                return null; // an empty or nested directory git does not list, or a file system without link counts
            }
            long mtime = nanos((FileTime) a.get("lastModifiedTime"));
            long ctime = nanos((FileTime) a.get("ctime"));
            dirs.put(dir, new Stat(a.get("ino"), mtime, ctime, now - Math.max(mtime, ctime) < RACY_NANOS));
        }
        return new DirStats(workspace, dirs);
    }

    /**
     * Paths not in the pre-run tree, in the form {@code ls-files -o --directory} gives them (a new directory
     * as "dir/"), plus names that were a directory and are now something else; null when a name cannot be
     * handled byte-exactly (the caller then asks git).
     */
    Set<String> untracked(TreeListing listing) throws IOException {
        Set<String> found = new LinkedHashSet<>();
        for (Map.Entry<String, Stat> d : dirs.entrySet()) {
            String dir = d.getKey();
            Path p = ChangedPaths.open(workspace, dir);
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:ino,ctime,lastModifiedTime,mode", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                continue; // gone: its files show as deleted, whatever replaced it shows in its parent
            }
            if ((((Integer) a.get("mode")) & 0170000) != 0040000) {
                continue; // replaced by a file or link: its parent's stat changed, and is read below
            }
            Stat was = d.getValue();
            if (!was.racy() && Objects.equals(was.inode(), a.get("ino"))
                    && was.mtime() == nanos((FileTime) a.get("lastModifiedTime"))
                    && was.ctime() == nanos((FileTime) a.get("ctime"))) {
                continue; // no entry added, removed or renamed here
            }
            if (!dir.isEmpty() && !parentsAreDirectories(dir)) {
                continue; // reached through a symlink: not the workspace's directory any more
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path child : entries) {
                    String name = child.getFileName().toString();
                    if (name.indexOf('\uFFFD') >= 0) {
                        return null;
                    }
                    String latin1 = new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
                    if (dir.isEmpty() && latin1.equals(".git")) {
                        continue;
                    }
                    String path = dir.isEmpty() ? latin1 : dir + "/" + latin1;
                    TreeListing.Entry e = listing.entry(dir, latin1);
                    BasicFileAttributes c;
                    if (e != null && !e.isTree()) {
                        continue; // a tracked file or link: git's stat pass covers it
                    }
                    try {
                        c = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException ex) {
                        continue;
                    }
                    if (e != null) {
                        if (!c.isDirectory()) {
                            found.add(path); // was a directory, is now a file or link
                        }
                    } else if (c.isDirectory()) {
                        found.add(path + "/");
                    } else if (c.isRegularFile() || c.isSymbolicLink()) {
                        found.add(path);
                    }
                }
            }
        }
        return found;
    }

    private boolean parentsAreDirectories(String dir) {
        String prefix = "";
        for (String part : dir.split("/")) {
            prefix = prefix.isEmpty() ? part : prefix + "/" + part;
            Path q = ChangedPaths.open(workspace, prefix);
            if (q == null || !Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    private static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
