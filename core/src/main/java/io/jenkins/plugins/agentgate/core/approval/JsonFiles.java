package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.profile.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Collectors;

/** Bounded reading and atomic writing of the approval JSON files. */
final class JsonFiles {
    private JsonFiles() {}

    static <T> T read(Path file, Class<T> type, long maxBytes, String what) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw problem(file, 0, "(file)", file.toString(), what + " that is a regular file, not a symbolic link");
        }
        long size = Files.size(file);
        if (size > maxBytes) {
            throw problem(file, 0, "(file)", size + " bytes", what + " of at most " + maxBytes + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) maxBytes + 1);
        }
        try {
            return CanonicalJson.mapper().readValue(bytes, type);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw problem(file, line, field.isEmpty() ? "(document)" : field, String.valueOf(cause.getMessage()).split("\n")[0],
                    what + " as documented in docs/approvals.md");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw problem(file, line, "(syntax)", e.getOriginalMessage(), "well-formed JSON (" + what + ")");
        }
    }

    /** Writes {@code value} as indented JSON next to its destination, then moves it into place in one step. */
    static void writeAtomically(Path file, Object value) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap((CanonicalJson.pretty(value) + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true); // on disk before the rename makes it visible
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically on this file system", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ApprovalFileException problem(Path file, int line, String field, String value, String expected) {
        return new ApprovalFileException(new ConfigProblem(file.toString(), line, field, value, expected));
    }
}
