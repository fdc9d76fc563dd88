package io.jenkins.plugins.agentgate.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Sees every JSON-RPC request before the SDK does. The SDK answers a {@code tools/call} of a tool it does not
 * serve with a "tool not found" error on its own, without telling anyone; this filter reports such calls so
 * that they are recorded as denied attempts, then passes the request on unchanged. Bodies are bounded.
 */
final class CallInterceptor implements Filter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> served;
    private final int maxBytes;
    private final BiConsumer<String, JsonNode> unservedCall;

    /**
     * @param served       tool names the SDK server serves (their calls are decided and recorded by the handlers)
     * @param maxBytes     largest body read; larger ones are refused with 413
     * @param unservedCall called with (tool name, arguments) of every tools/call outside {@code served}
     */
    CallInterceptor(Set<String> served, int maxBytes, BiConsumer<String, JsonNode> unservedCall) {
        this.served = Set.copyOf(served);
        this.maxBytes = maxBytes;
        this.unservedCall = unservedCall;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) req;
        if (!"POST".equals(http.getMethod())) {
            chain.doFilter(req, res);
            return;
        }
        if (http.getContentLengthLong() > maxBytes) {
            ((HttpServletResponse) res).sendError(413, "request body larger than " + maxBytes + " bytes");
            return;
        }
        byte[] body;
        try (InputStream in = http.getInputStream()) {
            body = in.readNBytes(maxBytes + 1);
        }
        if (body.length > maxBytes) {
            ((HttpServletResponse) res).sendError(413, "request body larger than " + maxBytes + " bytes");
            return;
        }
        inspect(body);
        chain.doFilter(new Replay(http, body), new WholeAnswer((HttpServletResponse) res));
    }

    private void inspect(byte[] body) {
        inspect(body, body.length);
    }

    /**
     * Reports the unserved {@code tools/call}s in one JSON-RPC message or batch ({@code body[0..length)}); used by the
     * HTTP endpoint for each body and by the stdio endpoint for each line.
     */
    void inspect(byte[] body, int length) {
        JsonNode root;
        try {
            root = JSON.readTree(body, 0, length);
        } catch (IOException e) {
            return; // not JSON: the SDK answers with a parse error; no tool was called
        }
        if (root == null) {
            return;
        }
        if (root.isArray()) {
            for (JsonNode m : root) {
                inspectMessage(m);
            }
        } else {
            inspectMessage(root);
        }
    }

    private void inspectMessage(JsonNode m) {
        if (!m.isObject() || !"tools/call".equals(m.path("method").asText(null))) {
            return;
        }
        JsonNode params = m.path("params");
        JsonNode nameNode = params.path("name");
        String name = nameNode.isTextual() ? nameNode.textValue() : nameNode.isMissingNode() ? null : nameNode.toString();
        if (name == null || !served.contains(name)) {
            unservedCall.accept(name, params.get("arguments"));
        }
    }

    /**
     * The response without the SDK's explicit flush: the JSON answer then stays in Jetty's buffer until the request
     * ends and leaves in one write with a Content-Length, instead of a chunk plus a separate terminating chunk that
     * the client has to wait for. Answers larger than Jetty's buffer are still streamed as it fills.
     */
    private static final class WholeAnswer extends HttpServletResponseWrapper {
        private PrintWriter writer;

        WholeAnswer(HttpServletResponse response) {
            super(response);
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                writer = new PrintWriter(super.getWriter(), false) {
                    @Override
                    public void flush() {
                        // left to the container, at the end of the request
                    }
                };
            }
            return writer;
        }
    }

    /** The request with its body read again from memory. */
    private static final class Replay extends HttpServletRequestWrapper {
        private final byte[] body;

        Replay(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the replayed body is read blocking");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String enc = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
