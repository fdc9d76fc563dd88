package io.jenkins.plugins.agentgate.core.profile;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A network destination pattern {@code host[:port]}.
 * <ul>
 *   <li>{@code api.example.com} — that host only; {@code *.example.com} — its subdomains only (not the apex);</li>
 *   <li>no port means 443; {@code :*} means any port;</li>
 *   <li>IP literals and single-label names match only when written literally, never through a wildcard.</li>
 * </ul>
 *
 * @param host lower-case host or {@code *.suffix}
 * @param port port, or -1 for any port
 */
public record Destination(String host, int port) {
    public static final int ANY_PORT = -1;
    public static final int DEFAULT_PORT = 443;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Destination parse(String text) {
        Destination cached = text == null ? null : CACHE.get(text);
        if (cached != null) {
            return cached;
        }
        Destination parsed = doParse(text);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear(); // bounded: request-supplied strings must not grow it without limit
        }
        CACHE.put(text, parsed);
        return parsed;
    }

    /** Parsing is pure, and profiles are checked on every decision: remember recent results. */
    private static final java.util.Map<String, Destination> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 4096;

    private static Destination doParse(String text) {
        String expected = "expected host[:port] such as api.example.com:443 or *.example.com, port 1-65535 or *";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("destination '" + text + "' is empty; " + expected);
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        String host = t;
        int port = DEFAULT_PORT;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("destination '" + text + "' has an unclosed IPv6 bracket; " + expected);
            }
            host = t.substring(0, close + 1);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("destination '" + text + "' is malformed; " + expected);
                }
                port = parsePort(text, rest.substring(1), expected);
            }
            return new Destination(host, port);
        }
        int colon = t.lastIndexOf(':');
        if (colon >= 0) {
            host = t.substring(0, colon);
            port = parsePort(text, t.substring(colon + 1), expected);
        }
        String bare = host.startsWith("*.") ? host.substring(2) : host;
        if (bare.isEmpty() || bare.contains("*")) {
            throw new IllegalArgumentException("destination '" + text + "': a wildcard may only be a leading '*.'; " + expected);
        }
        for (String label : bare.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("destination '" + text + "' has an invalid host label '" + label + "'; " + expected);
            }
        }
        String[] labels = bare.split("\\.");
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit) && (host.startsWith("*.") || !IPV4.matcher(bare).matches())) {
            throw new IllegalArgumentException("destination '" + text + "' is neither a host name nor an IPv4 address; " + expected);
        }
        if (host.startsWith("*.") && (IPV4.matcher(bare).matches() || !bare.contains("."))) {
            // "*.com" would open a whole top-level domain; "*.1.2.3" is not a name.
            throw new IllegalArgumentException("destination '" + text + "': a wildcard needs a domain of at least two labels; " + expected);
        }
        return new Destination(host, port);
    }

    private static int parsePort(String text, String p, String expected) {
        if (p.equals("*")) {
            return ANY_PORT;
        }
        try {
            int port = Integer.parseInt(p);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("destination '" + text + "' has port '" + p + "'; " + expected);
    }

    public boolean isWildcard() {
        return host.startsWith("*.");
    }

    /** Whether this pattern admits the concrete host and port. */
    public boolean matches(String concreteHost, int concretePort) {
        if (port != ANY_PORT && port != concretePort) {
            return false;
        }
        String h = concreteHost.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!isWildcard()) {
            return host.equals(h);
        }
        if (isLiteralOnly(h)) {
            return false;
        }
        String suffix = host.substring(1); // ".example.com"
        return h.endsWith(suffix) && h.length() > suffix.length();
    }

    /** IP literals and single-label names are reachable only through a literal entry. */
    static boolean isLiteralOnly(String concreteHost) {
        return concreteHost.startsWith("[") || IPV4.matcher(concreteHost).matches() || !concreteHost.contains(".");
    }

    /** Whether every destination this pattern admits is also admitted by {@code other}. */
    public boolean isWithin(Destination other) {
        if (other.port != ANY_PORT && other.port != port) {
            return false;
        }
        if (!isWildcard()) {
            return other.matches(host, port == ANY_PORT ? 0 : port) || (!other.isWildcard() && other.host.equals(host));
        }
        if (!other.isWildcard()) {
            return false;
        }
        // *.a.example.com is within *.example.com; *.example.com is within itself.
        String mine = host.substring(1);
        String theirs = other.host.substring(1);
        return mine.equals(theirs) || mine.endsWith(theirs);
    }

    @Override
    public String toString() {
        return host + ":" + (port == ANY_PORT ? "*" : Integer.toString(port));
    }
}
