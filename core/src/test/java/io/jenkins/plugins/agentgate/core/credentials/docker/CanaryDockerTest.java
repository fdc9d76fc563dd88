package io.jenkins.plugins.agentgate.core.credentials.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jenkins.plugins.agentgate.core.credentials.ExecSecretFileChannel;
import io.jenkins.plugins.agentgate.core.credentials.LeaseBroker;
import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.credentials.LeaseStatus;
import io.jenkins.plugins.agentgate.core.credentials.MaskingOutputStream;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Canary secrets through a real container: the agent prints them raw and encoded, copies them into files and
 * prints those; the output passed through the broker's masking streams holds no canary; no process on the host
 * carries a canary on its command line while the run goes on; and a file-mode secret disappears from the live
 * container when its TTL runs out.
 */
class CanaryDockerTest {
    private static final String SECRET_DIR = LeaseBroker.SECRET_DIR;

    /** A fresh canary per test: random, with characters that make every encoding differ from the raw value. */
    private static String canary(String tag) {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        return "cnry-" + tag + "-" + HexFormat.of().formatHex(r) + "/+?&=~x";
    }

    private record Source(Map<String, String> values) implements SecretSource {
        @Override
        public SecretValue resolve(String id) throws SecretSourceException {
            String v = values.get(id);
            if (v == null) {
                throw new SecretSourceException(id, "unknown credential " + id);
            }
            return SecretValue.ofOwned(v.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Set<String> ids() {
            return values.keySet();
        }
    }

    // The agent: raw, base64 (wrapped, -w0, URL-safe, embedded at alignments 1 and 2), hex, URL-encoded (RFC 3986
    // and every byte), JSON with escaped slashes, copies in files, the file secret itself, stderr.
    private static final String AGENT = String.join("\n",
            "f=" + SECRET_DIR + "/canary-file",
            "i=0; while [ ! -f \"$f\" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done",
            "v=\"$CANARY_ENV\"",
            "echo \"env: $v\"",
            "printf %s \"$v\" | base64",
            "printf %s \"$v\" | base64 -w 0; echo",
            "printf %s \"$v\" | base64 -w 0 | tr '+/' '-_' | tr -d '='; echo",
            "printf 'x%sy' \"$v\" | base64 -w 0; echo",
            "printf 'xy%sz' \"$v\" | base64 -w 0; echo",
            "printf %s \"$v\" | od -An -tx1 | tr -d ' \\n'; echo",
            "printf %s \"$v\" | od -An -tx1 | tr -d ' \\n' | sed 's/../%&/g'; echo",
            "printf %s \"$v\" | awk 'BEGIN{for(i=1;i<256;i++)ord[sprintf(\"%c\",i)]=i}"
                    + "{for(i=1;i<=length($0);i++){c=substr($0,i,1); if(c ~ /[A-Za-z0-9._~-]/) printf \"%s\", c;"
                    + " else printf \"%%%02X\", ord[c]}}'; echo",
            "printf '{\"token\":\"%s\"}\\n' \"$(printf %s \"$v\" | sed 's,/,\\\\/,g')\"",
            "echo \"$v\" > /tmp/copy.txt; printf %s \"$v\" | base64 > /tmp/copy.b64; cat /tmp/copy.txt /tmp/copy.b64",
            "echo \"file: $(cat \"$f\")\"",
            "base64 \"$f\"",
            "echo \"to stderr: $v\" >&2",
            "echo agent-done");

    @Test
    void noCanaryInMaskedOutputEvidenceErrorsOrHostCommandLines() throws Exception {
        String image = Docker.busyboxImage();
        String envCanary = canary("env");
        String fileCanary = canary("file");
        String name = "agentgate-cred-canary-" + UUID.randomUUID().toString().substring(0, 8);
        LeaseBroker broker = new LeaseBroker("run-canary", new Source(Map.of("canary-env", envCanary, "canary-file", fileCanary)),
                Clock.systemUTC());
        broker.leaseAll(List.of(new CredentialGrant("canary-env", Duration.ofMinutes(5), InjectionMode.ENV),
                new CredentialGrant("canary-file", Duration.ofMinutes(5), InjectionMode.FILE)));

        ProcScanner scanner = new ProcScanner(List.of(envCanary, fileCanary), "agentgate-canary-agent");
        ByteArrayOutputStream rawOut = new ByteArrayOutputStream();
        ByteArrayOutputStream maskedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream rawErr = new ByteArrayOutputStream();
        ByteArrayOutputStream maskedErr = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(Docker.sandboxOptions(name));
        broker.secretEnvironment().keySet().forEach(n -> args.addAll(List.of("-e", n)));
        broker.plainEnvironment().forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.addAll(List.of(image, "sh", "-c", AGENT, "agentgate-canary-agent"));
        assertThat(String.join(" ", args)).doesNotContain(envCanary).doesNotContain(fileCanary);

        scanner.start();
        Thread run;
        int[] exit = {-1};
        try (MaskingOutputStream out = broker.masker().wrap(maskedOut); MaskingOutputStream err = broker.masker().wrap(maskedErr)) {
            run = new Thread(() -> {
                try {
                    exit[0] = Docker.run(args, broker.secretEnvironment(), null, new Tee(rawOut, out), new Tee(rawErr, err), 120);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            run.start();
            Docker.awaitRunning(name, 60);
            broker.injectFiles(new ExecSecretFileChannel(new DockerExec(name)), null);
            run.join(TimeUnit.SECONDS.toMillis(150));
        } finally {
            broker.revokeAll("step end");
            scanner.stop();
            Docker.removeQuietly(name);
        }
        String stdout = rawOut.toString(StandardCharsets.UTF_8);
        // The agent really printed the canaries: without masking this test would fail.
        assertThat(exit[0]).as(stdout + rawErr).isZero();
        assertThat(stdout).contains("agent-done").contains(envCanary).contains("file: " + fileCanary);
        assertThat(rawErr.toString(StandardCharsets.UTF_8)).contains(envCanary);

        String masked = maskedOut.toString(StandardCharsets.UTF_8) + maskedErr.toString(StandardCharsets.UTF_8);
        System.out.println("masked agent output:\n" + masked); // safe to show, and what a reader of a failure needs
        assertThat(masked).contains("agent-done").contains("env: ****").contains("file: ****");
        for (String c : List.of(envCanary, fileCanary)) {
            for (String form : forms(c)) {
                assertThat(masked).as("form %s of %s in\n%s", form, c, masked).doesNotContain(form);
            }
        }

        // Evidence and error strings: the lease records as JSON, and a message that quotes the value.
        String evidence = new ObjectMapper().registerModule(new JavaTimeModule()).writeValueAsString(broker.records());
        assertThat(evidence).doesNotContain(envCanary).doesNotContain(fileCanary).contains("hmac-sha256:");
        assertThat(broker.masker().mask("curl failed: token " + envCanary + " rejected")).isEqualTo("curl failed: token **** rejected");
        assertThat(broker.records()).allSatisfy(r -> assertThat(r.status()).isEqualTo(LeaseStatus.REVOKED));

        assertThat(scanner.hits).as("host processes with a canary on their command line").isEmpty();
        assertThat(scanner.sawAgent.get()).as("the scan saw the agent's own process, so it did look").isTrue();
        assertThat(scanner.scans.get()).isGreaterThan(5);
        broker.close();
    }

    /** The encodings a careless agent would print; a test-side derivation independent of the masker's. */
    private static List<String> forms(String c) {
        byte[] b = c.getBytes(StandardCharsets.UTF_8);
        List<String> f = new ArrayList<>(List.of(c,
                Base64.getEncoder().encodeToString(b),
                Base64.getUrlEncoder().withoutPadding().encodeToString(b),
                HexFormat.of().formatHex(b),
                URLEncoder.encode(c, StandardCharsets.UTF_8),
                c.replace("/", "\\/")));
        // base64 of the value inside a longer text: the middle characters, whatever the alignment
        for (String pad : List.of("x", "xy")) {
            String e = Base64.getEncoder().encodeToString((pad + c + "z").getBytes(StandardCharsets.UTF_8));
            f.add(e.substring(4, e.length() - 4));
        }
        // the value's distinctive random part alone must not survive either
        f.add(c.substring(0, c.indexOf('/')));
        return f;
    }

    @Test
    void fileSecretIsRemovedFromTheLiveContainerWhenItsTtlRunsOut() throws Exception {
        String image = Docker.busyboxImage();
        String secret = canary("ttl");
        String name = "agentgate-cred-ttl-" + UUID.randomUUID().toString().substring(0, 8);
        LeaseBroker broker = new LeaseBroker("run-ttl", new Source(Map.of("ttl-secret", secret)), Clock.systemUTC());
        broker.leaseAll(List.of(new CredentialGrant("ttl-secret", Duration.ofSeconds(3), InjectionMode.FILE)));
        String agent = String.join("\n",
                "f=" + SECRET_DIR + "/ttl-secret",
                "i=0; while [ ! -f \"$f\" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done",
                "stat -c 'file=%a uid=%u' \"$f\"; stat -c 'dir=%a uid=%u' " + SECRET_DIR,
                "cat \"$f\" > /dev/null && echo first-read-ok",
                "i=0; while cat \"$f\" > /dev/null 2>&1 && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done",
                "if cat \"$f\" > /dev/null 2>&1; then echo still-readable; else echo next-read-failed; fi",
                "ls -A " + SECRET_DIR + " | wc -l | sed 's/^/left=/'");
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(Docker.sandboxOptions(name));
        broker.plainEnvironment().forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.addAll(List.of(image, "sh", "-c", agent));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        int[] exit = {-1};
        try (MaskingOutputStream masked = broker.masker().wrap(out)) {
            Thread run = new Thread(() -> {
                try {
                    exit[0] = Docker.run(args, Map.of(), null, masked, masked, 120);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            run.start();
            Docker.awaitRunning(name, 60);
            broker.injectFiles(new ExecSecretFileChannel(new DockerExec(name)), scheduler);
            run.join(TimeUnit.SECONDS.toMillis(150));
        } finally {
            scheduler.shutdownNow();
            broker.revokeAll("step end");
            Docker.removeQuietly(name);
        }
        String log = out.toString(StandardCharsets.UTF_8);
        assertThat(exit[0]).as(log).isZero();
        assertThat(log).contains("file=400 uid=1000", "dir=700 uid=1000", "first-read-ok", "next-read-failed", "left=0")
                .doesNotContain("still-readable");
        LeaseRecord r = broker.records().get(0);
        assertThat(r.fileRemovedAt()).isNotNull();
        assertThat(Duration.between(r.issuedAt(), r.fileRemovedAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(r.revokeReason()).isEqualTo("step end");
        broker.close();
    }

    /** Copies to two streams: the raw copy proves the agent printed the canary at all. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    /** Reads every /proc/PID/cmdline on the host, again and again, while the run goes on. */
    private static final class ProcScanner {
        private final List<byte[]> needles;
        private final byte[] agentMarker;
        final Set<String> hits = ConcurrentHashMap.newKeySet();
        final AtomicBoolean sawAgent = new AtomicBoolean();
        final AtomicInteger scans = new AtomicInteger();
        private volatile boolean running;
        private Thread thread;

        ProcScanner(List<String> canaries, String agentMarker) {
            this.needles = canaries.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toList();
            this.agentMarker = agentMarker.getBytes(StandardCharsets.UTF_8);
        }

        void start() {
            running = true;
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (running && System.nanoTime() < deadline) {
                    scanOnce();
                    scans.incrementAndGet();
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }

        private void scanOnce() {
            try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path d : dirs) {
                    byte[] cmd;
                    try {
                        cmd = Files.readAllBytes(d.resolve("cmdline"));
                    } catch (IOException gone) {
                        continue;
                    }
                    if (indexOf(cmd, agentMarker) >= 0) {
                        sawAgent.set(true);
                    }
                    for (byte[] n : needles) {
                        if (indexOf(cmd, n) >= 0) {
                            hits.add(d.getFileName() + ": " + new String(cmd, StandardCharsets.UTF_8).replace('\0', ' '));
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list /proc", e);
            }
        }

        private static int indexOf(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
