package io.jenkins.plugins.agentgate.core.credentials;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Masks secrets in a byte stream, whatever way the writes split it. Output is passed on as soon as it cannot
 * be part of a secret: only a tail that is a proper prefix of some pattern (at most the longest pattern minus
 * one byte) is held back until more bytes arrive, so memory stays bounded by that length plus one chunk.
 * {@link #flush()} keeps that tail too (flushing half a secret would leak it); {@link #close()} releases it.
 *
 * <p>A run of overlapping or adjacent matches becomes a single {@link SecretMasker#MASK}, also when the run
 * straddles two writes.
 */
public final class MaskingOutputStream extends OutputStream {
    private static final int CHUNK = 8192;
    private static final byte[] MASK = SecretMasker.MASK.getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final SecretMasker masker;
    /** Bytes held back; the first {@code maskedHead} of them are already known to be masked. */
    private byte[] held = new byte[0];
    private int maskedHead;
    /** The last bytes passed on were a mask: a run that starts right after it joins it (as in whole-text masking). */
    private boolean endsWithMask;
    private boolean closed;

    MaskingOutputStream(OutputStream out, SecretMasker masker) {
        this.out = out;
        this.masker = masker;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("masking stream is closed");
        }
        for (int i = 0; i < len; i += CHUNK) {
            int n = Math.min(CHUNK, len - i);
            byte[] buf = Arrays.copyOf(held, held.length + n);
            System.arraycopy(b, off + i, buf, held.length, n);
            process(buf, false);
        }
    }

    private void process(byte[] buf, boolean last) throws IOException {
        SecretMasker.Patterns p = masker.patterns();
        String latin = new String(buf, StandardCharsets.ISO_8859_1);
        List<int[]> runs = p.runs(latin);
        if (maskedHead > 0) {
            // The head was inside a match that began in an earlier write: keep it masked, merged with every new
            // run it touches (several may start inside it).
            int end = maskedHead;
            while (!runs.isEmpty() && runs.get(0)[0] <= end) {
                end = Math.max(end, runs.remove(0)[1]);
            }
            runs.add(0, new int[] {0, end});
        }
        int safe = last ? buf.length : p.holdFrom(latin);
        int pos = 0;
        // Nothing passed on (the whole buffer may still start a secret): the known-masked head stays as it is.
        int newMaskedHead = safe == 0 ? maskedHead : 0;
        for (int[] r : runs) {
            if (r[0] >= safe) {
                break;
            }
            out.write(buf, pos, r[0] - pos);
            if (!(endsWithMask && r[0] == 0)) {
                out.write(MASK);
            }
            if (r[1] > safe) {
                newMaskedHead = r[1] - safe;
                pos = safe;
                break;
            }
            pos = r[1];
        }
        if (pos < safe) {
            out.write(buf, pos, safe - pos);
            endsWithMask = false;
        } else if (safe > 0) {
            endsWithMask = true;
        }
        // Wipe what was passed on: the buffers may have held (parts of) a secret.
        byte[] rest = Arrays.copyOfRange(buf, safe, buf.length);
        Arrays.fill(buf, (byte) 0);
        Arrays.fill(held, (byte) 0);
        held = rest;
        maskedHead = newMaskedHead;
    }

    /** Bytes held back right now (for tests of the memory bound). */
    synchronized int heldBytes() {
        return held.length;
    }

    /** Flushes what is safe to pass on; a tail that could still be the start of a secret stays held. */
    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (held.length > 0) {
                process(held.clone(), true);
            }
        } finally {
            out.close();
        }
    }
}
