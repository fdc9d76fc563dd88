package io.jenkins.plugins.agentgate.core.egress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed proxy request head: {@code CONNECT host:port} (a tunnel, no TLS interception) or an absolute-URI
 * request {@code METHOD http://host[:port]/path} (forwarded in origin form with {@code Connection: close}).
 *
 * @param method      request method
 * @param host        validated host
 * @param port        destination port
 * @param tunnel      whether this is a CONNECT tunnel
 * @param forwardHead for a forwarded request, the rewritten head to send upstream; empty for a tunnel
 */
record ProxyRequest(String method, HostName host, int port, boolean tunnel, byte[] forwardHead) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/1\\.[01]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    /** Hop-by-hop and proxy headers that must not travel upstream; Host is rewritten from the target. */
    private static final Set<String> DROPPED = Set.of("connection", "proxy-connection", "keep-alive",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade", "host");

    /** Index just past the end of the head ({@code \r\n\r\n} or {@code \n\n}) in {@code buf[0..len)}, or -1. */
    static int headEnd(byte[] buf, int from, int len) {
        for (int i = Math.max(0, from - 3); i < len; i++) {
            if (buf[i] == '\n') {
                if (i + 1 < len && buf[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * Parses a complete head.
     *
     * @throws IllegalArgumentException saying what was wrong and what was expected
     */
    static ProxyRequest parse(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || !VERSION.matcher(parts[2]).matches()) {
            throw new IllegalArgumentException("request line '" + abbreviate(lines[0])
                    + "' is malformed; expected 'CONNECT host:port HTTP/1.1' or 'METHOD http://host[:port]/path HTTP/1.1'");
        }
        String method = parts[0];
        String target = parts[1];
        if (method.equals("CONNECT")) {
            Authority a = authority(target, -1);
            return new ProxyRequest(method, a.host, a.port, true, new byte[0]);
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            throw new IllegalArgumentException("target '" + abbreviate(target)
                    + "' asks the proxy to open TLS; expected CONNECT host:443 for https (the proxy does not intercept TLS)");
        }
        if (!lower.startsWith("http://")) {
            throw new IllegalArgumentException("target '" + abbreviate(target)
                    + "' is not an absolute http:// URI; expected 'METHOD http://host[:port]/path' or CONNECT");
        }
        String rest = target.substring("http://".length());
        int slash = indexOfAny(rest, "/?#");
        String authorityText = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        if (path.startsWith("?")) {
            path = "/" + path;
        }
        if (path.isEmpty()) {
            path = "/";
        }
        Authority a = authority(authorityText, 80);
        List<String> headers = new ArrayList<>();
        List<String> connectionTokens = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new IllegalArgumentException("header line '" + abbreviate(line)
                        + "' is folded; expected one 'Name: value' per line");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
                throw new IllegalArgumentException("header line '" + abbreviate(line) + "' is malformed; expected 'Name: value'");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            if (name.equals("connection")) {
                for (String t : line.substring(colon + 1).split(",")) {
                    connectionTokens.add(t.trim().toLowerCase(Locale.ROOT));
                }
            }
            headers.add(line);
        }
        StringBuilder out = new StringBuilder(length + 64);
        out.append(method).append(' ').append(path).append(' ').append(parts[2]).append("\r\n");
        out.append("Host: ").append(a.port == 80 ? a.host.text() : a.host.text() + ":" + a.port).append("\r\n");
        for (String line : headers) {
            String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(name) && !connectionTokens.contains(name)) {
                out.append(line).append("\r\n");
            }
        }
        out.append("Connection: close\r\n\r\n");
        return new ProxyRequest(method, a.host, a.port, false, out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private record Authority(HostName host, int port) {}

    private static Authority authority(String text, int defaultPort) {
        String expected = defaultPort < 0 ? "expected host:port" : "expected host[:port]";
        if (text.contains("@")) {
            throw new IllegalArgumentException("target '" + abbreviate(text) + "' carries user info; " + expected);
        }
        String hostPart = text;
        String portPart = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("target '" + abbreviate(text) + "' has an unclosed IPv6 bracket; " + expected);
            }
            hostPart = text.substring(0, close + 1);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("target '" + abbreviate(text) + "' is malformed; " + expected);
                }
                portPart = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0) {
                hostPart = text.substring(0, colon);
                portPart = text.substring(colon + 1);
            }
        }
        int port;
        if (portPart == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("target '" + abbreviate(text) + "' has no port; " + expected);
            }
            port = defaultPort;
        } else {
            if (!PORT.matcher(portPart).matches() || Integer.parseInt(portPart) < 1 || Integer.parseInt(portPart) > 65535) {
                throw new IllegalArgumentException("target '" + abbreviate(text) + "' has port '" + abbreviate(portPart)
                        + "'; expected 1-65535");
            }
            port = Integer.parseInt(portPart);
        }
        return new Authority(HostName.parse(hostPart), port);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Keeps error messages (which reach the sandbox and the records) short and printable. */
    static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 120 ? printable : printable.substring(0, 117) + "...";
    }
}
