package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.Rules;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.run.GovernedRun;
import io.jenkins.plugins.agentgate.core.run.RunInput;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.Termination;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escape and abuse attempts against the real sandbox: each test fails if the attempt gets through.
 * Network tests only target listeners this test opens on the host loopback.
 */
class SandboxEscapeTest {
    @TempDir
    Path tmp;
    Path ws;
    String output;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @BeforeEach
    void workspace() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve(".git"));
        Files.writeString(ws.resolve(".git/config"), "[core]\n");
        Files.writeString(ws.resolve("Jenkinsfile"), "pipeline {}\n");
        Files.writeString(ws.resolve("README.md"), "hello\n");
        own(ws);
    }

    /** The agent runs as the workspace owner; give a root-created workspace to an ordinary uid, as Jenkins agents have. */
    static void own(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setAttribute(p, "unix:uid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    RunOutcome run(RunRequest.Builder request, String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome o = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).scratch(tmp).build()
                .execute(new RunInput(DefaultCatalog.get(), request.build(), "escape test", ws, List.of("sh", "-c", script), out));
        output = out.toString(StandardCharsets.UTF_8);
        return o;
    }

    RunOutcome run(String script) {
        return run(draft(), script);
    }

    static RunRequest.Builder draft() {
        return RunRequest.builder(ExecutionClass.DRAFT).image(DockerEngine.TEST_IMAGE).timeout(Duration.ofSeconds(60));
    }

    @Test
    void writesOutsideTheWorkspaceFailAndTmpIsNotExecutable() {
        RunOutcome o = run("for f in /x /etc/x /bin/x /usr/x /home/agent/x /run/x; do touch $f 2>/dev/null && echo ESCAPED $f; done;"
                + " cp /bin/busybox /tmp/bb && /tmp/bb true 2>/dev/null && echo ESCAPED exec-tmp;"
                + " echo ok > /workspace/result.txt && echo wrote-workspace");
        assertThat(o.status()).as(output).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).doesNotContain("ESCAPED").contains("wrote-workspace");
        assertThat(ws.resolve("result.txt")).hasContent("ok");
        assertThat(o.sandbox().removed()).isTrue();
    }

    @Test
    void protectedPathsStayUnchangedInAWritableWorkspace() throws IOException {
        RunOutcome o = run("echo evil >> /workspace/Jenkinsfile; echo evil > /workspace/.git/config; rm -rf /workspace/.git;"
                + " mv /workspace/Jenkinsfile /workspace/J2; touch /workspace/.git/hooks-pre; echo notes > /workspace/notes.txt; true");
        assertThat(o.status()).as(output).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(ws.resolve("Jenkinsfile")).hasContent("pipeline {}");
        assertThat(ws.resolve(".git/config")).hasContent("[core]");
        assertThat(ws.resolve(".git/hooks-pre")).doesNotExist();
        assertThat(ws.resolve("J2")).doesNotExist();
        assertThat(ws.resolve("notes.txt")).hasContent("notes");
    }

    @Test
    void creatingAProtectedPathThatDidNotExistFailsTheRun() {
        // .github and .ci are absent: they cannot be mounted read-only, so the run checks them afterwards.
        RunOutcome o = run("mkdir -p /workspace/.github/workflows && echo evil > /workspace/.github/workflows/x.yml; echo notes > /workspace/notes.txt");
        assertThat(o.status()).as(output).isEqualTo(RunStatus.AGENT_FAILED);
        assertThat(o.message()).contains("created protected path(s) [.github]");
        assertThat(run("echo notes > /workspace/notes.txt").status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aReadOnlyWorkspaceCannotBeWritten() {
        RunOutcome o = run(draft().workspace(io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess.READ_ONLY),
                "echo x > /workspace/new.txt 2>/dev/null && echo ESCAPED; rm /workspace/README.md 2>/dev/null && echo ESCAPED; cat /workspace/README.md");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).doesNotContain("ESCAPED").contains("hello");
        assertThat(ws.resolve("new.txt")).doesNotExist();
    }

    @Test
    void hostFilesThatWereNotMountedCannotBeRead() throws IOException {
        Path secret = Files.writeString(tmp.resolve("host-secret.txt"), "HOST-ONLY-MARKER-1f3a");
        RunOutcome o = run("cat " + secret + " 2>&1; find / \\( -path /proc -o -path /sys \\) -prune -o -type f -name host-secret.txt -print"
                + " 2>/dev/null; echo end");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).contains("end", "No such file").doesNotContain("HOST-ONLY-MARKER-1f3a").doesNotContain("/host-secret.txt\n");
    }

    @Test
    void aSymlinkInTheWorkspaceCannotReachOrChangeHostFiles() throws IOException {
        Path hostFile = Files.writeString(tmp.resolve("outside.txt"), "OUTSIDE-MARKER-77");
        Files.createSymbolicLink(ws.resolve("abs-link"), hostFile);
        Files.createSymbolicLink(ws.resolve("rel-link"), ws.relativize(hostFile));
        RunOutcome o = run("cat /workspace/abs-link /workspace/rel-link 2>&1; echo pwned > /workspace/abs-link 2>/dev/null;"
                + " echo pwned > /workspace/rel-link 2>/dev/null; echo end");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).contains("end").doesNotContain("OUTSIDE-MARKER-77");
        assertThat(hostFile).hasContent("OUTSIDE-MARKER-77");
    }

    @Test
    void noNetworkReachesHostListenersOverTcpUdpOrDns() throws Exception {
        AtomicBoolean udpReceived = new AtomicBoolean();
        AtomicBoolean tcpAccepted = new AtomicBoolean();
        try (ServerSocket tcp = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            tcp.setSoTimeout(200);
            udp.setSoTimeout(200);
            Thread listen = new Thread(() -> {
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < until && !Thread.currentThread().isInterrupted()) {
                    try (var s = tcp.accept()) {
                        tcpAccepted.set(true);
                    } catch (IOException e) {
                        // timeout: poll again
                    }
                    try {
                        udp.receive(new DatagramPacket(new byte[64], 64));
                        udpReceived.set(true);
                    } catch (SocketTimeoutException e) {
                        // poll again
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            listen.start();
            RunOutcome o = run("ls /sys/class/net; echo ping | nc -w 2 127.0.0.1 " + tcp.getLocalPort() + " && echo ESCAPED tcp;"
                    + " echo ping | nc -u -w 1 127.0.0.1 " + udp.getLocalPort() + ";"
                    + " nslookup agentgate-test.invalid 2>&1 | grep -q 'Address.*[0-9]' && echo ESCAPED dns; echo end");
            listen.interrupt();
            listen.join(5000);
            assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(output).contains("end").doesNotContain("ESCAPED");
            assertThat(output.lines().takeWhile(l -> !l.startsWith("end")).filter(l -> l.matches("[a-z0-9]+")).toList())
                    .as("interfaces").containsExactly("lo");
            assertThat(tcpAccepted).isFalse();
            assertThat(udpReceived).isFalse();
        }
    }

    @Test
    void setuidBinariesDoNotGrantRoot() {
        RunOutcome o = run("cat /root/secret 2>/dev/null && echo ESCAPED read;"
                + " /usr/local/bin/su -c 'id -u; cat /root/secret' root 2>&1; id -u; echo end");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).contains("end").doesNotContain("ESCAPED").doesNotContain("root-only secret");
        assertThat(output.lines().filter(l -> l.equals("0")).toList()).as("uid 0 never appears").isEmpty();
    }

    @Test
    void theDockerSocketIsNotReachable() {
        RunOutcome o = run("for s in /var/run/docker.sock /run/docker.sock /run/containerd/containerd.sock; do"
                + " [ -e $s ] && echo ESCAPED $s; done; grep -c CapEff /proc/self/status; grep CapEff /proc/self/status; echo end");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(output).contains("end", "CapEff:\t0000000000000000").doesNotContain("ESCAPED");
    }

    @Test
    void aWorkspaceExposingTheDockerSocketIsRefused() throws IOException {
        Path runDir = Path.of("/var/run");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome o = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).scratch(tmp).build()
                .execute(new RunInput(DefaultCatalog.get(), draft().build(), "t", runDir, List.of("true"), out));
        if (Files.exists(Path.of("/var/run/docker.sock"))) {
            assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
            assertThat(o.message()).contains("container engine socket");
            assertThat(o.sandbox()).isNull();
        }
    }

    @Test
    void aForkBombHitsThePidsLimit() {
        // The bomb runs in a subshell that dies at the limit; the outer shell counts processes with builtins only.
        RunOutcome o = run(draft().pids(32).timeout(Duration.ofSeconds(60)),
                "( i=0; while [ $i -lt 200 ]; do i=$((i+1)); sleep 20 & done ); set -- /proc/[0-9]*; echo running=$#; echo end");
        assertThat(o.sandbox()).isNotNull();
        assertThat(output).contains("can't fork").contains("end");
        int running = Integer.parseInt(output.lines().filter(l -> l.startsWith("running=")).findFirst().orElseThrow().substring(8).strip());
        assertThat(running).isLessThanOrEqualTo(32);
        assertThat(o.sandbox().removed()).isTrue();
    }

    @Test
    void aMemoryBombIsKilledAndReportedAsSuch() {
        RunOutcome o = run(draft().memoryBytes(32L << 20), "x=a; i=0; while [ $i -lt 40 ]; do x=\"$x$x\"; i=$((i+1)); done; echo SURVIVED");
        assertThat(output).doesNotContain("SURVIVED");
        assertThat(o.sandbox().termination()).isEqualTo(Termination.OOM_KILLED);
        assertThat(o.status()).isEqualTo(RunStatus.AGENT_FAILED);
        assertThat(o.message()).contains("memory limit");
    }

    @Test
    void anOutputFloodIsCapped() {
        RunOutcome o = run(draft().maxOutputBytes(1000L), "yes 0123456789 | head -c 5000000; echo");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(o.sandbox().truncated()).isTrue();
        assertThat(o.sandbox().outputBytesKept()).isEqualTo(1000);
        assertThat(o.sandbox().outputBytesSeen()).isEqualTo(5000001);
        assertThat(output.length()).isLessThan(1200);
    }

    @Test
    void runningPastTheTimeoutIsKilledAndTheContainerIsGone() throws IOException {
        long t0 = System.nanoTime();
        RunOutcome o = run(draft().timeout(Duration.ofSeconds(3)), "echo started; sleep 60; echo SURVIVED");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(o.sandbox().termination()).isEqualTo(Termination.TIMEOUT);
        assertThat(o.status()).isEqualTo(RunStatus.AGENT_FAILED);
        assertThat(output).contains("started").doesNotContain("SURVIVED");
        assertThat(o.sandbox().removed()).isTrue();
        assertThat(DockerEngine.containersOfRun(Map.of(), o.runId())).isEmpty();
    }

    @Test
    void anInterruptedRunRemovesItsContainer() throws Exception {
        java.util.concurrent.atomic.AtomicReference<RunOutcome> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = new Thread(() -> result.set(run("echo started; sleep 60; echo SURVIVED")));
        runner.start();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (DockerEngine.docker(Map.of(), "docker", "ps", "-q", "--filter", "label=io.jenkins.agentgate.run-id", "--filter",
                "volume=" + ws.toRealPath()).stdout().isBlank() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        runner.interrupt();
        runner.join(60_000);
        RunOutcome o = result.get();
        assertThat(o.sandbox().termination()).isEqualTo(Termination.INTERRUPTED);
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.sandbox().removed()).isTrue();
        assertThat(DockerEngine.containersOfRun(Map.of(), o.runId())).isEmpty();
        assertThat(output).doesNotContain("SURVIVED");
    }

    @Test
    void injectionThroughTaskTextCommandArgumentsToolsAndImageNamesGoesNowhere() throws IOException {
        String task = "$(touch /workspace/PWNED) `id` \"; --privileged\n-v /:/host";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome o = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner())).scratch(tmp).build()
                .execute(new RunInput(DefaultCatalog.get(), draft().build(), task, ws,
                        List.of("sh", "-c", "cat \"$AGENTGATE_TASK_FILE\"; echo; echo \"$@\"; grep CapEff /proc/self/status", "agent",
                                "--privileged", "-v", "/:/host", "--network=host"), out));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(text).contains(task).contains("--privileged -v /:/host --network=host").contains("CapEff:\t0000000000000000");
        assertThat(ws.resolve("PWNED")).doesNotExist();

        RunOutcome badImage = run(draft().image("--privileged"), "true");
        assertThat(badImage.status()).isEqualTo(RunStatus.DENIED);
        assertThat(badImage.policy().denials()).anyMatch(d -> d.ruleId().equals(Rules.IMAGE_VALID));
        RunOutcome badImage2 = run(draft().image("busybox --network=host"), "true");
        assertThat(badImage2.status()).isEqualTo(RunStatus.DENIED);
        RunOutcome badTool = run(draft().tools(List.of("curl --privileged")), "true");
        assertThat(badTool.status()).isEqualTo(RunStatus.DENIED);
        assertThat(badTool.sandbox()).isNull();
    }
}
