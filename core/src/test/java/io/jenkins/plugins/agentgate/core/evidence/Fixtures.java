package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.EvidencePolicy;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real git repositories, real openssl keys, and run facts for evidence tests. */
final class Fixtures {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    private Fixtures() {}

    /** Runs a real process in {@code dir}; fails the test on a non-zero exit. Returns stdout. */
    static String sh(Path dir, String... argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s failed: %s", List.of(argv), text).isZero();
        return text;
    }

    static String git(Path repo, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"));
        argv.addAll(List.of(args));
        return sh(repo, argv.toArray(String[]::new));
    }

    /** A git repository with a few committed files. */
    static Path repo(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        git(dir, "init", "-q");
        Files.writeString(dir.resolve("README.md"), "hello\nworld\n");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/App.java"), "class App {\n}\n");
        Files.write(dir.resolve("logo.bin"), new byte[] {0, 1, 2, 3, 0, 5});
        Files.writeString(dir.resolve("old.txt"), "to be deleted\n");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "initial");
        return dir;
    }

    /** An openssl-generated PKCS#8 private key and its public key; alg is ed25519 or p256. */
    static Path[] opensslKey(Path dir, String alg) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path priv = dir.resolve(alg + ".key.pem");
        Path pub = dir.resolve(alg + ".pub.pem");
        if ("ed25519".equals(alg)) {
            sh(dir, "openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
        } else {
            sh(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", priv.toString());
        }
        sh(dir, "openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        return new Path[] {priv, pub};
    }

    static SandboxProfile profile(ExecutionClass c) {
        return DefaultCatalog.get().profileFor(c).orElseThrow();
    }

    static SandboxProfile withEvidence(SandboxProfile p, boolean keepPrompt, boolean requireSignature) {
        return new SandboxProfile(p.id(), p.version(), p.description(), p.image(), p.network(), p.filesystem(), p.tools(),
                p.credentials(), p.limits(), p.approval(), p.rollback(), new EvidencePolicy(keepPrompt, requireSignature));
    }

    /** Facts of a run that reached the sandbox, every field filled. */
    static RunFacts.Builder ranFacts(String runId, ExecutionClass c, SandboxProfile p, Outcome o, Integer exit) {
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        return RunFacts.builder(runId, c)
                .profile(p)
                .prompt("Fix the failing test in App.java")
                .model("claude-sonnet-4", Map.of("temperature", 0.2, "maxTokens", 4096))
                .image("registry.local/agents/claude:1.0", DIGEST)
                .agentgateVersion("0.1.0-test")
                .dockerVersion("26.1.5")
                .agentMetadata(new AgentMetadata(true, ".agentgate/metadata.json", Map.of("agent", "claude-code"), null))
                .decisions(List.of(Decision.allow("tool", "git", "tool.allowlist", "git is allowed"),
                        Decision.allow("network", "none", "network.none", "no network requested")))
                .runtimeDenial(new RuntimeDenial(t0.plusSeconds(5), "network", "203.0.113.7:443", "network.none",
                        "connect refused: the profile allows no network"))
                .approvals(List.of(new ApprovalRecord("alice", "owner", "approved", t0.minusSeconds(60), "sha256:" + "cd".repeat(32), null),
                        new ApprovalRecord("bob", "release-manager", "approved", t0.minusSeconds(30), "sha256:" + "cd".repeat(32), "ok")))
                .approvalsRequired(c == ExecutionClass.PRIVILEGED ? 2 : c == ExecutionClass.DELIVERY ? 1 : 0)
                .started(t0)
                .ended(t0.plusSeconds(42))
                .phase("sandbox", 40_000)
                .exitCode(exit)
                .outcome(o, o == Outcome.SUCCEEDED ? "agent exited 0" : o == Outcome.TIMEOUT ? "wall timeout 30m reached; container killed" : "agent exited " + exit);
    }
}
