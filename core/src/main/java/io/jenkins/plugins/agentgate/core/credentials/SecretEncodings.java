package io.jenkins.plugins.agentgate.core.credentials;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The byte sequences under which a secret commonly shows up in output, so that masking catches more than the
 * raw value. Every form is derived from the secret's bytes; docs/credentials.md lists them and what is not
 * covered. All forms are ASCII except the raw value and JSON with non-ASCII characters left as UTF-8.
 */
final class SecretEncodings {
    /** GNU coreutils and busybox {@code base64} wrap at 76 columns unless told {@code -w0}. */
    static final int BASE64_LINE = 76;

    private SecretEncodings() {}

    /** Form name → bytes; duplicates (e.g. hex-lower of a digit-only secret) collapse to the first name. */
    static Map<String, byte[]> of(byte[] v) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        put(out, "raw", v);
        base64(out, "base64", Base64.getEncoder(), v);
        base64(out, "base64url", Base64.getUrlEncoder(), v);
        byte[] wrapped = wrap(Base64.getEncoder().encode(v), BASE64_LINE);
        put(out, "base64-wrapped", wrapped);
        for (boolean upper : new boolean[] {true, false}) {
            String c = upper ? "upper" : "lower";
            put(out, "percent-rfc3986-" + c, percent(v, "-._~", false, upper));
            put(out, "percent-form-" + c, percent(v, "-._*", true, upper));
            put(out, "percent-path-" + c, percent(v, "-._~/", false, upper));
            put(out, "percent-uricomponent-" + c, percent(v, "-_.!~*'()", false, upper));
            put(out, "percent-every-byte-" + c, percentAll(v, upper));
            put(out, "hex-" + c, hex(v, upper));
        }
        String text = utf8OrNull(v);
        if (text != null) {
            for (boolean slash : new boolean[] {false, true}) {
                String s = slash ? "-slash" : "";
                put(out, "json" + s, json(text, slash, 0));
                put(out, "json-ascii-lower" + s, json(text, slash, 1));
                put(out, "json-ascii-upper" + s, json(text, slash, 2));
            }
        }
        return out;
    }

    private static void put(Map<String, byte[]> out, String name, byte[] form) {
        for (byte[] existing : out.values()) {
            if (java.util.Arrays.equals(existing, form)) {
                return;
            }
        }
        out.put(name, form);
    }

    /**
     * Full encodings (padded and unpadded) and, for each of the three byte alignments at which the secret can
     * sit inside a longer base64-encoded stream, the run of characters that depends on the secret's bits only.
     * Encoding {@code a} filler bytes followed by the secret puts the secret's first bit at bit {@code 8a};
     * character {@code i} covers bits {@code [6i, 6i+6)}, so characters {@code ceil(8a/6)} up to (excluding)
     * {@code floor(8(a+n)/6)} are the same in every stream where the secret starts at an offset ≡ a (mod 3).
     */
    private static void base64(Map<String, byte[]> out, String name, Base64.Encoder enc, byte[] v) {
        put(out, name, enc.encode(v));
        put(out, name + "-unpadded", enc.withoutPadding().encode(v));
        for (int a = 0; a < 3; a++) {
            byte[] shifted = new byte[a + v.length];
            System.arraycopy(v, 0, shifted, a, v.length);
            byte[] e = enc.withoutPadding().encode(shifted);
            int from = (8 * a + 5) / 6;
            int to = 8 * (a + v.length) / 6;
            put(out, name + "-embedded-" + a, java.util.Arrays.copyOfRange(e, from, to));
        }
    }

    private static byte[] wrap(byte[] b, int width) {
        if (b.length <= width) {
            return b;
        }
        ByteBuffer out = ByteBuffer.allocate(b.length + b.length / width);
        for (int i = 0; i < b.length; i += width) {
            if (i > 0) {
                out.put((byte) '\n');
            }
            out.put(b, i, Math.min(width, b.length - i));
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] percent(byte[] v, String keep, boolean spaceAsPlus, boolean upper) {
        String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        StringBuilder sb = new StringBuilder(v.length * 3);
        for (byte b : v) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c < 0x80 && keep.indexOf(c) >= 0)) {
                sb.append((char) c);
            } else if (c == ' ' && spaceAsPlus) {
                sb.append('+');
            } else {
                sb.append('%').append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xf));
            }
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Every byte as {@code %XX}, as shell scripts that URL-encode through {@code od} produce. */
    private static byte[] percentAll(byte[] v, boolean upper) {
        byte[] h = hex(v, upper);
        byte[] out = new byte[v.length * 3];
        for (int i = 0; i < v.length; i++) {
            out[3 * i] = '%';
            out[3 * i + 1] = h[2 * i];
            out[3 * i + 2] = h[2 * i + 1];
        }
        return out;
    }

    private static byte[] hex(byte[] v, boolean upper) {
        String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        byte[] out = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) {
            out[2 * i] = (byte) digits.charAt((v[i] & 0xff) >> 4);
            out[2 * i + 1] = (byte) digits.charAt(v[i] & 0xf);
        }
        return out;
    }

    /**
     * A JSON string's contents (no quotes). {@code ascii}: 0 leaves non-ASCII as UTF-8 (Jackson, Go, JS),
     * 1 escapes it as lower-case {@code \\u} (Python's json.dumps), 2 as upper-case.
     */
    private static byte[] json(String s, boolean escapeSlash, int ascii) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '/' -> sb.append(escapeSlash ? "\\/" : "/");
                default -> {
                    if (c < 0x20 || (c > 0x7e && ascii > 0)) {
                        String h = String.format(java.util.Locale.ROOT, ascii == 2 ? "%04X" : "%04x", (int) c);
                        sb.append("\\u").append(h);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8OrNull(byte[] v) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
