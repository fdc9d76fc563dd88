package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentgate run --credential} end to end on the real engine: canary secrets leased in env and file mode
 * are usable by the agent, yet appear nowhere outside the sandbox (CLI stdout, stderr, --json, messages, any
 * host process's command line during the run); file secrets go at their TTL; everything is revoked at step end.
 */
class CredentialRunTest {
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;
    Path ws;
    Path task;
    Path secretFile;
    String canary;
    String out;
    String err;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @BeforeEach
    void files() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        SandboxEscapeTest.own(ws);
        task = Files.writeString(tmp.resolve("task.md"), "Use the token.\n");
        byte[] r = new byte[12];
        RANDOM.nextBytes(r);
        // '/', '+' and '=' make the URL-encoded forms differ from the raw value
        canary = "CANARY-" + HexFormat.of().formatHex(r) + "/+=x";
        secretFile = tmp.resolve("canary.secret");
        Files.writeString(secretFile, canary + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    }

    Path catalog(String mode, String maxTtl) throws IOException {
        return Files.writeString(tmp.resolve("catalog-" + mode + ".yaml"), """
                apiVersion: agentgate/v1
                classes:
                  draft: cred-test
                profiles:
                  - id: cred-test
                    version: 1
                    image:
                      allowed: ["agentgate-test/*"]
                      default: %s
                    filesystem: {workspace: read-write}
                    credentials:
                      allowed: [canary-token]
                      maxTtl: %s
                      injection: [%s]
                    limits: {timeout: 2m}
                """.formatted(DockerEngine.TEST_IMAGE, maxTtl, mode));
    }

    int run(List<String> args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = AgentGateCli.run(new PrintWriter(o, true), new PrintWriter(e, true), args.toArray(String[]::new));
        out = o.toString();
        err = e.toString();
        return code;
    }

    List<String> args(Path catalog, String timeout, String script) {
        return List.of("run", "--class", "draft", "--catalog", catalog.toString(), "--task", task.toString(), "--workspace",
                ws.toString(), "--timeout", timeout, "--json", "--evidence-dir", tmp.resolve("evidence").toString(), "--credential",
                "canary-token=file:" + secretFile, "--", "sh", "-c", script);
    }

    /** Every form of the canary the agent prints; none may leave the sandbox. */
    List<String> leakedForms() {
        byte[] b = canary.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(b);
        StringBuilder pct = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            pct.append('%').append(hex, i, i + 2);
        }
        return List.of(canary, Base64.getEncoder().encodeToString(b), URLEncoder.encode(canary, StandardCharsets.UTF_8),
                pct.toString(), pct.toString().toUpperCase(Locale.ROOT), hex, "CANARY-" + canary.substring(7, 31));
    }

    void assertNoLeak() {
        for (String form : leakedForms()) {
            assertThat(out).as("stdout (--json)").doesNotContain(form);
            assertThat(err).as("stderr").doesNotContain(form);
        }
    }

    /**
     * The run's evidence bundle: its lease record (revoked, fingerprinted), no form of the canary in any of its files,
     * and {@code agentgate verify} accepts it. Returns the lease as evidence.json has it.
     */
    JsonNode assertBundleRecordsTheLeaseAndNoValue(JsonNode runJson) throws IOException {
        Path bundle = Path.of(runJson.get("evidence").asText());
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        assertThat(e.get("credentials")).hasSize(1);
        JsonNode lease = e.at("/credentials/0");
        assertThat(lease.get("credentialId").asText()).isEqualTo("canary-token");
        assertThat(lease.get("status").asText()).isEqualTo("revoked");
        assertThat(lease.get("revoked").asBoolean()).isTrue();
        assertThat(lease.get("revokedAt").asText()).isNotBlank();
        assertThat(lease.get("fingerprint").asText()).matches("hmac-sha256:[0-9a-f]{32}")
                .isEqualTo(runJson.at("/credentials/0/fingerprint").asText());
        assertThat(e.get("egress").isNull()).isTrue();
        assertThat(e.get("unauthorizedAttempts").asLong()).isZero();
        int files = 0;
        try (var walk = Files.walk(bundle)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String form : leakedForms()) {
                    assertThat(text).as("bundle file " + f).doesNotContain(form);
                }
                files++;
            }
        }
        assertThat(files).as("bundle files scanned").isGreaterThanOrEqualTo(2);
        String runOut = out;
        String runErr = err;
        int verified = run(List.of("verify", bundle.toString()));
        assertThat(verified).as(out + err).isZero();
        out = runOut;
        err = runErr;
        return lease;
    }

    /** The agent echoes, base64s, URL-encodes, writes and re-reads the secret, on stdout and stderr. */
    static String leakScript(String marker, String read) {
        return ": " + marker + "; " + read + """
                [ -n "$s" ] || { echo "no secret" >&2; exit 9; }
                echo "raw:$s"
                echo "b64:$(printf %s "$s" | base64)"
                echo "url:$(printf %s "$s" | od -An -tx1 -v | tr -d ' \\n' | sed 's/../%&/g')"
                printf %s "$s" > /workspace/leak.txt
                printf %s "$s" > /tmp/leak.txt
                echo "file:$(cat /tmp/leak.txt)"
                sleep 1  # stdout and stderr are masked and copied by separate threads: keep their lines apart
                echo "err:$s" >&2
                echo '{"token":"'"$s"'"}' >&2
                sleep 3
                """;
    }

    @Test
    void envModeCanaryIsUsableButNeverLeavesTheSandbox() throws Exception {
        String marker = "marker-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
        ProcScan scan = ProcScan.start(marker, canary);
        int code = run(args(catalog("env", "10m"), "60s", leakScript(marker, "s=\"$CANARY_TOKEN\"\n")));
        ProcScan.Result seen = scan.stop();

        assertThat(code).as(err).isZero();
        // the agent had the exact value (its workspace file is on the host) ...
        assertThat(Files.readString(ws.resolve("leak.txt"))).isEqualTo(canary);
        // ... and everything it printed was masked
        assertThat(err).contains("raw:****", "b64:****", "url:****", "file:****", "err:****", "{\"token\":\"****\"}");
        assertNoLeak();
        assertThat(seen.sawMarker()).as("the scan saw the agent's own process; scanned %d times", seen.scans()).isTrue();
        assertThat(seen.canaryIn()).as("command lines holding the canary").isEmpty();

        JsonNode j = CanonicalJson.mapper().readTree(out);
        JsonNode lease = j.at("/credentials/0");
        assertThat(lease.get("credentialId").asText()).isEqualTo("canary-token");
        assertThat(lease.get("mode").asText()).isEqualTo("env");
        assertThat(lease.get("target").asText()).isEqualTo("CANARY_TOKEN");
        assertThat(lease.get("status").asText()).isEqualTo("revoked");
        assertThat(lease.get("revokeReason").asText()).isEqualTo("step end");
        assertThat(lease.get("fingerprint").asText()).startsWith("hmac-sha256:");
        JsonNode recorded = assertBundleRecordsTheLeaseAndNoValue(j);
        assertThat(recorded.get("mode").asText()).isEqualTo("env");
        assertThat(recorded.get("target").asText()).isEqualTo("CANARY_TOKEN");
        assertThat(recorded.get("revokeReason").asText()).isEqualTo("step end");
    }

    @Test
    void aCanaryTheAgentWritesIntoAGitWorkspaceIsMaskedInTheArchivedPatches() throws Exception {
        // A git workspace: the bundle then carries patch.diff and revert.diff with the agent's changes.
        Files.writeString(ws.resolve("README.md"), "hello\n");
        for (List<String> git : List.of(List.of("init", "-q"), List.of("add", "README.md"),
                List.of("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "base"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("git", "-c", "safe.directory=*", "-C", ws.toString()));
            argv.addAll(git);
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(said).isZero();
        }
        SandboxEscapeTest.own(ws);
        String marker = "marker-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));

        int code = run(args(catalog("env", "10m"), "60s", leakScript(marker, "s=\"$CANARY_TOKEN\"\n")));

        assertThat(code).as(err).isZero();
        assertThat(Files.readString(ws.resolve("leak.txt"))).isEqualTo(canary); // the workspace keeps what was written
        JsonNode j = CanonicalJson.mapper().readTree(out);
        assertBundleRecordsTheLeaseAndNoValue(j); // no form of the canary in any bundle file, and verify accepts it
        Path bundle = Path.of(j.get("evidence").asText());
        assertThat(Files.readString(bundle.resolve("patch.diff"))).contains("+++ b/leak.txt").contains("+****");
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        assertThat(e.at("/workspace/kind").asText()).isEqualTo("git");
        assertThat(e.at("/workspace/truncation/reasons").toString()).contains("credentials were found in the changes and masked");
        assertThat(e.at("/rollback/complete").asBoolean()).isFalse();
    }

    @Test
    void fileModeCanaryIsA0400FileOfTheSandboxUserAndNeverLeavesTheSandbox() throws Exception {
        String marker = "marker-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
        ProcScan scan = ProcScan.start(marker, canary);
        String read = """
                i=0; while [ ! -r "$CANARY_TOKEN_FILE" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                echo "mode:$(stat -c '%a %u' "$CANARY_TOKEN_FILE") me:$(id -u)"
                s="$(cat "$CANARY_TOKEN_FILE")"
                [ -z "$CANARY_TOKEN" ] || { echo "env must not carry a file-mode secret" >&2; exit 8; }
                """;
        int code = run(args(catalog("file", "10m"), "60s", leakScript(marker, read)));
        ProcScan.Result seen = scan.stop();

        assertThat(code).as(err).isZero();
        assertThat(Files.readString(ws.resolve("leak.txt"))).isEqualTo(canary);
        String uid = err.lines().filter(l -> l.startsWith("mode:")).findFirst().orElseThrow().replaceAll(".* me:", "");
        assertThat(err).contains("mode:400 " + uid + " me:" + uid);
        assertThat(err).contains("raw:****", "b64:****", "url:****", "file:****", "err:****");
        assertNoLeak();
        assertThat(seen.sawMarker()).as("the scan saw the agent's own process; scanned %d times", seen.scans()).isTrue();
        assertThat(seen.canaryIn()).as("command lines holding the canary").isEmpty();

        JsonNode lease = CanonicalJson.mapper().readTree(out).at("/credentials/0");
        assertThat(lease.get("mode").asText()).isEqualTo("file");
        assertThat(lease.get("target").asText()).isEqualTo("/run/agentgate/secrets/canary-token");
        assertThat(lease.get("fileWrittenAt").asText()).isNotBlank();
        assertThat(lease.get("status").asText()).isEqualTo("revoked");
        JsonNode recorded = assertBundleRecordsTheLeaseAndNoValue(CanonicalJson.mapper().readTree(out));
        assertThat(recorded.get("mode").asText()).isEqualTo("file");
        assertThat(recorded.get("fileWrittenAt").asText()).isEqualTo(lease.get("fileWrittenAt").asText());
    }

    @Test
    void aFileSecretIsRemovedFromTheLiveSandboxWhenItsTtlRunsOut() throws Exception {
        String script = """
                f="$CANARY_TOKEN_FILE"
                i=0; while [ ! -r "$f" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                cat "$f" > /tmp/first && echo "first read ok"
                i=0; while [ -e "$f" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                if cat "$f" 2>/dev/null; then echo "second read succeeded"; exit 7; fi
                echo "second read failed"
                """;
        int code = run(args(catalog("file", "8s"), "60s", script));
        assertThat(code).as(err).isZero();
        assertThat(err).contains("first read ok", "second read failed").doesNotContain("second read succeeded");
        assertNoLeak();
        JsonNode lease = CanonicalJson.mapper().readTree(out).at("/credentials/0");
        Instant issued = Instant.parse(lease.get("issuedAt").asText());
        Instant removed = Instant.parse(lease.get("fileRemovedAt").asText());
        Instant ended = Instant.parse(CanonicalJson.mapper().readTree(out).at("/sandbox/endedAt").asText());
        assertThat(Duration.between(issued, removed)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(20));
        assertThat(removed).as("removed while the agent still ran").isBefore(ended);
        assertThat(lease.get("ttl").asText()).isEqualTo("PT8S");
        assertThat(lease.get("status").asText()).isEqualTo("revoked");
    }

    @Test
    void leasesAreRevokedWhenTheAgentFails() throws Exception {
        int code = run(args(catalog("file", "10m"), "60s", """
                i=0; while [ ! -r "$CANARY_TOKEN_FILE" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                echo "failing with $(cat "$CANARY_TOKEN_FILE")" >&2; exit 5
                """));
        assertThat(code).as(err).isEqualTo(ExitCodes.AGENT_FAILED);
        assertThat(err).contains("failing with ****");
        assertNoLeak();
        assertThat(assertBundleRecordsTheLeaseAndNoValue(CanonicalJson.mapper().readTree(out)).get("revokeReason").asText())
                .startsWith("step");
        JsonNode lease = CanonicalJson.mapper().readTree(out).at("/credentials/0");
        assertThat(lease.get("revoked").asBoolean()).isTrue();
        assertThat(lease.get("status").asText()).isEqualTo("revoked");
        assertThat(lease.get("fileWrittenAt").asText()).isNotBlank();
    }

    @Test
    void leasesAreRevokedWhenTheAgentRunsPastTheTimeout() throws Exception {
        int code = run(args(catalog("env", "10m"), "4s", "echo \"holding $CANARY_TOKEN\"; sleep 60"));
        assertThat(code).as(err).isEqualTo(ExitCodes.AGENT_FAILED);
        assertThat(err).contains("holding ****", "timeout");
        assertNoLeak();
        JsonNode j = CanonicalJson.mapper().readTree(out);
        assertThat(j.at("/sandbox/termination").asText()).isEqualTo("timeout");
        assertThat(j.at("/credentials/0/status").asText()).isEqualTo("revoked");
    }

    @Test
    void anIdOutsideTheProfileIsAPolicyDenialAndItsSourceIsNeverRead() throws Exception {
        List<String> a = new ArrayList<>(args(catalog("env", "10m"), "60s", "true"));
        // the denied id's source does not exist: reading it would be exit 2, not 3
        a.addAll(a.indexOf("--"), List.of("--credential", "prod-db=file:" + tmp.resolve("missing")));
        int code = run(a);
        assertThat(code).as(err).isEqualTo(ExitCodes.POLICY_DENIED);
        assertThat(err).contains("DENY credential 'prod-db' [credential.allowlist]");
        assertThat(CanonicalJson.mapper().readTree(out).get("status").asText()).isEqualTo("denied");
    }

    @Test
    void aSourceThatCannotBeReadIsAUsageErrorNamingIdAndSource() throws Exception {
        Path missing = tmp.resolve("no-such-secret");
        List<String> a = new ArrayList<>(args(catalog("env", "10m"), "60s", "true"));
        a.set(a.indexOf("canary-token=file:" + secretFile), "canary-token=file:" + missing);
        assertThat(run(a)).as(err).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("canary-token", missing.toString()).doesNotContain("\tat ");

        // a file every user can read is refused, and its content is not repeated
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run(args(catalog("env", "10m"), "60s", "true"))).as(err).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("canary-token", secretFile.toString());
        assertNoLeak();

        // too short to be masked safely: refused when leased, after the policy allowed it
        Files.writeString(secretFile, "short\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        assertThat(run(args(catalog("env", "10m"), "60s", "true"))).as(err).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("credential 'canary-token' is 5 bytes long; expected at least 8").doesNotContain("short\n");
        assertThat(CanonicalJson.mapper().readTree(out).get("exitCode").asInt()).isEqualTo(ExitCodes.USAGE);

        List<String> twice = new ArrayList<>(args(catalog("env", "10m"), "60s", "true"));
        twice.addAll(twice.indexOf("--"), List.of("--credential", "canary-token=env:HOME"));
        assertThat(run(twice)).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("already given");
    }

    /** Reads every host process's command line, repeatedly, while a run is under way (bounded: 120 s). */
    static final class ProcScan {
        record Result(boolean sawMarker, Set<String> canaryIn, int scans) {}

        private final byte[] marker;
        private final byte[] canary;
        private final Set<String> canaryIn = ConcurrentHashMap.newKeySet();
        private volatile boolean sawMarker;
        private volatile boolean stop;
        private volatile int scans;
        private final Thread thread;

        private ProcScan(String marker, String canary) {
            this.marker = marker.getBytes(StandardCharsets.UTF_8);
            this.canary = canary.getBytes(StandardCharsets.UTF_8);
            this.thread = new Thread(this::loop, "proc-scan");
            this.thread.setDaemon(true);
        }

        static ProcScan start(String marker, String canary) {
            ProcScan s = new ProcScan(marker, canary);
            s.thread.start();
            return s;
        }

        Result stop() throws InterruptedException {
            stop = true;
            thread.join(10_000);
            return new Result(sawMarker, Set.copyOf(canaryIn), scans);
        }

        private void loop() {
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!stop && System.nanoTime() < until) {
                try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                    for (Path p : procs) {
                        byte[] cmd;
                        try {
                            cmd = Files.readAllBytes(p.resolve("cmdline"));
                        } catch (IOException e) {
                            continue; // the process ended meanwhile
                        }
                        if (indexOf(cmd, marker) >= 0) {
                            sawMarker = true;
                        }
                        if (indexOf(cmd, canary) >= 0) {
                            canaryIn.add(p.getFileName() + ": " + new String(cmd, StandardCharsets.UTF_8).replace('\0', ' '));
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot list /proc", e);
                }
                scans++;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        static int indexOf(byte[] hay, byte[] needle) {
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
