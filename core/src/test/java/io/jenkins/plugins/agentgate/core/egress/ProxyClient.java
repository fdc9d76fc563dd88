package io.jenkins.plugins.agentgate.core.egress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client on the proxy's Unix socket, as the relay would be: raw bytes in, raw bytes out. */
final class ProxyClient implements AutoCloseable {
    final SocketChannel channel;

    ProxyClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    ProxyClient send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        return this;
    }

    /** Reads until EOF or until {@code max} bytes, whichever is first. */
    byte[] readAll(int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        while (out.size() < max) {
            b.clear();
            int n;
            try {
                n = channel.read(b);
            } catch (IOException e) {
                break; // reset by the proxy: what we have is the answer
            }
            if (n < 0) {
                break;
            }
            out.write(b.array(), 0, n);
        }
        return out.toByteArray();
    }

    String readAllText() throws IOException {
        return new String(readAll(16 * 1024 * 1024), StandardCharsets.ISO_8859_1);
    }

    /** Reads exactly through the end of the first response head ("\r\n\r\n"). */
    String readHead() throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!sb.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (channel.read(one) < 0) {
                break;
            }
            sb.append((char) one.get(0));
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
