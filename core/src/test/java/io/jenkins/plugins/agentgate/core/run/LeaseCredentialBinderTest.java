package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.credentials.LeaseStatus;
import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.MountValidator;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binder's wiring into the orchestrator, with a scripted docker client (pure logic): env values reach the
 * client's environment and never its argv, output and every message are masked, lease records reach the
 * outcome, leases are revoked on every path. The real engine runs the same paths in the cli's CredentialRunTest.
 */
class LeaseCredentialBinderTest {
    static final String SECRET = "s3cr3t-Canary/value+42";

    @TempDir
    Path tmp;
    final List<Command> commands = new java.util.concurrent.CopyOnWriteArrayList<>();
    int startExit;
    volatile Map<String, String> containerEnv = Map.of();

    final CommandRunner docker = (Command c, OutputStream out, OutputStream err, Duration timeout) -> {
        commands.add(c);
        String sub = c.argv().get(1).equals("container") || c.argv().get(1).equals("image") ? c.argv().get(1) + " " + c.argv().get(2)
                : c.argv().get(1);
        if (sub.equals("create")) {
            containerEnv = c.environment(); // docker create -e NAME takes the value from the client's environment
        }
        String token = String.valueOf(containerEnv.get("CANARY_TOKEN"));
        String answer = switch (sub) {
            case "version" -> "20.10.24\n";
            case "image inspect" -> "sha256:" + "b".repeat(64) + " []\n";
            case "create" -> "c".repeat(64) + "\n";
            // the "agent" prints what it got in its environment, raw and base64
            case "start" -> "token " + token + " b64 " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)) + "\n";
            default -> "";
        };
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        return new CommandResult(sub.equals("start") ? startExit : 0, false, Duration.ofMillis(1));
    };

    static final SecretSource SOURCE = new SecretSource() {
        @Override
        public SecretValue resolve(String id) throws SecretSourceException {
            if (!id.equals("canary-token")) {
                throw new SecretSourceException(id, "credential '" + id + "' is not configured in the test source");
            }
            return SecretValue.ofOwned(SECRET.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Set<String> ids() {
            return Set.of("canary-token");
        }
    };

    ProfileCatalog catalog() throws Exception {
        return CatalogParser.parse("test.yaml", """
                apiVersion: agentgate/v1
                classes:
                  draft: cred
                profiles:
                  - id: cred
                    version: 1
                    image:
                      allowed: ["agentgate-example/*"]
                    credentials:
                      allowed: [canary-token, other-token]
                      maxTtl: 10m
                      injection: [env]
                """);
    }

    record Run(RunOutcome outcome, String output, List<String> progress) {}

    Run run(LeaseCredentialBinder binder, EvidenceRecorder evidence, String... ids) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunRequest.Builder req = RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-example/busybox:1");
        for (String id : ids) {
            req.credential(CredentialRequest.of(id));
        }
        RunOutcome o = GovernedRun.builder(new DockerSandbox(docker)).specs(new SandboxSpecs(new MountValidator(List.of()))).scratch(tmp)
                .credentials(binder).evidence(evidence).listener((phase, message) -> progress.add(phase + " " + message)).build()
                .execute(new RunInput(catalog(), req.build(), "task", ws, List.of("agent"), out));
        return new Run(o, out.toString(StandardCharsets.UTF_8), progress);
    }

    @Test
    void envSecretsTravelInTheClientEnvironmentAreMaskedAndRevoked() throws Exception {
        List<String> seenByEvidence = new ArrayList<>();
        EvidenceRecorder evidence = outcome -> {
            seenByEvidence.add(outcome.credentials().mask("evidence text " + SECRET));
            seenByEvidence.add(outcome.credentials().leases().get(0).status().id());
            throw new IllegalStateException("disk full while writing " + SECRET);
        };
        Run r = run(new LeaseCredentialBinder(SOURCE, Clock.systemUTC()), evidence, "canary-token");

        Command create = commands.stream().filter(c -> c.argv().get(1).equals("create")).findFirst().orElseThrow();
        assertThat(create.environment()).containsEntry("CANARY_TOKEN", SECRET);
        assertThat(create.argv()).contains("CANARY_TOKEN").noneMatch(a -> a.contains(SECRET));
        assertThat(commands).allSatisfy(c -> assertThat(String.join(" ", c.argv())).doesNotContain(SECRET));

        assertThat(r.output()).startsWith("token **** b64 ****").doesNotContain(SECRET);
        assertThat(seenByEvidence).containsExactly("evidence text ****", "revoked");
        assertThat(r.outcome().status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(r.outcome().message()).isEqualTo("evidence could not be recorded: disk full while writing ****");
        assertThat(r.progress()).anyMatch(l -> l.startsWith("DONE") && l.contains("disk full while writing ****"))
                .noneMatch(l -> l.contains(SECRET));

        LeaseRecord lease = r.outcome().credentials().leases().get(0);
        assertThat(lease.credentialId()).isEqualTo("canary-token");
        assertThat(lease.mode()).isEqualTo(InjectionMode.ENV);
        assertThat(lease.target()).isEqualTo("CANARY_TOKEN");
        assertThat(lease.status()).isEqualTo(LeaseStatus.REVOKED);
        assertThat(lease.revokeReason()).isEqualTo("step end");
        assertThat(lease.fingerprint()).startsWith("hmac-sha256:");
        assertThat(r.outcome().credentials().toString()).doesNotContain(SECRET);
    }

    @Test
    void leasesAreRevokedWhenTheAgentFails() throws Exception {
        startExit = 3;
        // exit 3 is followed by "container inspect" (scripted: empty answer), so the run is a runtime error
        Run r = run(new LeaseCredentialBinder(SOURCE, Clock.systemUTC()), EvidenceRecorder.NONE, "canary-token");
        assertThat(r.outcome().status()).isNotEqualTo(RunStatus.SUCCEEDED);
        assertThat(r.outcome().credentials().leases()).singleElement().satisfies(l -> {
            assertThat(l.revoked()).isTrue();
            assertThat(l.status()).isEqualTo(LeaseStatus.REVOKED);
        });
    }

    @Test
    void aSourceThatCannotResolveStopsTheRunBeforeTheSandboxAndIsReported() throws Exception {
        LeaseCredentialBinder binder = new LeaseCredentialBinder(SOURCE, Clock.systemUTC());
        Run r = run(binder, EvidenceRecorder.NONE, "canary-token", "other-token");
        assertThat(r.outcome().status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(r.outcome().sandbox()).isNull();
        assertThat(r.outcome().message()).contains("credential 'other-token' is not configured in the test source");
        assertThat(binder.leaseFailure()).hasValueSatisfying(e -> assertThat(e.credentialId()).isEqualTo("other-token"));
        assertThat(commands).noneMatch(c -> c.argv().get(1).equals("create"));
    }

    @Test
    void aRunWithoutCredentialsLeasesNothing() throws Exception {
        LeaseCredentialBinder binder = new LeaseCredentialBinder(SOURCE, Clock.systemUTC());
        Run r = run(binder, EvidenceRecorder.NONE);
        assertThat(r.outcome().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(r.outcome().credentials().leases()).isEmpty();
        assertThat(binder.leaseFailure()).isEmpty();
        assertThat(Map.copyOf(commands.stream().filter(c -> c.argv().get(1).equals("create")).findFirst().orElseThrow().environment()))
                .doesNotContainKey("CANARY_TOKEN");
    }
}
