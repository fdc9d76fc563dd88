package io.jenkins.plugins.agentgate.core.egress;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host as requested through the proxy, validated strictly: a DNS name, a canonical dotted-quad IPv4
 * literal, or a bracketed IPv6 literal. Everything else (decimal or octal IPv4 forms such as {@code 2130706433}
 * or {@code 127.1}, underscores, percent-encoding, user info) is refused, so that what the policy matched is
 * exactly what gets resolved and connected.
 *
 * @param text lower-case host; trailing dot removed; IPv6 kept in brackets as {@code Destination} writes it
 * @param kind what it is
 */
record HostName(String text, Kind kind) {
    enum Kind { NAME, IPV4, IPV6 }

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4_PART = Pattern.compile("0|[1-9][0-9]{0,2}");
    /** Parts that C's inet_aton (used by getaddrinfo) reads as numbers: "0x7f000001" is 127.0.0.1 to it. */
    private static final Pattern INET_ATON_PART = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    private static final Pattern IPV6_BODY = Pattern.compile("[0-9a-f:.]{2,45}");

    /** @throws IllegalArgumentException naming the value and what was expected */
    static HostName parse(String raw) {
        return parse(raw, raw == null ? "null" : ProxyRequest.abbreviate(raw));
    }

    private static HostName parse(String raw, String shown) {
        String expected = "expected a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address";
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException("host is empty; " + expected);
        }
        String h = raw.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            if (!h.endsWith("]") || !IPV6_BODY.matcher(h.substring(1, h.length() - 1)).matches()
                    || !h.contains(":")) {
                throw new IllegalArgumentException("host '" + shown + "' is not a valid IPv6 literal; " + expected);
            }
            return new HostName(h, Kind.IPV6);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || h.length() > 253) {
            throw new IllegalArgumentException("host '" + shown + "' has an invalid length; " + expected);
        }
        String[] labels = h.split("\\.", -1);
        if (labels.length == 4 && isIpv4(labels)) {
            return new HostName(h, Kind.IPV4);
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("host '" + shown + "' has an invalid label '" + label + "'; " + expected);
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)
                || java.util.Arrays.stream(labels).allMatch(l -> INET_ATON_PART.matcher(l).matches())) {
            // "127.1", "0x7f.1" or "10.0.0.010" would be read as addresses by some resolvers.
            throw new IllegalArgumentException("host '" + shown + "' looks like a non-canonical IP address; " + expected);
        }
        return new HostName(h, Kind.NAME);
    }

    private static boolean isIpv4(String[] parts) {
        for (String p : parts) {
            if (!IPV4_PART.matcher(p).matches() || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    boolean isLiteral() {
        return kind != Kind.NAME;
    }

    /** The address bytes of a literal, without any name lookup. */
    byte[] literalBytes() {
        if (kind == Kind.IPV4) {
            String[] p = text.split("\\.");
            return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]),
                    (byte) Integer.parseInt(p[2]), (byte) Integer.parseInt(p[3])};
        }
        if (kind == Kind.IPV6) {
            // A bracketed literal is parsed by InetAddress without any lookup (invalid ones are rejected outright).
            try {
                return java.net.InetAddress.getByName(text).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("host '" + text + "' is not a valid IPv6 literal", e);
            }
        }
        throw new IllegalStateException("not a literal: " + text);
    }
}
