package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.agentgate.core.egress.EgressResolver;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agentgate run} with an allowlist profile on the real engine: the sandbox keeps {@code --network none};
 * its only way out is the relay to the per-run proxy. The allowlisted names are mapped to a test HTTP server on
 * the host's loopback through the Java API (the proxy config's resolver), never through a flag. Traffic goes only
 * to loopback and to the test's own containers.
 */
class EgressRunTest {
    static final String ALLOWED = "api.allowed.test";
    static final String NARROWED = "api.narrowed.test";

    @TempDir
    Path tmp;
    Path ws;
    Path task;
    Path catalog;
    Path egressDir;
    HttpServer upstream;
    final AtomicInteger hits = new AtomicInteger();
    int port;
    String out;
    String err;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] body = "hello-from-upstream\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        upstream.start();
        port = upstream.getAddress().getPort();
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.txt"), "alpha\n");
        SandboxEscapeTest.own(ws);
        task = Files.writeString(tmp.resolve("task.md"), "Fetch the greeting.\n");
        egressDir = Files.createDirectories(tmp.resolve("egress"));
        catalog = Files.writeString(tmp.resolve("catalog.yaml"), """
                apiVersion: agentgate/v1
                classes:
                  draft: net-draft
                profiles:
                  - id: net-draft
                    version: 1
                    description: Draft with two named destinations
                    image:
                      allowed: ["agentgate-test/*"]
                      default: %s
                    network:
                      mode: allowlist
                      allow: ["%s:%d", "%s:%d"]
                    limits: {cpus: 1, memory: 256m, pids: 64, timeout: 2m}
                """.formatted(DockerEngine.TEST_IMAGE, ALLOWED, port, NARROWED, port));
    }

    @AfterEach
    void stop() {
        upstream.stop(0);
    }

    /** The CLI in-process, its proxy resolving the test names to loopback (Java API, not a flag). */
    int run(List<String> args) {
        CommandLine cl = AgentGateCli.commandLine();
        RunCommand rc = cl.getSubcommands().get("run").getCommand();
        EgressResolver names = host -> {
            if (host.equals(ALLOWED) || host.equals(NARROWED)) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
        rc.egressConfig = cfg -> cfg.withResolver(names).withPrivateAddressesAllowed(true).withBaseDirectory(egressDir);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args.toArray(String[]::new));
        out = o.toString();
        err = e.toString();
        return code;
    }

    List<String> base(String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--class", "draft", "--catalog", catalog.toString(), "--task", task.toString(),
                "--workspace", ws.toString(), "--timeout", "60s", "--evidence-dir", tmp.resolve("evidence").toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void anAllowlistedNameIsReachedThroughTheProxyAndEverythingElseIsDeniedAndCounted() throws Exception {
        String script = String.join("; ",
                "wget -q -O - http://" + ALLOWED + ":" + port + "/ || echo ALLOWED-FAILED",
                // allowed by the profile, but narrowed away by --network
                "if wget -q -O - http://" + NARROWED + ":" + port + "/; then echo LEAK-NARROWED; fi",
                "if wget -q -O - http://api.denied.test:" + port + "/; then echo LEAK-DENIED; fi",
                // the sandbox user can write /tmp (tmpfs mode 1777)
                "echo tmp-ok > /tmp/probe && cat /tmp/probe",
                "id -u");
        int code = run(base("--network", ALLOWED + ":" + port, "--json", "--", "sh", "-c", script));
        assertThat(code).as(err).isZero();
        assertThat(err).contains("hello-from-upstream", "tmp-ok").doesNotContain("ALLOWED-FAILED", "LEAK-");
        assertThat(hits.get()).isEqualTo(1);
        assertThat(err).contains("network none + egress proxy", "egress allowed GET " + ALLOWED + ":" + port,
                "egress denied GET " + NARROWED + ":" + port, "egress denied GET api.denied.test:" + port,
                "agentgate: egress: 1 allowed, 2 denied (unauthorized)", "denied api.denied.test:" + port);

        JsonNode j = CanonicalJson.mapper().readTree(out);
        assertThat(j.at("/egress/allowed").asLong()).isEqualTo(1);
        assertThat(j.at("/egress/unauthorized").asLong()).isEqualTo(2);
        assertThat(j.at("/egress/relaySha256").asText()).matches("[0-9a-f]{64}");
        List<String> verdicts = new ArrayList<>();
        j.at("/egress/records").forEach(r -> verdicts.add(r.get("host").asText() + " " + r.get("verdict").asText()));
        assertThat(verdicts).containsExactlyInAnyOrder(ALLOWED + " ALLOWED", NARROWED + " DENIED", "api.denied.test DENIED");
        assertThat(j.at("/decisions").toString()).contains("network.allowlist");

        // the evidence bundle has every attempt, the denials beside the run's other runtime denials, and the count
        Path bundle = Path.of(j.get("evidence").asText());
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        assertThat(e.at("/egress/summary/attempts").asLong()).isEqualTo(3);
        assertThat(e.at("/egress/summary/allowed").asLong()).isEqualTo(1);
        assertThat(e.at("/egress/summary/unauthorized").asLong()).isEqualTo(2);
        assertThat(e.at("/egress/relaySha256").asText()).isEqualTo(j.at("/egress/relaySha256").asText());
        List<String> recorded = new ArrayList<>();
        e.at("/egress/records").forEach(r -> recorded.add(r.get("host").asText() + ":" + r.get("port").asInt() + " "
                + r.get("verdict").asText() + " " + r.get("rule").asText()));
        assertThat(recorded).containsExactlyInAnyOrder(ALLOWED + ":" + port + " allowed network.allowlist",
                NARROWED + ":" + port + " denied network.not-allowlisted", "api.denied.test:" + port + " denied network.not-allowlisted");
        JsonNode allowedRecord = null;
        for (JsonNode r : e.at("/egress/records")) {
            if (r.get("verdict").asText().equals("allowed")) {
                allowedRecord = r;
            }
        }
        assertThat(allowedRecord.get("bytesDown").asLong()).isPositive();
        assertThat(allowedRecord.get("address").asText()).isEqualTo("127.0.0.1");
        List<String> denials = new ArrayList<>();
        e.get("runtimeDenials").forEach(d -> denials.add(d.get("kind").asText() + " " + d.get("subject").asText() + " "
                + d.get("ruleId").asText()));
        assertThat(denials).containsExactlyInAnyOrder("egress " + NARROWED + ":" + port + " network.not-allowlisted",
                "egress api.denied.test:" + port + " network.not-allowlisted");
        assertThat(e.get("unauthorizedAttempts").asLong()).isEqualTo(2);
        assertThat(e.get("credentials")).isEmpty();
        int verified = run(List.of("verify", bundle.toString(), "--catalog", catalog.toString()));
        assertThat(verified).as(out + err).isZero();

        // proxy closed: its directory (socket, relay copy) is gone, and so is the container
        assertThat(listing(egressDir)).isEmpty();
        assertThat(DockerEngine.containersOfRun(Map.of(), j.get("runId").asText())).isEmpty();
    }

    @Test
    void theProxyIsClosedAlsoWhenTheAgentIsKilledAtTheTimeout() throws Exception {
        List<String> args = base("--json", "--", "sh", "-c", "wget -q -O - http://" + ALLOWED + ":" + port + "/; sleep 60");
        args.set(args.indexOf("60s"), "3s");
        int code = run(args);
        assertThat(code).as(err).isEqualTo(ExitCodes.AGENT_FAILED);
        JsonNode j = CanonicalJson.mapper().readTree(out);
        assertThat(j.at("/sandbox/termination").asText()).isEqualTo("timeout");
        assertThat(j.at("/egress/allowed").asLong()).isEqualTo(1);
        assertThat(listing(egressDir)).isEmpty();
        assertThat(DockerEngine.containersOfRun(Map.of(), j.get("runId").asText())).isEmpty();
    }

    @Test
    void aDestinationOutsideTheProfileIsAPolicyDenialBeforeAnyProxyStarts() throws Exception {
        int code = run(base("--network", "api.elsewhere.test:443", "--", "true"));
        assertThat(code).isEqualTo(ExitCodes.POLICY_DENIED);
        assertThat(err).contains("api.elsewhere.test:443", "[network.allowlist]").doesNotContain("egress:");
        assertThat(listing(egressDir)).isEmpty();
    }

    @Test
    void aClosedProfileRunsWithoutAProxy() throws Exception {
        int code = run(List.of("run", "--class", "draft", "--task", task.toString(), "--workspace", ws.toString(),
                "--image", DockerEngine.TEST_IMAGE, "--timeout", "60s", "--evidence-dir", tmp.resolve("evidence").toString(), "--", "sh", "-c",
                "echo tmp-ok > /tmp/probe && cat /tmp/probe; if wget -q -T 2 -O - http://127.0.0.1:" + port + "/; then echo LEAK; fi"));
        assertThat(code).as(err).isZero();
        assertThat(out).contains("tmp-ok").doesNotContain("LEAK");
        assertThat(err).doesNotContain("egress");
        assertThat(hits.get()).isZero();
        assertThat(listing(egressDir)).isEmpty();
    }

    static List<Path> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
