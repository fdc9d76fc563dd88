package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Runs the openssl-only verification script exactly as docs/evidence.md shows it. */
class OpensslVerifyTest {
    @TempDir
    Path tmp;

    static String script() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "evidence.md"));
        int b = doc.indexOf("<!-- openssl-verify:begin -->");
        int e = doc.indexOf("<!-- openssl-verify:end -->");
        assertThat(b).as("docs/evidence.md has the openssl-verify block").isPositive();
        String block = doc.substring(b, e);
        return block.substring(block.indexOf("```sh\n") + 6, block.lastIndexOf("```"));
    }

    private record Run(int code, String out) {}

    private Run runScript(Path bundle, Path key) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script()).redirectErrorStream(true);
        pb.environment().put("B", bundle.toString());
        pb.environment().put("KEY", key.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "p256"})
    void theDocumentedOpensslScriptVerifiesOurBundlesAndRejectsTamperedOnes(String alg) throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path[] key = Fixtures.opensslKey(tmp.resolve("keys"), alg);
        Path dir;
        try (EvidenceSession ev = EvidenceSession.start(tmp.resolve("evidence"), "ossl-" + alg, ws)) {
            ev.captureBefore(CaptureLimits.defaults());
            Files.writeString(ws.resolve("README.md"), "changed\n");
            Files.writeString(ws.resolve("out.txt"), "artifact\n");
            ev.captureAfter();
            dir = ev.finish(Fixtures.ranFacts("ossl-" + alg, ExecutionClass.DELIVERY, Fixtures.profile(ExecutionClass.DELIVERY),
                    Outcome.SUCCEEDED, 0).artifact(ws.resolve("out.txt")).build(), EvidenceSigner.fromPem(key[0])).dir();
        }
        Run ok = runScript(dir, key[1]);
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("ed25519".equals(alg) ? "Signature Verified Successfully" : "Verified OK")
                .contains("evidence.json: OK").contains("patch.diff: OK").contains("artifacts/1-out.txt: OK");

        // Another key: the signature step fails.
        Path[] other = Fixtures.opensslKey(tmp.resolve("other"), alg);
        Run wrongKey = runScript(dir, other[1]);
        assertThat(wrongKey.code()).as(wrongKey.out()).isNotZero();
        assertThat(wrongKey.out()).doesNotContain("evidence.json: OK");

        // A changed file: the signature still verifies (the statement is intact) but its digest does not.
        Files.writeString(dir.resolve("patch.diff"), "replaced\n");
        Run tampered = runScript(dir, key[1]);
        assertThat(tampered.code()).isNotZero();
        assertThat(tampered.out()).contains("patch.diff: FAILED");
    }
}
