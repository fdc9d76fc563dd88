package io.jenkins.plugins.agentgate.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Streaming masking equals whole-text masking, wherever the writes split the output. */
class MaskingStreamPropertiesTest {
    private static final List<String> SECRETS = List.of("ghp_Abc123xyz789", "p@ss w0rd/with+chars", "ab12ab12ab12");

    @Property(tries = 300)
    void streamedOutputEqualsWholeMaskingAndNeverShowsASecret(@ForAll("outputs") String text,
                                                              @ForAll("splits") List<Integer> splits) throws IOException {
        SecretMasker m = new SecretMasker();
        SECRETS.forEach(s -> m.add(s.getBytes(StandardCharsets.UTF_8)));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            int pos = 0;
            for (int s : splits) {
                int n = Math.min(s, bytes.length - pos);
                out.write(bytes, pos, n);
                pos += n;
                out.flush();
            }
            out.write(bytes, pos, bytes.length - pos);
        }
        String streamed = sink.toString(StandardCharsets.UTF_8);
        assertThat(streamed).isEqualTo(m.mask(text)).isEqualTo(naiveMask(text));
        for (String s : SECRETS) {
            assertThat(streamed).doesNotContain(s)
                    .doesNotContain(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)))
                    .doesNotContain(HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Secrets and output over a two-letter alphabet: matches overlap, nest and straddle write boundaries all the
     * time, which is where a streaming masker goes wrong.
     */
    @Property(tries = 500)
    void overlappingSecretsStreamExactlyLikeTheReference(
            @ForAll("tinyAlphabetSecrets") List<String> secrets,
            @ForAll("tinyAlphabetText") String text,
            @ForAll("splits") List<Integer> splits) throws IOException {
        SecretMasker m = new SecretMasker();
        secrets.forEach(s -> m.add(s.getBytes(StandardCharsets.US_ASCII)));
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (MaskingOutputStream out = m.wrap(sink)) {
            int pos = 0;
            for (int s : splits) {
                int n = Math.min(s, bytes.length - pos);
                out.write(bytes, pos, n);
                pos += n;
            }
            out.write(bytes, pos, bytes.length - pos);
        }
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo(naiveMask(text, secrets)).isEqualTo(m.mask(text));
    }

    @Provide
    Arbitrary<List<String>> tinyAlphabetSecrets() {
        return Arbitraries.strings().withChars("ab").ofMinLength(8).ofMaxLength(20).list().ofMinSize(2).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> tinyAlphabetText() {
        return Arbitraries.strings().withChars("ab").ofMaxLength(80);
    }

    private static String naiveMask(String text) {
        return naiveMask(text, SECRETS);
    }

    /** Reference: every occurrence of every form found with indexOf, runs merged, each run one mask. */
    private static String naiveMask(String text, List<String> secrets) {
        String latin = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        boolean[] masked = new boolean[latin.length() + 1];
        for (String s : secrets) {
            for (byte[] form : SecretEncodings.of(s.getBytes(StandardCharsets.UTF_8)).values()) {
                if (form.length < SecretMasker.MIN_SECRET_BYTES) {
                    continue;
                }
                String f = new String(form, StandardCharsets.ISO_8859_1);
                for (int i = latin.indexOf(f); i >= 0; i = latin.indexOf(f, i + 1)) {
                    java.util.Arrays.fill(masked, i, i + f.length(), true);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < latin.length(); i++) {
            if (!masked[i]) {
                out.append(latin.charAt(i));
            } else if (i == 0 || !masked[i - 1]) {
                out.append(SecretMasker.MASK);
            }
        }
        return new String(out.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<String> outputs() {
        Arbitrary<String> noise = Arbitraries.strings().withChars("ab12 \n=+/%gh_pé").ofMaxLength(12);
        Arbitrary<String> secret = Arbitraries.of(SECRETS);
        Arbitrary<String> encoded = Combinators.combine(Arbitraries.of(SECRETS), Arbitraries.integers().between(0, 3))
                .as((s, how) -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    return switch (how) {
                        case 0 -> s;
                        case 1 -> Base64.getEncoder().encodeToString(b);
                        case 2 -> HexFormat.of().formatHex(b);
                        default -> java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
                    };
                });
        return Combinators.combine(noise, Arbitraries.oneOf(secret, encoded, noise), noise, encoded, noise)
                .as((a, b, c, d, e) -> a + b + c + d + e);
    }

    @Provide
    Arbitrary<List<Integer>> splits() {
        return Arbitraries.integers().between(0, 9).list().ofMaxSize(30);
    }
}
