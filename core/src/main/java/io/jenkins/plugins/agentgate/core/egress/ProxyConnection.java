package io.jenkins.plugins.agentgate.core.egress;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection from the sandbox, as the egress pump presents it on the proxy's host-only socket: read the pump's
 * preamble and the request head, decide, then either have the pump connect and splice a CONNECT tunnel (granting it
 * budget and taking its byte counts), or serve the connection here through the pump (plain HTTP, refusals: the
 * pump relays bytes after {@code R}). Exactly one record is written per connection. The protocol is described in
 * core/src/main/c/egress-pump.c and docs/egress.md.
 */
final class ProxyConnection {
    private static final int BUFFER = 128 * 1024;
    private static final int MAX_CONTROL_LINE = 256;
    private static final byte[] RELAY = "R\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * One direct buffer per pool thread (a thread runs one pump at a time): socket I/O from a direct buffer
     * saves the JDK's copy through its own temporary direct buffer, which throughput measurably needs.
     */
    private static final ThreadLocal<ByteBuffer> PUMP_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));

    private final EgressProxy proxy;
    private final SocketChannel client;
    private final int sequence;
    private final Instant start;
    private volatile SocketChannel upstream;
    private final long startNanos = System.nanoTime();
    private volatile long lastActivity = startNanos;
    private final AtomicReference<EndReason> cutReason = new AtomicReference<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger openDirections = new java.util.concurrent.atomic.AtomicInteger(2);

    // Set once the request is known.
    private volatile String method = "";
    private volatile String host = "";
    private volatile int port;
    private volatile EgressDecision decision;
    private volatile String address;
    private volatile long up;
    private volatile long down;
    private volatile boolean ioError;
    private volatile boolean responseDone;
    /** The pump owns this connection's bytes (a CONNECT tunnel): cut by shutting our side, idle is the pump's. */
    private volatile boolean tunneled;
    private final ByteBuffer oneByte = ByteBuffer.allocate(1);

    ProxyConnection(EgressProxy proxy, SocketChannel client, int sequence, Instant start) {
        this.proxy = proxy;
        this.client = client;
        this.sequence = sequence;
        this.start = start;
    }

    long startNanos() {
        return startNanos;
    }

    long lastActivityNanos() {
        return lastActivity;
    }

    boolean idleWatchedByPump() {
        return tunneled;
    }

    /**
     * Ends the connection from outside (watchdog, limits, close): the blocked pumps wake up and finish. A pumped
     * tunnel is cut by shutting our side of the control connection: the pump closes the tunnel and still reports
     * its byte counts.
     */
    void cut(EndReason reason) {
        cutReason.compareAndSet(null, reason);
        if (tunneled) {
            try {
                client.shutdownOutput();
                return;
            } catch (IOException e) {
                // already closed: close below
            }
        }
        closeQuietly(client);
        closeQuietly(upstream);
    }

    void serve() {
        ProxyRequest request;
        byte[] head = new byte[proxy.config.limits().maxHeadBytes()];
        int len = 0;
        int end = -1;
        try {
            String preamble = readControlLine();
            if (preamble == null) {
                throw new IOException("closed before the pump's preamble");
            }
            if (preamble.startsWith("F ")) {
                finish(EgressVerdict.DENIED, EgressRules.RELAY_DESCRIPTOR, EndReason.REFUSED,
                        "the sandbox passed a descriptor that is not a connected stream socket ("
                                + preamble.substring(2) + "); expected the relay's client connection");
                return;
            }
            if (!preamble.equals("A")) {
                throw new IOException("unexpected preamble from the pump");
            }
            ByteBuffer buf = ByteBuffer.wrap(head);
            while (end < 0) {
                if (!buf.hasRemaining()) {
                    deny("431 Request Header Fields Too Large", EgressRules.MALFORMED,
                            "request head exceeds " + head.length + " bytes");
                    return;
                }
                int n = client.read(buf);
                if (n < 0) {
                    deny(null, EgressRules.MALFORMED, "connection closed before a complete request head");
                    return;
                }
                lastActivity = System.nanoTime();
                int before = len;
                len = buf.position();
                end = ProxyRequest.headEnd(head, before, len);
            }
        } catch (IOException e) {
            EndReason r = cutReason.get();
            if (r == null) {
                deny(null, EgressRules.MALFORMED, "no complete request head: " + e.getMessage());
            } else {
                finish(EgressVerdict.DENIED, ruleFor(r), r, "cut before a complete request head: " + describe(r));
            }
            return;
        }
        try {
            request = ProxyRequest.parse(head, end);
        } catch (IllegalArgumentException e) {
            deny("400 Bad Request", EgressRules.MALFORMED, e.getMessage());
            return;
        }
        method = request.method();
        host = request.host().text();
        port = request.port();

        EgressDecision d = proxy.policy.decide(host, port);
        decision = d;
        if (!d.allowed()) {
            deny("403 Forbidden", d.rule(), host + ":" + port + " is not allowed by the run's network policy");
            return;
        }
        if (proxy.isExpired()) {
            deny("403 Forbidden", EgressRules.LIMIT_TOTAL_TIME, "the run's egress time is over");
            return;
        }
        if (proxy.isBudgetExhausted()) {
            deny("403 Forbidden", EgressRules.LIMIT_BYTES, "the run's egress byte budget is spent");
            return;
        }

        List<InetAddress> addresses;
        try {
            addresses = resolve(request.host());
        } catch (UnknownHostException e) {
            fail("502 Bad Gateway", EgressRules.RESOLVE_FAILED, host + " does not resolve");
            return;
        }
        if (addresses.isEmpty()) {
            deny("403 Forbidden", EgressRules.PRIVATE_ADDRESS,
                    host + " resolves only to loopback, private or link-local addresses");
            return;
        }
        if (request.tunnel()) {
            tunnel(addresses);
            return;
        }
        SocketChannel ch = connect(addresses);
        if (ch == null) {
            fail("502 Bad Gateway", EgressRules.CONNECT_FAILED, host + ":" + port + " did not accept a connection");
            return;
        }
        upstream = ch;
        if (cutReason.get() != null) { // cut while connecting
            closeQuietly(ch);
        }
        try {
            writeFully(client, ByteBuffer.wrap(RELAY)); // the pump relays from here on
            sendUp(ByteBuffer.wrap(request.forwardHead()));
            if (len > end) {
                sendUp(ByteBuffer.wrap(head, end, len - end));
            }
        } catch (IOException e) {
            ioError = cutReason.get() == null;
            finishDirection();
            finishDirection();
            return;
        }
        lastActivity = System.nanoTime();
        try {
            proxy.submit(this::pumpDown);
        } catch (RuntimeException e) { // the pool is shut down: the proxy is closing
            cut(EndReason.PROXY_CLOSED);
            finishDirection();
        }
        pumpUp();
    }

    /**
     * A CONNECT tunnel through the pump: it connects to exactly the addresses decided here, in order, then moves the
     * bytes itself within the budget granted here, and reports what it moved and how the tunnel ended.
     */
    private void tunnel(List<InetAddress> addresses) {
        long granted = proxy.grantBudget();
        if (granted == 0) {
            deny("403 Forbidden", EgressRules.LIMIT_BYTES, "the run's egress byte budget is spent");
            return;
        }
        tunneled = true; // from now on a cut shuts our side and the pump reports
        boolean connected = false;
        try {
            for (InetAddress a : addresses) {
                if (cutReason.get() != null) {
                    break;
                }
                writeControl("C " + a.getHostAddress() + " " + port + " " + granted + "\n");
                String answer = readControlLine();
                if (answer == null) {
                    break;
                }
                if (answer.equals("OK")) {
                    address = a.getHostAddress();
                    connected = true;
                    break;
                }
            }
        } catch (IOException e) {
            // the pump or a cut ended it: not connected
        }
        if (!connected) {
            proxy.returnBudget(granted);
            tunneled = false;
            fail("502 Bad Gateway", EgressRules.CONNECT_FAILED, host + ":" + port + " did not accept a connection");
            return;
        }
        lastActivity = System.nanoTime();
        String[] end = null;
        try {
            for (String line; (line = readControlLine()) != null; ) {
                if (line.equals("B")) {
                    long more = proxy.grantBudget();
                    granted += more;
                    try {
                        writeControl("b " + more + "\n");
                    } catch (IOException e) {
                        // cut meanwhile: the pump reports the end all the same
                    }
                } else if (line.startsWith("E ")) {
                    end = line.split(" ");
                    break;
                } else {
                    break;
                }
            }
        } catch (IOException e) {
            // the pump is gone, or the proxy is stopping
        }
        EndReason reason = cutReason.get();
        if (end != null && end.length == 5) {
            try {
                up = Long.parseLong(end[1]);
                down = Long.parseLong(end[2]);
                proxy.returnBudget(granted - Long.parseLong(end[3]));
            } catch (NumberFormatException e) {
                end = null;
            }
        }
        if (end != null && end.length == 5) {
            switch (end[4]) {
                case "done" -> reason = reason == null ? EndReason.COMPLETED : reason;
                case "idle" -> reason = EndReason.IDLE_TIMEOUT;
                case "bytes" -> reason = EndReason.BYTE_LIMIT;
                case "cut" -> reason = reason == null ? EndReason.PROXY_CLOSED : reason;
                default -> reason = reason == null ? EndReason.IO_ERROR : reason;
            }
        } else if (reason == null) {
            reason = EndReason.IO_ERROR; // no report: the budget granted stays spent
        }
        String rule = reason == EndReason.BYTE_LIMIT || reason == EndReason.TOTAL_TIMEOUT ? ruleFor(reason) : decision.rule();
        finish(EgressVerdict.ALLOWED, rule, reason, reason == EndReason.COMPLETED ? "connected to " + address : describe(reason));
    }

    private void writeControl(String line) throws IOException {
        writeFully(client, ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
    }

    /** One line from the pump (without its newline), or null at EOF. Bounded; the pump's lines are short. */
    private String readControlLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < MAX_CONTROL_LINE) {
            oneByte.clear();
            if (client.read(oneByte) < 0) {
                return null;
            }
            char c = (char) (oneByte.get(0) & 0xff);
            if (c == '\n') {
                return sb.toString();
            }
            sb.append(c);
        }
        throw new IOException("control line from the pump longer than " + MAX_CONTROL_LINE + " bytes");
    }

    private List<InetAddress> resolve(HostName h) throws UnknownHostException {
        if (h.isLiteral()) {
            // Listed literally by the admin (the policy allowed it): connect as written, no lookup, no guard.
            return List.of(InetAddress.getByAddress(h.text(), h.literalBytes()));
        }
        List<InetAddress> resolved = proxy.config.resolver().resolve(h.text());
        if (resolved == null || resolved.isEmpty()) {
            throw new UnknownHostException(h.text());
        }
        if (proxy.config.allowPrivateAddresses()) {
            return resolved;
        }
        List<InetAddress> usable = new ArrayList<>();
        for (InetAddress a : resolved) {
            if (AddressGuard.isPublic(a)) {
                usable.add(a);
            }
        }
        return usable;
    }

    private SocketChannel connect(List<InetAddress> addresses) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, proxy.config.limits().connectTimeout().toMillis());
        for (InetAddress a : addresses) {
            if (cutReason.get() != null) {
                return null;
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.socket().setTcpNoDelay(true);
                ch.socket().connect(new InetSocketAddress(a, port), timeout);
                address = a.getHostAddress();
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
        return null;
    }

    private void sendUp(ByteBuffer b) throws IOException {
        int n = b.remaining();
        if (!proxy.takeBudget(n)) {
            cut(EndReason.BYTE_LIMIT);
            throw new IOException("byte limit");
        }
        writeFully(upstream, b);
        up += n;
    }

    /** Sandbox to upstream; on the sandbox's EOF, half-closes upstream so the response can still come back. */
    private void pumpUp() {
        ByteBuffer buf = PUMP_BUFFER.get();
        try {
            while (true) {
                buf.clear();
                int n = client.read(buf);
                if (n < 0) {
                    upstream.shutdownOutput();
                    break;
                }
                lastActivity = System.nanoTime();
                buf.flip();
                sendUp(buf);
                lastActivity = System.nanoTime();
            }
        } catch (IOException e) {
            // Closed under us because the response completed is the normal end, not an error.
            if (cutReason.get() == null && !responseDone) {
                ioError = true;
                cut(EndReason.IO_ERROR);
            }
        }
        finishDirection();
    }

    /** Upstream to sandbox; when upstream ends, the exchange is over: the whole connection closes. */
    private void pumpDown() {
        ByteBuffer buf = PUMP_BUFFER.get();
        try {
            while (true) {
                buf.clear();
                int n = upstream.read(buf);
                if (n < 0) {
                    responseDone = true;
                    break;
                }
                lastActivity = System.nanoTime();
                if (!proxy.takeBudget(n)) {
                    cut(EndReason.BYTE_LIMIT);
                    break;
                }
                buf.flip();
                writeFully(client, buf);
                down += n;
                lastActivity = System.nanoTime();
            }
        } catch (IOException e) {
            if (cutReason.get() == null) {
                ioError = true;
            }
        }
        // Response done (or failed): nothing more can usefully go up.
        closeQuietly(client);
        closeQuietly(upstream);
        finishDirection();
    }

    private void finishDirection() {
        if (openDirections.decrementAndGet() > 0) {
            return;
        }
        closeQuietly(client);
        closeQuietly(upstream);
        EndReason reason = cutReason.get();
        if (reason == null) {
            reason = ioError ? EndReason.IO_ERROR : EndReason.COMPLETED;
        }
        String rule = reason == EndReason.BYTE_LIMIT || reason == EndReason.TOTAL_TIMEOUT ? ruleFor(reason) : decision.rule();
        finish(EgressVerdict.ALLOWED, rule, reason, reason == EndReason.COMPLETED ? "connected to " + address : describe(reason));
    }

    private String describe(EndReason reason) {
        return switch (reason) {
            case COMPLETED -> "completed";
            case IDLE_TIMEOUT -> "cut: idle for " + proxy.config.limits().idleTimeout().toMillis() + " ms";
            case BYTE_LIMIT -> "cut: the run's egress byte budget of " + proxy.config.limits().maxBytes() + " bytes is spent";
            case TOTAL_TIMEOUT -> "cut: the run's egress time of " + proxy.config.limits().totalTimeout().toMillis() + " ms is over";
            case PROXY_CLOSED -> "cut: the sandbox stopped";
            case IO_ERROR -> "ended by an I/O error";
            case REFUSED -> "refused";
        };
    }

    private void deny(String status, String rule, String detail) {
        if (status != null) {
            respond(status, rule, detail);
        }
        finish(EgressVerdict.DENIED, rule, EndReason.REFUSED, detail);
    }

    private void fail(String status, String rule, String detail) {
        respond(status, rule, detail);
        finish(EgressVerdict.FAILED, rule, EndReason.REFUSED, detail);
    }

    /** Records a connection that could not be served because the proxy is stopping. */
    void finishRefused(String rule, String detail) {
        finish(EgressVerdict.DENIED, rule, EndReason.REFUSED, detail);
    }

    private void respond(String status, String rule, String detail) {
        try {
            writeFully(client, ByteBuffer.wrap(relayed(response(status, rule, detail))));
        } catch (IOException e) {
            // the client is gone
        }
    }

    private void finish(EgressVerdict verdict, String rule, EndReason reason, String detail) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(client);
        closeQuietly(upstream);
        proxy.release(this);
        EgressDecision d = decision;
        proxy.record(new EgressRecord(sequence, start, method, host, port, verdict, rule, d == null ? null : d.pattern(),
                address, up, down, Duration.between(start, Instant.now()).toMillis(), reason, detail));
    }

    private static String ruleFor(EndReason r) {
        return switch (r) {
            case TOTAL_TIMEOUT -> EgressRules.LIMIT_TOTAL_TIME;
            case IDLE_TIMEOUT -> EgressRules.LIMIT_IDLE;
            case BYTE_LIMIT -> EgressRules.LIMIT_BYTES;
            default -> EgressRules.MALFORMED;
        };
    }

    /** Bytes for the client through the pump: the relay switch, then the bytes. */
    static byte[] relayed(byte[] bytes) {
        byte[] out = new byte[RELAY.length + bytes.length];
        System.arraycopy(RELAY, 0, out, 0, RELAY.length);
        System.arraycopy(bytes, 0, out, RELAY.length, bytes.length);
        return out;
    }

    /** A short plain-text answer naming the rule, so the agent's log says why. */
    static byte[] response(String status, String rule, String detail) {
        String body = "agentgate egress: " + detail + " (rule " + rule + ")\n";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + b.length
                + "\r\nX-Agentgate-Egress-Rule: " + rule + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + b.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(b, 0, out, h.length, b.length);
        return out;
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
