package io.jenkins.plugins.agentgate.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedOutputTest {
    @Test
    void keepsFirstBytesCountsTheRestAndSaysSo() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CappedOutput cap = new CappedOutput(sink, 10);
        OutputStream out = cap.stream();
        OutputStream err = cap.stream();
        out.write("01234".getBytes(StandardCharsets.UTF_8));
        err.write("56789abcdef".getBytes(StandardCharsets.UTF_8));
        out.write('x');
        assertThat(cap.seen()).isEqualTo(17);
        assertThat(cap.kept()).isEqualTo(10);
        assertThat(cap.truncated()).isTrue();
        assertThat(sink.toString(StandardCharsets.UTF_8)).startsWith("0123456789\n[agentgate: output cap of 10 bytes reached")
                .doesNotContain("abcdef");
    }

    @Test
    void underTheCapNothingIsCut() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CappedOutput cap = new CappedOutput(sink, 10);
        cap.stream().write("0123456789".getBytes(StandardCharsets.UTF_8));
        assertThat(cap.truncated()).isFalse();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("0123456789");
    }
}
