package io.jenkins.plugins.agentgate.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {
    private static final String SECRET = "s3cr3t+/Tok=en\"é\\x";

    private static SecretMasker masker(String... secrets) {
        SecretMasker m = new SecretMasker();
        for (String s : secrets) {
            m.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void masksTheRawValueAndEveryListedEncodingProducedByIndependentEncoders() throws Exception {
        SecretMasker m = masker(SECRET);
        byte[] v = SECRET.getBytes(StandardCharsets.UTF_8);
        String json = new ObjectMapper().writeValueAsString(SECRET);
        String[] forms = {
                SECRET,
                Base64.getEncoder().encodeToString(v),
                Base64.getEncoder().withoutPadding().encodeToString(v),
                Base64.getUrlEncoder().encodeToString(v),
                Base64.getUrlEncoder().withoutPadding().encodeToString(v),
                URLEncoder.encode(SECRET, StandardCharsets.UTF_8),
                lowerHexEscapes(URLEncoder.encode(SECRET, StandardCharsets.UTF_8)),
                json.substring(1, json.length() - 1),
                HexFormat.of().formatHex(v),
                HexFormat.of().withUpperCase().formatHex(v),
        };
        for (String f : forms) {
            String line = "token: " + f + " (end)";
            assertThat(m.mask(line)).as(f).isEqualTo("token: **** (end)");
        }
    }

    @Test
    void masksPythonStyleJsonAndRfc3986PercentEncoding() {
        SecretMasker m = masker(SECRET);
        // json.dumps(secret) with ensure_ascii: non-ASCII as lower-case \\u escapes
        String py = "s3cr3t+/Tok=en\\\"\\u00e9\\\\x";
        assertThat(m.mask("a " + py + " b")).isEqualTo("a **** b");
        String rfc = "s3cr3t%2B%2FTok%3Den%22%C3%A9%5Cx";
        assertThat(m.mask(rfc)).isEqualTo("****");
        assertThat(m.mask(lowerHexEscapes(rfc))).isEqualTo("****");
    }

    private static String lowerHexEscapes(String s) {
        return java.util.regex.Pattern.compile("%[0-9A-F]{2}").matcher(s)
                .replaceAll(r -> r.group().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * A secret inside a longer base64 stream, at each of the three alignments: apart from the one character on
     * each side that mixes the secret's first or last byte with its neighbours, the characters left visible must
     * not depend on the secret. Checked by encoding the same stream with other same-length values that share only
     * the first and last byte: the visible prefix and suffix must stay identical.
     */
    @Test
    void masksASecretEmbeddedInALongerBase64StreamAtEveryAlignment() {
        Random r = new Random(42);
        byte[] secret = "AKIA-embedded-secret-value".getBytes(StandardCharsets.US_ASCII);
        SecretMasker m = new SecretMasker();
        m.add(secret);
        for (int prefixLen = 0; prefixLen < 9; prefixLen++) {
            for (int suffixLen : new int[] {0, 1, 2, 5}) {
                byte[] prefix = new byte[prefixLen];
                byte[] suffix = new byte[suffixLen];
                r.nextBytes(prefix);
                r.nextBytes(suffix);
                String encoded = b64(prefix, secret, suffix, false);
                String masked = m.mask(encoded);
                assertThat(masked).as("prefix %d suffix %d", prefixLen, suffixLen).contains(SecretMasker.MASK);
                String visibleHead = masked.substring(0, masked.indexOf(SecretMasker.MASK));
                String visibleTail = masked.substring(masked.indexOf(SecretMasker.MASK) + SecretMasker.MASK.length());
                assertThat(visibleTail).doesNotContain(SecretMasker.MASK);
                for (int trial = 0; trial < 20; trial++) {
                    byte[] other = new byte[secret.length];
                    r.nextBytes(other);
                    other[0] = secret[0];
                    other[other.length - 1] = secret[secret.length - 1];
                    String otherEncoded = b64(prefix, other, suffix, false);
                    assertThat(otherEncoded).startsWith(visibleHead).endsWith(visibleTail);
                }
                // URL-safe alphabet, same property
                String url = m.mask(b64(prefix, secret, suffix, true));
                assertThat(url).contains(SecretMasker.MASK);
            }
        }
    }

    private static String b64(byte[] a, byte[] b, byte[] c, boolean url) {
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return (url ? Base64.getUrlEncoder() : Base64.getEncoder()).encodeToString(all);
    }

    @Test
    void masksBase64WrappedAt76ColumnsAsGnuAndBusyboxPrintIt() {
        String longSecret = "x".repeat(10) + "-a-long-secret-that-wraps-when-base64-encoded-by-coreutils-0123456789";
        SecretMasker m = masker(longSecret);
        String enc = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(longSecret.getBytes(StandardCharsets.UTF_8));
        assertThat(enc).contains("\n");
        assertThat(m.mask(enc + "\n")).isEqualTo("****\n");
    }

    @Test
    void overlappingAndAdjacentMatchesBecomeOneMask() {
        SecretMasker m = masker("abcdefgh12", "gh12345678");
        assertThat(m.mask("[abcdefgh12345678]")).isEqualTo("[****]");
        assertThat(m.mask("abcdefgh12abcdefgh12")).isEqualTo("****");
    }

    @Test
    void leavesTextWithoutSecretsAloneAndRejectsShortSecrets() {
        SecretMasker m = masker(SECRET);
        String text = "nothing secret here: s3cr3t, Tok=en, 0123456789abcdef ✓";
        assertThat(m.mask(text)).isSameAs(text);
        assertThatThrownBy(() -> m.add("short".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 bytes").hasMessageContaining("at least 8");
    }

    @Test
    void keepsNonSecretMultibyteTextIntact() {
        SecretMasker m = masker("pässwörd-geheim");
        assertThat(m.mask("ä pässwörd-geheim ö")).isEqualTo("ä **** ö");
    }

    @Test
    void streamPassesSafeOutputOnAtOnceAndHoldsOnlyAPossibleSecretPrefix() throws IOException {
        SecretMasker m = masker("topsecret-value");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        MaskingOutputStream out = m.wrap(sink);
        out.write("hello world\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("hello world\n");
        out.write("key=topsec".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("hello world\nkey=");
        out.write("ret-value done".getBytes(StandardCharsets.US_ASCII));
        out.close();
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("hello world\nkey=**** done");
    }

    @Test
    void closeReleasesAHeldPrefixThatNeverBecameASecret() throws IOException {
        SecretMasker m = masker("topsecret-value");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            out.write("end: topsecret-val".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("end: topsecret-val");
    }

    @Test
    void maskRunSpanningManyWritesIsOneMask() throws IOException {
        SecretMasker m = masker("0123456789abcdef");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            for (byte b : "<0123456789abcdef0123456789abcdef>".getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
            }
        }
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("<****>");
    }

    /**
     * A match straddles the point up to which the first write was passed on; in the next write, two separate
     * matches start inside that already-masked head. All must join into one mask.
     */
    @Test
    void severalMatchesStartingInsideACarriedMaskedHeadJoinIt() throws IOException {
        String head = "0123456789abcdefghij";
        SecretMasker m = masker("zzzzzzzz" + head, head + "KLMNOP", "23456789", "cdefghijKLMN");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            out.write(("zzzzzzzz" + head).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("****");
            out.write("KLMNOQ".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("****OQ")
                .isEqualTo(m.mask("zzzzzzzz" + head + "KLMNOQ"));
    }

    @Test
    void memoryStaysBoundedByTheLongestPatternWhateverTheOutputSize() throws IOException {
        SecretMasker m = masker(SECRET);
        int longest = m.patterns().maxLength;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        MaskingOutputStream out = m.wrap(sink);
        byte[] chunk = new byte[100_000];
        Random r = new Random(1);
        long written = 0;
        for (int i = 0; i < 50; i++) {
            r.nextBytes(chunk);
            out.write(chunk);
            written += chunk.length;
            assertThat(out.heldBytes()).isLessThan(longest);
        }
        out.close();
        assertThat((long) sink.size()).isEqualTo(written);
    }

    @Test
    void valueAddedWhileAStreamIsOpenIsMaskedFromThenOn() throws IOException {
        SecretMasker m = masker("first-secret-1");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            out.write("a first-secret-1 ".getBytes(StandardCharsets.US_ASCII));
            m.add("minted-token-2".getBytes(StandardCharsets.US_ASCII));
            out.write("b minted-token-2 c".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("a **** b **** c");
    }
}
