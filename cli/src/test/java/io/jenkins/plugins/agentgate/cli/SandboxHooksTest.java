package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.run.Approval;
import io.jenkins.plugins.agentgate.core.run.CredentialBinding;
import io.jenkins.plugins.agentgate.core.run.EvidenceRecorder;
import io.jenkins.plugins.agentgate.core.run.GovernedRun;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.core.run.RunInput;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.ExecResult;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seams other modules plug into, exercised on the real engine: secrets by env and by exec'd file, masking, evidence. */
class SandboxHooksTest {
    static final String SECRET = "s3cr3t-VALUE-9d2f";
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    Path workspace() throws IOException {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        SandboxEscapeTest.own(ws);
        return ws;
    }

    @Test
    void secretsArriveByEnvironmentAndByExecdFileNeverByArgvAndOutputCanBeMasked() throws Exception {
        List<String> argvSeen = new ArrayList<>();
        ProcessCommandRunner real = new ProcessCommandRunner();
        List<CompletableFuture<ExecResult>> writes = new ArrayList<>();
        CredentialBinding binding = new CredentialBinding() {
            @Override
            public SandboxSpec apply(SandboxSpec spec) {
                return spec.withSecretEnv(Map.of("API_TOKEN", SECRET));
            }

            @Override
            public void created(SandboxSession session) {
                writes.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        if (!session.awaitRunning(Duration.ofSeconds(30))) {
                            throw new IllegalStateException("container never ran");
                        }
                        return session.exec(List.of("sh", "-c", "umask 077; cat > " + SandboxSpec.SECRETS_DIR + "/token"),
                                SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }

            @Override
            public UnaryOperator<OutputStream> outputFilter() {
                return out -> new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(new String(b, off, len, StandardCharsets.UTF_8).replace(SECRET, "****").getBytes(StandardCharsets.UTF_8));
                    }
                };
            }

            @Override
            public void close() {}
        };
        List<RunOutcome> recorded = new ArrayList<>();
        EvidenceRecorder evidence = outcome -> {
            recorded.add(outcome);
            return "evidence-ref";
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome o = GovernedRun.builder(new DockerSandbox((c, so, se, t) -> {
                    synchronized (argvSeen) {
                        argvSeen.addAll(c.argv());
                    }
                    return real.run(c, so, se, t);
                }))
                .credentials(ctx -> binding).evidence(evidence).scratch(tmp).build()
                .execute(new RunInput(DefaultCatalog.get(), RunRequest.builder(ExecutionClass.DRAFT).image(DockerEngine.TEST_IMAGE)
                        .timeout(Duration.ofSeconds(60)).build(), "use the token", workspace(),
                        List.of("sh", "-c", "echo env=$API_TOKEN; i=0; while [ ! -s /run/agentgate/secrets/token ] && [ $i -lt 100 ]; do"
                                + " sleep 0.1; i=$((i+1)); done; echo file=$(cat /run/agentgate/secrets/token);"
                                + " ls -ld /run/agentgate/secrets; touch /run/agentgate/secrets/x && echo writable"), out));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(o.status()).as(text + o.message()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(writes.get(0).get().exitCode()).isZero();
        assertThat(text).contains("env=****", "file=****", "writable").doesNotContain(SECRET)
                .containsPattern("drwx------ +2 (agent|1000) +(agent|1000)");
        assertThat(argvSeen).noneMatch(a -> a.contains(SECRET)).contains("API_TOKEN");
        assertThat(recorded).hasSize(1);
        assertThat(o.evidence()).isEqualTo("evidence-ref");
    }

    @Test
    void everyOutcomeIsRecordedIncludingDenialRefusalAndRuntimeError() throws Exception {
        List<RunStatus> recorded = new ArrayList<>();
        EvidenceRecorder evidence = outcome -> {
            recorded.add(outcome.status());
            return null;
        };
        Path ws = workspace();
        RunRequest ok = RunRequest.builder(ExecutionClass.DRAFT).image(DockerEngine.TEST_IMAGE).timeout(Duration.ofSeconds(60)).build();
        RunRequest denied = RunRequest.builder(ExecutionClass.DRAFT).image(DockerEngine.TEST_IMAGE).tools(List.of("curl")).build();
        RunRequest missingImage = RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-test/does-not-exist:0").build();
        GovernedRun run = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).evidence(evidence).scratch(tmp).build();
        GovernedRun refusing = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).evidence(evidence).scratch(tmp)
                .approvals((RunContext ctx) -> Approval.refused("no owner approval for " + ctx.runId())).build();
        List<String> cmd = List.of("sh", "-c", "exit 3");
        assertThat(run.execute(new RunInput(DefaultCatalog.get(), ok, "t", ws, cmd, new ByteArrayOutputStream())).status())
                .isEqualTo(RunStatus.AGENT_FAILED);
        assertThat(run.execute(new RunInput(DefaultCatalog.get(), denied, "t", ws, cmd, new ByteArrayOutputStream())).status())
                .isEqualTo(RunStatus.DENIED);
        RunOutcome noImage = run.execute(new RunInput(DefaultCatalog.get(), missingImage, "t", ws, cmd, new ByteArrayOutputStream()));
        assertThat(noImage.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(noImage.message()).contains("agentgate-test/does-not-exist:0", "runs never pull");
        assertThat(refusing.execute(new RunInput(DefaultCatalog.get(), ok, "t", ws, cmd, new ByteArrayOutputStream())).status())
                .isEqualTo(RunStatus.APPROVAL_REFUSED);
        assertThat(recorded).containsExactly(RunStatus.AGENT_FAILED, RunStatus.DENIED, RunStatus.RUNTIME_ERROR, RunStatus.APPROVAL_REFUSED);

        GovernedRun failingEvidence = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).scratch(tmp)
                .evidence(outcome -> {
                    throw new IOException("disk full");
                }).build();
        RunOutcome f = failingEvidence.execute(new RunInput(DefaultCatalog.get(), ok, "t", ws, List.of("true"), new ByteArrayOutputStream()));
        assertThat(f.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(f.message()).contains("evidence could not be recorded: disk full");
    }
}
