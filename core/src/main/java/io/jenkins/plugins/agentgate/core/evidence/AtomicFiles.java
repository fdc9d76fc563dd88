package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: write to a temporary file in the same directory, fsync it, move it into place
 * atomically, then fsync the directory. A reader sees either the old state or the whole new file.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    static void write(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies a stream into {@code target} atomically; returns the number of bytes written. */
    static long copy(InputStream in, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                n = in.transferTo(out);
            }
            fsync(tmp);
            moveIntoPlace(tmp, target);
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Moves an already written file (in the same directory tree) into place after syncing it. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        fsync(tmp);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move '" + tmp + "' to '" + target + "' atomically; the evidence directory "
                    + "must be on a file system that supports atomic rename", e);
        }
        fsyncDir(target.getParent());
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
