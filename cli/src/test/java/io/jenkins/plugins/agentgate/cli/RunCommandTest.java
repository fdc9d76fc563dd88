package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    Path tmp;
    Path ws;
    Path task;
    String out;
    String err;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @BeforeEach
    void files() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.txt"), "alpha\n");
        SandboxEscapeTest.own(ws);
        task = Files.writeString(tmp.resolve("task.md"), "Count the files.\n");
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty("agentgate.docker");
    }

    int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = AgentGateCli.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    List<String> base(String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--class", "draft", "--task", task.toString(), "--workspace", ws.toString(),
                "--image", DockerEngine.TEST_IMAGE, "--timeout", "60s"));
        if (!List.of(more).contains("--evidence-dir")) {
            // never the default ./agentgate-evidence: that would be the module directory
            a.addAll(List.of("--evidence-dir", tmp.resolve("evidence").toString()));
        }
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aSucceedingAgentExitsZeroWithProgressAndSummary() {
        int code = run(base("--", "sh", "-c", "cat \"$AGENTGATE_TASK_FILE\"; ls /workspace").toArray(String[]::new));
        assertThat(code).as(err).isZero();
        assertThat(out).contains("Count the files.", "a.txt");
        assertThat(err).contains("] policy", "] sandbox-start", "] agent-running", "] agent-done", "] cleanup", "] evidence",
                "succeeded | profile draft-default", "| exit 0");
    }

    @Test
    void jsonOutputIsMachineReadableAndAgentOutputMovesToStderr() throws Exception {
        Path evidence = tmp.resolve("evidence");
        int code = run(base("--json", "--evidence-dir", evidence.toString(), "--", "sh", "-c", "echo from-agent; exit 4")
                .toArray(String[]::new));
        assertThat(code).isEqualTo(ExitCodes.AGENT_FAILED);
        JsonNode j = CanonicalJson.mapper().readTree(out);
        assertThat(j.get("status").asText()).isEqualTo("agent-failed");
        assertThat(j.get("exitCode").asInt()).isEqualTo(1);
        assertThat(j.at("/sandbox/exitCode").asInt()).isEqualTo(4);
        assertThat(j.at("/sandbox/termination").asText()).isEqualTo("exited");
        assertThat(j.at("/sandbox/imageId").asText()).startsWith("sha256:");
        assertThat(j.at("/sandbox/engineVersion").asText()).isNotBlank();
        assertThat(j.get("policyHash").asText()).isNotBlank();
        assertThat(j.get("decisions").isArray()).isTrue();
        assertThat(out.lines()).doesNotContain("from-agent");
        assertThat(err.lines()).contains("from-agent");
        assertThat(evidence).isDirectory();
        assertThat(Path.of(j.get("evidence").asText())).isDirectory().hasParent(evidence.toRealPath());
    }

    @Test
    void optionsAfterTheCommandBelongToTheAgent() {
        List<String> a = base();
        a.addAll(List.of("echo", "--json", "--class", "privileged"));
        int code = run(a.toArray(String[]::new));
        assertThat(code).as(err).isZero();
        assertThat(out.lines()).contains("--json --class privileged");
        assertThat(err).contains("profile draft-default");
    }

    @Test
    void aDeniedRequestExitsThreeAndNamesTheRule() {
        int code = run(base("--tool", "curl", "--", "true").toArray(String[]::new));
        assertThat(code).isEqualTo(ExitCodes.POLICY_DENIED);
        assertThat(err).contains("DENY tool 'curl' [tool.allowlist]");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("run", "--class", "draft", "--task", task.toString(), "--timeout", "soon", "--", "true")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("duration 'soon' is not valid");
        assertThat(run("run", "--class", "draft", "--task", tmp.resolve("missing.md").toString(), "--", "true")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("missing.md").contains("cannot be read");
        assertThat(run("run", "--class", "draft", "--task", task.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(run(base("--evidence-dir", ws.resolve("ev").toString(), "--", "true").toArray(String[]::new))).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("inside the workspace");
    }

    @Test
    void aMissingDockerClientIsOneLineAndExitSix() {
        System.setProperty("agentgate.docker", "/nonexistent/agentgate/docker");
        int code = run(base("--", "true").toArray(String[]::new));
        assertThat(code).isEqualTo(ExitCodes.RUNTIME_ERROR);
        assertThat(err).contains("cannot run the docker client '/nonexistent/agentgate/docker'").doesNotContain("\tat ", "Exception");
    }

    @Test
    void aDaemonThatIsNotRunningIsOneLineAndExitSix() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), AgentGateCli.class.getName()));
        argv.addAll(base("--", "true"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", "unix://" + tmp.resolve("no-daemon.sock"));
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isEqualTo(ExitCodes.RUNTIME_ERROR);
        assertThat(text).contains("the Docker daemon is not reachable").doesNotContain("\tat ", "Exception");
        assertThat(text.lines().filter(l -> l.contains("not reachable")).count()).isEqualTo(2); // progress line + summary
    }
}
