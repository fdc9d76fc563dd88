package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;

/**
 * What capture compares before hashing: type, size, mtime, ctime, inode and mode, read without following
 * symlinks. Equal stats mean unchanged content (ctime cannot be set back by the agent, unlike mtime).
 */
record FileStat(char type, long size, long mtimeNanos, long ctimeNanos, Object inode, int mode) {
    static final char FILE = 'f';
    static final char DIR = 'd';
    static final char LINK = 'l';
    static final char OTHER = 'o';

    static FileStat of(Path p, BasicFileAttributes basic) throws IOException {
        char type = basic.isSymbolicLink() ? LINK : basic.isRegularFile() ? FILE : basic.isDirectory() ? DIR : OTHER;
        long ctime = 0;
        int mode = 0;
        Object inode = basic.fileKey();
        try {
            Map<String, Object> unix = Files.readAttributes(p, "unix:ctime,ino,mode", LinkOption.NOFOLLOW_LINKS);
            ctime = nanos((FileTime) unix.get("ctime"));
            inode = unix.get("ino");
            mode = (Integer) unix.get("mode");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // Not a Unix file system: size, mtime and file key still detect ordinary writes.
        }
        return new FileStat(type, basic.size(), nanos(basic.lastModifiedTime()), ctime, inode, mode & 07777);
    }

    boolean sameAs(FileStat o) {
        return o != null && type == o.type && size == o.size && mtimeNanos == o.mtimeNanos && ctimeNanos == o.ctimeNanos
                && Objects.equals(inode, o.inode) && mode == o.mode;
    }

    boolean executable() {
        return (mode & 0111) != 0;
    }

    String typeName() {
        return switch (type) {
            case FILE -> executable() ? "executable" : "file";
            case LINK -> "symlink";
            case DIR -> "directory";
            default -> "other";
        };
    }

    private static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
