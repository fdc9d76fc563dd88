package io.jenkins.plugins.agentgate.core.gateway;

import io.modelcontextprotocol.server.McpSyncServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The gateway's MCP stdio endpoint: newline-delimited JSON-RPC on a Unix socket, one MCP server session (the SDK's
 * stdio transport over the connection's streams) per accepted connection. The sandbox reaches it through the relay's
 * {@code --stdio} bridge, which an agent's MCP client starts as an ordinary stdio server, so the client uses its stdio
 * transport (no HTTP stack on the agent's side).
 *
 * <p>Every line is shown to the {@link CallInterceptor} before the SDK reads it, so a {@code tools/call} of a tool the
 * SDK does not serve is recorded as denied exactly as on the HTTP endpoint. Lines are bounded (the SDK's limit ends the
 * session); sessions are bounded (a connection over the limit is closed at once).
 *
 * <p>Threads: one daemon acceptor and one daemon reaper per endpoint; the SDK's stdio transport adds two non-daemon
 * single-thread executors per session, which end when the session's input ends. {@link #close()} ends the input of
 * every session and waits (bounded) for those threads, so none outlives the gateway.
 */
final class StdioEndpoint implements AutoCloseable {
    private static final long THREAD_WAIT_MILLIS = 5000;

    private final ServerSocketChannel server;
    private final int maxLineBytes;
    private final int maxSessions;
    private final CallInterceptor inspector;
    private final BiFunction<InputStream, OutputStream, McpSyncServer> sessions;
    private final Set<Session> active = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Session> ended = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean closed;

    /**
     * @param socket       where to listen (made 0666: the sandbox user is not the host user)
     * @param threadName   prefix of this endpoint's thread names
     * @param maxLineBytes longest JSON-RPC line accepted
     * @param maxSessions  connections served at once
     * @param inspector    sees every line before the SDK (records unserved tools/call attempts)
     * @param sessions     builds one MCP server over a connection's streams
     */
    StdioEndpoint(Path socket, String threadName, int maxLineBytes, int maxSessions, CallInterceptor inspector,
                  BiFunction<InputStream, OutputStream, McpSyncServer> sessions) throws IOException {
        this.maxLineBytes = maxLineBytes;
        this.maxSessions = maxSessions;
        this.inspector = inspector;
        this.sessions = sessions;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 16);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        this.acceptor = new Thread(this::acceptLoop, threadName + "-stdio-accept");
        this.reaper = new Thread(this::reapLoop, threadName + "-stdio-reaper");
        acceptor.setDaemon(true);
        reaper.setDaemon(true);
        acceptor.start();
        reaper.start();
    }

    /** Sessions open now (for tests). */
    int activeSessions() {
        return active.size();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (closed || active.size() >= maxSessions) {
                closeQuietly(ch);
                continue;
            }
            Session s = new Session(ch);
            active.add(s);
            try {
                s.server = sessions.apply(s.in, s.out);
            } catch (RuntimeException e) {
                s.end();
            }
        }
    }

    /** Closes a finished session's connection once the SDK has written its last answer (its writer thread ended). */
    private void reapLoop() {
        while (true) {
            Session s;
            try {
                s = ended.take();
            } catch (InterruptedException e) {
                return;
            }
            s.join(THREAD_WAIT_MILLIS);
            closeQuietly(s.channel);
            active.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        acceptor.interrupt();
        List<Session> all = new ArrayList<>(active);
        for (Session s : all) {
            if (s.server != null) {
                try {
                    s.server.close();
                } catch (RuntimeException e) {
                    // the connection's close below ends it anyway
                }
            }
            closeQuietly(s.channel); // the reader sees the end of input; the SDK then ends both of its threads
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREAD_WAIT_MILLIS);
        for (Session s : all) {
            s.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        reaper.interrupt();
        try {
            acceptor.join(THREAD_WAIT_MILLIS);
            reaper.join(THREAD_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        active.clear();
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /**
     * One connection. Its streams call the channel directly: {@code Channels.newInputStream/newOutputStream} lock the
     * channel's blocking lock for a whole read, so a write (the answer) would wait for the next request.
     */
    private final class Session {
        final SocketChannel channel;
        final InputStream in;
        final OutputStream out;
        volatile McpSyncServer server;
        volatile Thread reader;
        volatile Thread writer;
        private volatile boolean ended;

        Session(SocketChannel channel) {
            this.channel = channel;
            this.in = new LineInspectingInput();
            this.out = new ChannelOutput();
        }

        void end() {
            if (!ended) {
                ended = true;
                StdioEndpoint.this.ended.add(this);
            }
        }

        void join(long millis) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (Thread t : new Thread[] {reader, writer}) {
                if (t == null || t == Thread.currentThread()) {
                    continue;
                }
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Reads the channel and shows each complete line to the inspector before the SDK gets it. */
        private final class LineInspectingInput extends InputStream {
            private byte[] line = new byte[1024];
            private int lineLength;
            private boolean overflow;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reader = Thread.currentThread();
                if (len == 0) {
                    return 0; // a blocking channel reads 0 bytes only when asked for 0: the loop below would spin
                }
                int n;
                try {
                    do {
                        n = channel.read(ByteBuffer.wrap(b, off, len));
                    } while (n == 0);
                } catch (IOException e) {
                    end();
                    throw e;
                }
                if (n < 0) {
                    end();
                    return -1;
                }
                for (int i = off; i < off + n; i++) {
                    byte c = b[i];
                    if (c == '\n') {
                        if (!overflow && lineLength > 0) {
                            inspector.inspect(line, lineLength);
                        }
                        lineLength = 0;
                        overflow = false;
                    } else if (!overflow) {
                        if (lineLength == maxLineBytes) {
                            overflow = true; // the SDK refuses the line and ends the session
                        } else {
                            if (lineLength == line.length) {
                                line = java.util.Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
                            }
                            line[lineLength++] = c;
                        }
                    }
                }
                return n;
            }
        }

        private final class ChannelOutput extends OutputStream {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer = Thread.currentThread();
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        }
    }
}
