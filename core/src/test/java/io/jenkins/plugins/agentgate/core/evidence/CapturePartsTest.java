package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The capture's byte-level pieces: splitting a two-pair diff-tree stream, git's tree order, pack headers. */
class CapturePartsTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);

    /** What diff-tree --stdin -z --raw --numstat -p prints for "A B\nB A\n", with lines that nearly match the marker. */
    private static final String PATCH1 = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,3 @@\n-old\n+" + B + " " + A + "\n"
            + "+new\n" + B + " " + A.substring(0, 10) + "\n" + "bbbb\n";
    private static final String PATCH2 = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1 @@\n+old\n";
    private static final String RAW1 = ":100644 100644 " + "1".repeat(40) + " " + "2".repeat(40) + " M\0x\0" + "2\t1\tx\0";
    private static final String STREAM = A + " " + B + "\n" + RAW1 + "\0" + PATCH1
            + B + " " + A + "\n" + ":100644 100644 2 1 M\0x\0" + "1\t2\tx\0" + "\0" + PATCH2;

    private static List<String> split(byte[] stream, int[] chunks) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        GitCli.PatchPairSplitter s = new GitCli.PatchPairSplitter(A + " " + B + "\n", B + " " + A + "\n", header, first, second, () -> false);
        int off = 0;
        for (int i = 0; off < stream.length; i++) {
            int n = Math.min(chunks[i % chunks.length], stream.length - off);
            s.write(stream, off, n);
            off += n;
        }
        assertThat(s.complete()).isTrue();
        return List.of(header.toString(StandardCharsets.ISO_8859_1), first.toString(StandardCharsets.ISO_8859_1),
                second.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theTwoPatchesAreSplitAtTheSecondHeaderLineWhateverTheChunking() throws IOException {
        byte[] stream = STREAM.getBytes(StandardCharsets.ISO_8859_1);
        // The marker text inside a '+' line or a partial marker at a line start does not split.
        List<String> expected = List.of(RAW1, PATCH1, PATCH2);
        assertThat(split(stream, new int[] {stream.length})).isEqualTo(expected);
        assertThat(split(stream, new int[] {1})).isEqualTo(expected);
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            int[] chunks = new int[5];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = 1 + random.nextInt(90);
            }
            assertThat(split(stream, chunks)).as("chunks %s", java.util.Arrays.toString(chunks)).isEqualTo(expected);
        }
    }

    @Test
    void anUnexpectedFirstLineIsAnError() {
        GitCli.PatchPairSplitter s = new GitCli.PatchPairSplitter(A + " " + B + "\n", B + " " + A + "\n",
                new ByteArrayOutputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream(), () -> false);
        assertThatThrownBy(() -> s.write(("fatal: bad object\n").getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(CaptureException.class);
        assertThat(s.complete()).isFalse();
    }

    @Test
    void treeEntriesSortAsGitSortsThem() {
        // A subtree sorts as if its name ended in '/': "a.txt" < "a/" < "a0", and "a-b" < "a.txt".
        Map<String, TreeListing.Entry> t = new java.util.HashMap<>();
        t.put("a0", new TreeListing.Entry("100644", "1".repeat(40)));
        t.put("a", new TreeListing.Entry("40000", "2".repeat(40)));
        t.put("a.txt", new TreeListing.Entry("100644", "3".repeat(40)));
        t.put("a-b", new TreeListing.Entry("100755", "4".repeat(40)));
        t.put("\u00e9", new TreeListing.Entry("120000", "5".repeat(40))); // byte 0xe9 sorts after ASCII
        t.put("B", new TreeListing.Entry("100644", "6".repeat(40)));
        byte[] body = TreeListing.serialize(t);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < body.length; ) {
            int sp = indexOf(body, (byte) ' ', i);
            int nul = indexOf(body, (byte) 0, sp);
            names.add(new String(body, sp + 1, nul - sp - 1, StandardCharsets.ISO_8859_1));
            i = nul + 1 + 20;
        }
        assertThat(names).containsExactly("B", "a-b", "a.txt", "a", "a0", "\u00e9");
        assertThat(new String(body, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("100644"); // "B"
        assertThat(TreeListing.compareNames("a", true, "a", false)).isPositive();
    }

    @Test
    void packObjectHeadersCarryTypeAndSizeInGitsVarint() {
        assertThat(CapturePack.objectHeader(3, 5)).containsExactly(0x35);
        assertThat(CapturePack.objectHeader(2, 15)).containsExactly(0x2f);
        assertThat(CapturePack.objectHeader(3, 16)).containsExactly(0xb0, 0x01);
        assertThat(CapturePack.objectHeader(3, 1 << 20)).containsExactly(0xb0, 0x80, 0x80, 0x04);
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
