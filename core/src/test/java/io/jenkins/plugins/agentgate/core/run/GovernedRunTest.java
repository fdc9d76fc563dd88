package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.MountValidator;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestration logic: seam order, evidence for every outcome, revocation after failures. The docker
 * client is scripted here (pure logic); the real engine runs the same paths in the cli module's tests.
 */
class GovernedRunTest {
    @TempDir
    Path tmp;
    final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    boolean failStart;

    /** Answers like a docker client; records each subcommand. */
    final CommandRunner docker = (Command c, OutputStream out, OutputStream err, Duration timeout) -> {
        String sub = c.argv().get(1).equals("container") || c.argv().get(1).equals("image") ? c.argv().get(1) + " " + c.argv().get(2)
                : c.argv().get(1);
        log.add("docker " + sub);
        String answer = switch (sub) {
            case "version" -> "20.10.24\n";
            case "image inspect" -> "sha256:" + "b".repeat(64) + " []\n";
            case "create" -> "c".repeat(64) + "\n";
            case "start" -> "agent output\n";
            default -> "";
        };
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        return new CommandResult(sub.equals("start") && failStart ? 1 : 0, false, Duration.ofMillis(1));
    };

    GovernedRun.Builder builder() {
        return GovernedRun.builder(new DockerSandbox(docker)).specs(new SandboxSpecs(new MountValidator(List.of()))).scratch(tmp)
                .approvals(ctx -> {
                    log.add("approval");
                    return Approval.notRequired();
                })
                .evidence(new EvidenceRecorder() {
                    @Override
                    public void beforeSandbox(RunContext ctx) {
                        log.add("evidence.before");
                    }

                    @Override
                    public String record(RunOutcome outcome) {
                        log.add("evidence.record " + outcome.status().id());
                        return "bundle";
                    }
                })
                .credentials(ctx -> new CredentialBinding() {
                    @Override
                    public SandboxSpec apply(SandboxSpec spec) {
                        log.add("credentials.apply");
                        return spec;
                    }

                    @Override
                    public void created(SandboxSession session) {
                        log.add("credentials.created");
                    }

                    @Override
                    public void close() {
                        log.add("credentials.revoke");
                    }
                });
    }

    RunOutcome run(GovernedRun r, RunRequest request) throws IOException {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        return r.execute(new RunInput(DefaultCatalog.get(), request, "task", ws, List.of("agent"), new ByteArrayOutputStream()));
    }

    static RunRequest.Builder draft() {
        return RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-example/busybox:1");
    }

    @Test
    void seamsRunInOrderAndEvidenceComesLast() throws Exception {
        RunOutcome o = run(builder().build(), draft().build());
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(o.evidence()).isEqualTo("bundle");
        List<String> seams = log.stream().filter(l -> !l.startsWith("docker version") && !l.startsWith("docker image")
                && !l.startsWith("docker ps")).toList();
        assertThat(seams).containsExactly("approval", "evidence.before", "credentials.apply", "docker create", "credentials.created",
                "docker start", "docker rm", "credentials.revoke", "evidence.record succeeded");
        assertThat(o.sandbox().imageId()).isEqualTo("sha256:" + "b".repeat(64));
        assertThat(o.sandbox().engineVersion()).isEqualTo("20.10.24");
    }

    @Test
    void aDenialRecordsEvidenceAndTouchesNothingElse() throws Exception {
        RunOutcome o = run(builder().build(), draft().image("--privileged").build());
        assertThat(o.status()).isEqualTo(RunStatus.DENIED);
        assertThat(o.sandbox()).isNull();
        assertThat(log).containsExactly("evidence.record denied");
    }

    @Test
    void aRefusedApprovalStopsBeforeTheSandbox() throws Exception {
        RunOutcome o = run(builder().approvals(ctx -> Approval.refused("owner approval missing")).build(), draft().build());
        assertThat(o.status()).isEqualTo(RunStatus.APPROVAL_REFUSED);
        assertThat(o.message()).isEqualTo("owner approval missing");
        assertThat(log).noneMatch(l -> l.startsWith("docker create") || l.startsWith("credentials"))
                .contains("evidence.record approval-refused");
    }

    @Test
    void credentialsAreRevokedWhenTheSandboxFailsAndTheOutcomeIsStillRecorded() throws Exception {
        failStart = true;
        // start exits 1 and inspect answers nothing usable: the engine lost the container
        RunOutcome o = run(builder().build(), draft().build());
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(log).containsSubsequence("docker start", "docker container inspect", "docker rm", "credentials.revoke",
                "evidence.record runtime-error");
    }

    @Test
    void withoutABrokerAPlanThatGrantsCredentialsIsRefusedNotRunWithoutThem() throws Exception {
        var plan = new io.jenkins.plugins.agentgate.core.policy.PolicyEngine().decide(DefaultCatalog.get(), draft().build()).plan();
        var granted = new io.jenkins.plugins.agentgate.core.policy.RunPlan(plan.executionClass(), plan.classProfile(), plan.effective(),
                plan.image(), List.of(new io.jenkins.plugins.agentgate.core.policy.CredentialGrant("token", Duration.ofMinutes(5),
                io.jenkins.plugins.agentgate.core.execution.InjectionMode.ENV)), plan.requester());
        RunContext ctx = new RunContext("r1", draft().build(), null, granted, "t", "h", tmp, List.of("agent"), java.time.Instant.now());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CredentialBinder.NONE.bind(ctx))
                .hasMessageContaining("grants credentials [token] but no credential broker is configured");
        RunContext none = new RunContext("r1", draft().build(), null, plan, "t", "h", tmp, List.of("agent"), java.time.Instant.now());
        CredentialBinder.NONE.bind(none).close();
    }

    @Test
    void theScratchDirectoryMayNotBeInsideTheWorkspace() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        RunOutcome o = builder().scratch(ws).build().execute(new RunInput(DefaultCatalog.get(), draft().build(), "t", ws,
                List.of("agent"), new ByteArrayOutputStream()));
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.message()).contains("inside the workspace");
        assertThat(log).noneMatch(l -> l.startsWith("docker create"));
    }
}
