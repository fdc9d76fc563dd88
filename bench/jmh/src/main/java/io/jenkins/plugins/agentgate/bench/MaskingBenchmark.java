package io.jenkins.plugins.agentgate.bench;

import io.jenkins.plugins.agentgate.core.credentials.MaskingOutputStream;
import io.jenkins.plugins.agentgate.core.credentials.SecretMasker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Masking 1 MiB of log-like output (80-column lines, a leased value every ~64 KiB) with 5 leased secrets
 * (40 patterns) through {@link MaskingOutputStream}, in 8 KiB writes (a pump's buffer) or 80-byte writes
 * (line by line); {@code copy} is the same writes into the same sink without masking, the baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MaskingBenchmark {
    @Param({"8192", "80"})
    int writeSize;

    SecretMasker masker;
    byte[] data;

    @Setup
    public void setup() {
        masker = new SecretMasker();
        for (int i = 0; i < 5; i++) {
            masker.add(("ghp_secretvalue_" + i + "_abcdefghijklmnopqrstuvwxyz0123").getBytes(StandardCharsets.UTF_8));
        }
        Random r = new Random(3);
        String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789=+/-_:.";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < (1 << 20)) {
            if (sb.length() % 65536 < 80) {
                sb.append("token=ghp_secretvalue_2_abcdefghijklmnopqrstuvwxyz0123\n");
            }
            for (int j = 0; j < 79; j++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            sb.append('\n');
        }
        data = sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public long masked() throws IOException {
        Counting sink = new Counting();
        try (MaskingOutputStream out = masker.wrap(sink)) {
            for (int i = 0; i < data.length; i += writeSize) {
                out.write(data, i, Math.min(writeSize, data.length - i));
            }
        }
        return sink.count;
    }

    @Benchmark
    public long copy() throws IOException {
        Counting sink = new Counting();
        for (int i = 0; i < data.length; i += writeSize) {
            sink.write(data, i, Math.min(writeSize, data.length - i));
        }
        return sink.count;
    }

    static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
