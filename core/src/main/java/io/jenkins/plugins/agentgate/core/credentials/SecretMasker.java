package io.jenkins.plugins.agentgate.core.credentials;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

/**
 * Masks leased secret values, and their common encodings ({@link SecretEncodings}), in byte streams and
 * strings. Values can be added while streams are open (a token minted mid-run); from then on they are masked
 * in all output that has not been written yet. Thread-safe: the compiled pattern set is replaced as a whole.
 *
 * <p>Matching works on bytes: text is viewed as ISO-8859-1 so that each byte is one {@code char} for the
 * Aho-Corasick automaton, which finds every occurrence of every pattern in one pass.
 */
public final class SecretMasker {
    /** Replaces each masked run (as credentials-binding does). */
    public static final String MASK = "****";
    /**
     * Shortest secret that can be leased and masked. Shorter values would mask ordinary words and numbers all
     * over the log (noise that hides real output) and are too weak to be worth a lease.
     */
    public static final int MIN_SECRET_BYTES = 8;

    private final Object lock = new Object();
    private volatile Patterns patterns = Patterns.EMPTY;

    /**
     * Adds {@code value} and its encodings.
     *
     * @throws IllegalArgumentException when the value is shorter than {@link #MIN_SECRET_BYTES}
     */
    public void add(byte[] value) {
        if (value.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret is " + value.length + " bytes long; at least " + MIN_SECRET_BYTES
                    + " bytes are needed to mask it without masking ordinary output");
        }
        synchronized (lock) {
            List<String> all = new ArrayList<>(patterns.keywords);
            for (Map.Entry<String, byte[]> form : SecretEncodings.of(value).entrySet()) {
                if (form.getValue().length >= MIN_SECRET_BYTES) {
                    all.add(new String(form.getValue(), StandardCharsets.ISO_8859_1));
                }
            }
            patterns = new Patterns(all);
        }
    }

    /** Number of distinct patterns (values × encodings), for evidence and tests. */
    public int patternCount() {
        return patterns.keywords.size();
    }

    /** Removes every pattern (after evidence is written; the strings themselves cannot be wiped). */
    public void clear() {
        synchronized (lock) {
            patterns = Patterns.EMPTY;
        }
    }

    /** Masks a whole string (error messages, evidence fields). */
    public String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Patterns p = patterns;
        if (p.keywords.isEmpty()) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        List<int[]> runs = p.runs(latin);
        if (runs.isEmpty()) {
            return text;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length);
        int pos = 0;
        for (int[] r : runs) {
            out.write(bytes, pos, r[0] - pos);
            out.writeBytes(MASK.getBytes(StandardCharsets.US_ASCII));
            pos = r[1];
        }
        out.write(bytes, pos, bytes.length - pos);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A stream that masks everything written to it before passing it on to {@code out}. */
    public MaskingOutputStream wrap(OutputStream out) {
        return new MaskingOutputStream(out, this);
    }

    Patterns patterns() {
        return patterns;
    }

    /** An immutable compiled pattern set. */
    static final class Patterns {
        static final Patterns EMPTY = new Patterns(List.of());

        final List<String> keywords;
        private final Trie trie;
        private final TreeSet<String> sorted;
        private final boolean[] firstByte = new boolean[256];
        final int maxLength;

        Patterns(Collection<String> keywords) {
            this.sorted = new TreeSet<>(keywords);
            this.keywords = List.copyOf(sorted);
            this.trie = this.keywords.isEmpty() ? null : Trie.builder().addKeywords(this.keywords).build();
            int max = 0;
            for (String k : this.keywords) {
                firstByte[k.charAt(0)] = true;
                max = Math.max(max, k.length());
            }
            this.maxLength = max;
        }

        /** Merged [start, end) runs covered by any match, in order. */
        List<int[]> runs(String latin) {
            List<int[]> runs = new ArrayList<>();
            if (trie == null) {
                return runs;
            }
            List<Emit> emits = new ArrayList<>(trie.parseText(latin));
            emits.sort((a, b) -> Integer.compare(a.getStart(), b.getStart()));
            for (Emit e : emits) {
                int s = e.getStart();
                int end = e.getEnd() + 1;
                int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && s <= last[1]) {
                    last[1] = Math.max(last[1], end);
                } else {
                    runs.add(new int[] {s, end});
                }
            }
            return runs;
        }

        /**
         * The first index from which the rest of {@code latin} is a proper prefix of some pattern, i.e. could
         * still become a match with more input; {@code latin.length()} when none.
         */
        int holdFrom(String latin) {
            int n = latin.length();
            for (int s = Math.max(0, n - maxLength + 1); s < n; s++) {
                if (!firstByte[latin.charAt(s)]) {
                    continue;
                }
                String tail = latin.substring(s);
                String next = sorted.higher(tail);
                if (next != null && next.startsWith(tail)) {
                    return s;
                }
            }
            return n;
        }
    }
}
