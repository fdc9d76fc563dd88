package io.jenkins.plugins.agentgate.core.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code max} bytes of a run's output (stdout and stderr together) in the caller's sink and
 * counts the rest, so a flood neither fills the disk nor goes unnoticed. Thread-safe: the two streams of a
 * process write concurrently. Closing a view flushes the sink but never closes it (the caller owns it).
 */
public final class CappedOutput {
    private final OutputStream sink;
    private final long max;
    private long seen;
    private long kept;
    private boolean noticed;

    public CappedOutput(OutputStream sink, long max) {
        this.sink = sink;
        this.max = max;
    }

    /** A stream writing into the shared cap. Make one per source (stdout, stderr). */
    public OutputStream stream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                accept(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                synchronized (CappedOutput.this) {
                    sink.flush();
                }
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private synchronized void accept(byte[] b, int off, int len) throws IOException {
        seen += len;
        long room = max - kept;
        int n = (int) Math.min(room, len);
        if (n > 0) {
            sink.write(b, off, n);
            kept += n;
        }
        if (n < len && !noticed) {
            noticed = true;
            sink.write(("\n[agentgate: output cap of " + max + " bytes reached; further output is counted, not kept]\n")
                    .getBytes(StandardCharsets.UTF_8));
            sink.flush();
        }
    }

    public synchronized long seen() {
        return seen;
    }

    public synchronized long kept() {
        return kept;
    }

    public synchronized boolean truncated() {
        return seen > kept;
    }
}
