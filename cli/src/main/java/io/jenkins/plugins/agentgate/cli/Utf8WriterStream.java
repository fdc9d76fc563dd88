package io.jenkins.plugins.agentgate.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bytes (the agent's output) into a PrintWriter, decoding UTF-8 across chunk boundaries. */
final class Utf8WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8);
    private final CharBuffer chars = CharBuffer.allocate(8192);

    Utf8WriterStream(PrintWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        ByteBuffer in;
        if (pending.position() > 0) {
            pending.flip();
            in = ByteBuffer.allocate(pending.remaining() + len).put(pending).put(b, off, len).flip();
            pending.clear();
        } else {
            in = ByteBuffer.wrap(b, off, len);
        }
        while (true) {
            var r = decoder.decode(in, chars, false);
            chars.flip();
            writer.append(chars);
            chars.clear();
            if (!r.isOverflow()) {
                break;
            }
        }
        if (in.hasRemaining() && in.remaining() <= pending.capacity()) {
            pending.put(in); // an incomplete multi-byte sequence, completed by the next write
        }
    }

    @Override
    public synchronized void flush() {
        writer.flush();
    }
}
