package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Crash safety of a bundle. Every bundle file is written inside a private staging directory, which is
 * renamed onto the bundle's name only when complete: that rename is the one commit point, so a single
 * file never needs its own temporary name. What the rename needs is that everything under it is durable
 * first ({@link #syncTree}); done once at the end, the files share the journal commits that per-file
 * fsync, rename and directory fsync would each pay (about 2 ms each on this project's build machines).
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Moves a finished temporary file onto its name in the same directory (atomic; durability is left to {@link #syncTree}). */
    static void rename(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move '" + tmp + "' to '" + target + "' atomically; the evidence directory "
                    + "must be on a file system that supports atomic rename", e);
        }
    }

    /**
     * Makes every regular file and directory under {@code dir} (and {@code dir} itself) durable, so that a
     * rename of {@code dir} that survives a crash never names a directory with missing or short files.
     * Symbolic links are neither followed nor synced (a bundle has none).
     */
    static void syncTree(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) { // walk() does not follow links unless asked to
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    fsync(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(p);
                }
            }
        }
        // Directories after their files: a directory's entries are durable once the directory is synced.
        for (int i = dirs.size() - 1; i >= 0; i--) {
            fsyncDir(dirs.get(i));
        }
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a rename durable; a no-op where the platform cannot open directories (it is best effort there). */
    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot fsync a directory; the rename itself is still atomic.
        }
    }
}
