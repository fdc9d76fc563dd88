package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The objects a capture creates (changed files' blobs, rewritten trees), written into the capture's
 * private object directory as <em>one</em> pack with its index, so that git reads them as its own. One
 * pack instead of a loose file per object: creating a file costs far more than writing its bytes on
 * the hosts this runs on (~0.5 ms of CPU per create and rename), and a capture may add hundreds of
 * objects. Only the scratch store is written; the repository's objects are never touched.
 *
 * <p>Ids are computed first ({@link #hashFile}, {@link #add}); {@link #flush} then writes the pack
 * (version 2: header, objects, trailing checksum) and its version-2 index (fan-out, sorted ids, CRC-32s,
 * offsets, checksums) — the formats git documents in gitformat-pack(5). Content is stored uncompressed
 * inside the zlib stream, as git is told for this short-lived store ({@code core.looseCompression=0}).
 */
final class CapturePack {
    /** Content up to this size stays in memory between hashing and packing; larger files are read again. */
    private static final long KEEP_IN_MEMORY_PER_FILE = 8L << 20;
    private static final long KEEP_IN_MEMORY_TOTAL = 64L << 20;
    private static final int TYPE_TREE = 2;
    private static final int TYPE_BLOB = 3;

    private final Path objectsDir;
    private final String algorithm;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private long kept;

    /** A file blob: its id, the content's SHA-256 and size, and where its content is until {@link #flush}. */
    record Blob(String oid, String sha256, long size, byte[] content, Path file) {}

    private record Pending(int type, byte[] content, Path file, long size) {}

    /** @param objectFormat {@code sha1} or {@code sha256}, as {@code rev-parse --show-object-format} says */
    CapturePack(Path objectsDir, String objectFormat) {
        this.objectsDir = objectsDir;
        this.algorithm = switch (objectFormat) {
            case "sha1" -> "SHA-1";
            case "sha256" -> "SHA-256";
            default -> throw new IllegalArgumentException("object format '" + objectFormat + "'; expected sha1 or sha256");
        };
    }

    int hexLength() {
        return "SHA-1".equals(algorithm) ? 40 : 64;
    }

    /**
     * Hashes the regular file {@code file} (opened without following a symlink) as a blob, and its content
     * with SHA-256, in one read. {@code expectedSize} is the size lstat saw; a file that changes size while
     * read is an error. The blob is not stored until {@link #addBlob}.
     */
    Blob hashFile(Path file, long expectedSize) throws IOException {
        MessageDigest oid = digest();
        MessageDigest content = Digests.sha256();
        oid.update(("blob " + expectedSize + "\0").getBytes(StandardCharsets.US_ASCII));
        boolean keep = expectedSize <= KEEP_IN_MEMORY_PER_FILE && kept + expectedSize <= KEEP_IN_MEMORY_TOTAL;
        byte[] data = keep ? new byte[(int) expectedSize] : null;
        long n = 0;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (keep) {
                int r;
                while (n < expectedSize && (r = in.read(data, (int) n, (int) (expectedSize - n))) > 0) {
                    n += r;
                }
                if (n == expectedSize && in.read() >= 0) {
                    n++; // grew past the size lstat saw
                }
                if (n == expectedSize) {
                    oid.update(data);
                    content.update(data);
                }
            } else {
                byte[] buf = new byte[1 << 16];
                int r;
                while ((r = in.read(buf)) > 0) {
                    n += r;
                    oid.update(buf, 0, r);
                    content.update(buf, 0, r);
                }
            }
        }
        if (n != expectedSize) {
            throw new CaptureException("'" + file + "' changed size while it was read (" + expectedSize
                    + " bytes by lstat); expected the sandbox to have stopped");
        }
        if (keep) {
            kept += expectedSize;
        }
        HexFormat hex = HexFormat.of();
        return new Blob(hex.formatHex(oid.digest()), hex.formatHex(content.digest()), n, data, keep ? null : file);
    }

    /** Queues a hashed file blob for the pack. */
    void addBlob(Blob b) {
        pending.putIfAbsent(b.oid(), new Pending(TYPE_BLOB, b.content(), b.file(), b.size()));
    }

    /** Queues an object of {@code type} ({@code blob} or {@code tree}) and returns its id. */
    String add(String type, byte[] content) {
        MessageDigest md = digest();
        md.update((type + " " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
        md.update(content);
        String id = HexFormat.of().formatHex(md.digest());
        pending.putIfAbsent(id, new Pending("tree".equals(type) ? TYPE_TREE : TYPE_BLOB, content, null, content.length));
        return id;
    }

    /** Writes every queued object into one pack and its index; nothing when none is queued. */
    void flush() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(pending.keySet());
        int n = ids.size();
        long[] offsets = new long[n];
        int[] crcs = new int[n];
        // Named, as git once named packs, by the hash of the sorted object ids (the name is only a name).
        String[] sorted = ids.toArray(String[]::new);
        Arrays.sort(sorted);
        MessageDigest nameMd = digest();
        for (String id : sorted) {
            nameMd.update(HexFormat.of().parseHex(id));
        }
        String name = "pack-" + HexFormat.of().formatHex(nameMd.digest());
        Path packDir = objectsDir.resolve("pack");
        if (!Files.isDirectory(packDir)) {
            Files.createDirectories(packDir);
        }
        Path packFile = packDir.resolve(name + ".pack");
        MessageDigest packMd = digest();
        byte[] trailer;
        Deflater deflater = new Deflater(Deflater.NO_COMPRESSION);
        try (CountingOut out = new CountingOut(new BufferedOutputStream(Files.newOutputStream(packFile,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16), packMd)) {
            out.write(new byte[] {'P', 'A', 'C', 'K', 0, 0, 0, 2});
            out.write(ByteBuffer.allocate(4).putInt(n).array());
            for (int i = 0; i < n; i++) {
                String id = ids.get(i);
                Pending p = pending.get(id);
                offsets[i] = out.count;
                out.crc.reset();
                out.write(objectHeader(p.type(), p.size()));
                deflater.reset();
                if (p.content() != null) {
                    deflate(deflater, p.content(), 0, p.content().length, out);
                } else {
                    rereadInto(p, id, deflater, out);
                }
                finish(deflater, out);
                crcs[i] = (int) out.crc.getValue();
            }
            trailer = packMd.digest();
            out.writeRaw(trailer);
        } finally {
            deflater.end();
        }
        // The index last: git looks for packs by their index, so it never sees a half-written pack.
        writeIndex(packDir.resolve(name + ".idx"), ids, offsets, crcs, trailer);
        pending.clear();
    }

    /** Large files were not kept: read them again (verifying they still hash to their id) straight into the pack. */
    private void rereadInto(Pending p, String id, Deflater deflater, CountingOut out) throws IOException {
        MessageDigest check = digest();
        check.update(("blob " + p.size() + "\0").getBytes(StandardCharsets.US_ASCII));
        long n = 0;
        try (InputStream in = Files.newInputStream(p.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
                check.update(buf, 0, r);
                deflate(deflater, buf, 0, r, out);
            }
        }
        if (n != p.size() || !HexFormat.of().formatHex(check.digest()).equals(id)) {
            throw new CaptureException("'" + p.file() + "' changed while it was captured; expected the sandbox to have stopped");
        }
    }

    private static void deflate(Deflater d, byte[] b, int off, int len, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        d.setInput(b, off, len);
        while (!d.needsInput()) {
            int k = d.deflate(buf);
            out.write(buf, 0, k);
        }
    }

    private static void finish(Deflater d, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        d.finish();
        while (!d.finished()) {
            int k = d.deflate(buf);
            out.write(buf, 0, k);
        }
    }

    /** Type in bits 4-6 of the first byte, size in its low 4 bits then 7 bits per byte, MSB = more. */
    static byte[] objectHeader(int type, long size) {
        ByteArrayOutputStream h = new ByteArrayOutputStream(10);
        int c = (type << 4) | (int) (size & 0x0f);
        size >>>= 4;
        while (size != 0) {
            h.write(c | 0x80);
            c = (int) (size & 0x7f);
            size >>>= 7;
        }
        h.write(c);
        return h.toByteArray();
    }

    private void writeIndex(Path idxFile, List<String> ids, long[] offsets, int[] crcs, byte[] packChecksum) throws IOException {
        int n = ids.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ids.get(a).compareTo(ids.get(b)));
        MessageDigest md = digest();
        ByteArrayOutputStream idx = new ByteArrayOutputStream(1100 + n * 64);
        idx.writeBytes(new byte[] {(byte) 0xff, 't', 'O', 'c', 0, 0, 0, 2});
        int[] fanout = new int[256];
        for (String id : ids) {
            fanout[Integer.parseInt(id.substring(0, 2), 16)]++;
        }
        int total = 0;
        for (int i = 0; i < 256; i++) {
            total += fanout[i];
            idx.writeBytes(ByteBuffer.allocate(4).putInt(total).array());
        }
        for (Integer i : order) {
            idx.writeBytes(HexFormat.of().parseHex(ids.get(i)));
        }
        for (Integer i : order) {
            idx.writeBytes(ByteBuffer.allocate(4).putInt(crcs[i]).array());
        }
        List<Long> large = new ArrayList<>();
        for (Integer i : order) {
            long off = offsets[i];
            int v = off < 0x80000000L ? (int) off : 0x80000000 | large.size();
            if (off >= 0x80000000L) {
                large.add(off);
            }
            idx.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
        }
        for (long off : large) {
            idx.writeBytes(ByteBuffer.allocate(8).putLong(off).array());
        }
        idx.writeBytes(packChecksum);
        md.update(idx.toByteArray());
        idx.writeBytes(md.digest());
        Files.write(idxFile, idx.toByteArray(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is a required JDK algorithm", e);
        }
    }

    /** Counts, checksums and CRCs what goes into the pack. */
    private static final class CountingOut extends OutputStream {
        private final OutputStream out;
        private final MessageDigest md;
        final CRC32 crc = new CRC32();
        long count;

        CountingOut(OutputStream out, MessageDigest md) {
            this.out = out;
            this.md = md;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            md.update(b, off, len);
            crc.update(b, off, len);
            count += len;
        }

        void writeRaw(byte[] b) throws IOException {
            out.write(b);
            count += b.length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
