package io.jenkins.plugins.agentgate.core.egress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a loopback (or test-created) address that stands for an allowlisted destination.
 * {@code /hello} answers a fixed text; {@code /bytes?n=N} streams N bytes. Every request is remembered.
 */
final class TestUpstream implements AutoCloseable {
    static final String HELLO = "hello from upstream";

    /** What the server saw of one request. */
    record Hit(String method, String uri, String host, String connection, boolean proxyHeaders, String body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "test-upstream");
        t.setDaemon(true);
        return t;
    });
    final List<Hit> hits = new CopyOnWriteArrayList<>();

    TestUpstream(InetAddress bind) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static TestUpstream onLoopback() throws IOException {
        return new TestUpstream(InetAddress.getLoopbackAddress());
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        hits.add(new Hit(ex.getRequestMethod(), ex.getRequestURI().toString(), ex.getRequestHeaders().getFirst("Host"),
                ex.getRequestHeaders().getFirst("Connection"),
                ex.getRequestHeaders().containsKey("Proxy-Connection") || ex.getRequestHeaders().containsKey("Proxy-Authorization"),
                body));
        String path = ex.getRequestURI().getPath();
        if (path.equals("/bytes")) {
            long n = Long.parseLong(ex.getRequestURI().getQuery().substring(2));
            ex.sendResponseHeaders(200, n);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = ex.getResponseBody()) {
                for (long left = n; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            } catch (IOException e) {
                // the proxy cut the transfer
            }
            return;
        }
        byte[] b = (path.equals("/echo") ? body : HELLO).getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
