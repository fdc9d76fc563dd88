package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.agentgate.core.egress.EgressResolver;
import io.jenkins.plugins.agentgate.core.evidence.BundleVerifier;
import io.jenkins.plugins.agentgate.core.evidence.PemKeys;
import io.jenkins.plugins.agentgate.core.evidence.VerificationReport;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agentgate run} with MCP tools on the real engine: a real MCP client (the official TypeScript SDK, in the test
 * image) inside a read-only, non-root, network-less sandbox reaches the run's tool gateway through the relay, with the
 * configuration Agent Gate wrote (mcp.json: stdio, the relay's {@code --stdio} bridge; mcp-http.json: Streamable HTTP); the connectors are real MCP servers started on the host by the gateway: the SDK test
 * server of the core tests (holding a credential) and two npm reference servers. Traffic goes only to loopback, the
 * gateway's Unix socket and the test's own containers.
 */
class ToolGatewayRunTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path kit;
    Path ws;
    Path docs;
    Path task;
    Path key;
    Path pub;
    Path tokenFile;
    String token;
    String profile;
    String out;
    String err;

    @BeforeAll
    static void engineAndKit() {
        McpKit.require();
    }

    @BeforeEach
    void setUp() throws Exception {
        kit = McpKit.require();
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.txt"), "alpha\n");
        SandboxEscapeTest.own(ws);
        docs = Files.createDirectories(tmp.resolve("docs"));
        Files.createDirectories(docs.resolve("public"));
        Files.createDirectories(docs.resolve("secret"));
        Files.writeString(docs.resolve("public/readme.txt"), "public words\n");
        Files.writeString(docs.resolve("secret/key.txt"), "never through the gateway\n");
        task = Files.writeString(tmp.resolve("task.md"), "Use the tools.\n");
        token = "tok-" + Digests.sha256Hex("t" + System.nanoTime()).substring(0, 32);
        tokenFile = tmp.resolve("connector-token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        key = tmp.resolve("sign.pem");
        pub = tmp.resolve("sign.pub.pem");
        exec("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString());
        exec("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
        profile = "tools-e2e-" + Long.toHexString(System.nanoTime());
    }

    static void exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + text).isZero();
    }

    static String q(Object v) {
        return CanonicalJson.string(v); // a JSON value is a YAML flow value: paths with ':' stay intact
    }

    /** A catalog with the three connectors and a draft profile granting some of their tools. */
    Path catalog(String network) throws Exception {
        String yaml = """
                apiVersion: agentgate/v1
                classes:
                  draft: %s
                connectors:
                  - id: sdk
                    description: the SDK test server of the core tests
                    command: %s
                    credentials: [{id: conn-token, env: TEST_CONNECTOR_TOKEN}]
                    callTimeout: 15s
                  - id: everything
                    description: npm reference server
                    command: %s
                    callTimeout: 15s
                  - id: fs
                    description: npm reference filesystem server, rooted at the docs directory
                    command: %s
                    callTimeout: 15s
                profiles:
                  - id: %s
                    version: 1
                    description: Draft with MCP tools
                    image:
                      allowed: ["agentgate-test/*"]
                      default: %s
                %s
                    tools:
                      - name: echo
                        connector: sdk
                      - name: token_digest
                        connector: sdk
                      - name: crash
                        connector: sdk
                      - name: get-sum
                        connector: everything
                      - name: read_text_file
                        connector: fs
                        args:
                          path: {prefix: [%s]}
                    limits: {cpus: 1, memory: 512m, pids: 128, timeout: 3m}
                """.formatted(profile, q(McpKit.testServerCommand()), q(McpKit.npmServer(kit, "server-everything", "stdio")),
                q(McpKit.npmServer(kit, "server-filesystem", docs.toString())), profile, McpKit.IMAGE, network,
                q(docs.resolve("public").toString()));
        Path c = tmp.resolve("catalog.yaml");
        Files.writeString(c, yaml);
        CatalogParser.parse(c.toString(), yaml); // fail here, with the parser's message, if the test wrote a bad catalog
        return c;
    }

    int run(List<String> args, EgressResolver names) {
        CommandLine cl = AgentGateCli.commandLine();
        RunCommand rc = cl.getSubcommands().get("run").getCommand();
        if (names != null) {
            rc.egressConfig = cfg -> cfg.withResolver(names).withPrivateAddressesAllowed(true);
        }
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args.toArray(String[]::new));
        out = o.toString();
        err = e.toString();
        return code;
    }

    List<String> base(Path catalog, String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--class", "draft", "--catalog", catalog.toString(), "--task", task.toString(),
                "--workspace", ws.toString(), "--timeout", "150s", "--evidence-dir", tmp.resolve("evidence").toString(),
                "--sign-key", key.toString(), "--connector-credential", "conn-token=file:" + tokenFile, "--json"));
        a.addAll(List.of(more));
        return a;
    }

    static Map<String, Object> call(String name, Map<String, Object> args) {
        return Map.of("op", "call", "name", name, "arguments", args);
    }

    /** The agent: the MCP client, then a dump of everything it can see, then it waits for the test to inspect it. */
    static String agentScript(List<Map<String, Object>> ops) throws IOException {
        String opsJson = JSON.writeValueAsString(ops).replace("'", "'\\''");
        return String.join("\n",
                "cd /workspace",
                "node /opt/agentgate-mcp/mcp-client.mjs '" + opsJson + "' > mcp-out.jsonl 2> mcp-err.txt; echo $? > mcp-exit.txt",
                "{ echo '## env'; env; echo '## ls'; ls -la /.agentgate /.agentgate/tools /.agentgate/mcp;",
                "  echo '## files'; for f in $(find /.agentgate/mcp /tmp /run/agentgate /home -type f 2>/dev/null); do echo \"# $f\"; cat \"$f\"; done;",
                "  echo '## socket'; ls -la \"$(dirname \"$AGENTGATE_MCP_CONFIG\")\"; } > seen.txt 2>&1",
                "touch .ready",
                "i=0; while [ ! -f .go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
                "rm -f .ready .go");
    }

    /** Runs the CLI in the background; while the agent waits, inspects its container from the host. */
    JsonNode runAndInspect(List<String> args, EgressResolver names, List<String> inspected) throws Exception {
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> run(args, names));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (!Files.exists(ws.resolve(".ready")) && !code.isDone() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        if (Files.exists(ws.resolve(".ready"))) {
            DockerEngine.Result ids = DockerEngine.docker(Map.of(), "docker", "ps", "-q", "--filter",
                    "label=io.jenkins.agentgate.profile=" + profile);
            for (String id : ids.stdout().strip().split("\\s+")) {
                if (!id.isBlank()) {
                    inspected.add(DockerEngine.docker(Map.of(), "docker", "inspect", id).stdout());
                }
            }
            Files.writeString(ws.resolve(".go"), "");
        }
        int exit = code.get(4, TimeUnit.MINUTES);
        assertThat(exit).as(err).isZero();
        return CanonicalJson.mapper().readTree(out);
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String s : Files.readAllLines(file)) {
            if (!s.isBlank()) {
                l.add(JSON.readTree(s));
            }
        }
        return l;
    }

    @Test
    void aRealClientInTheSandboxGetsExactlyTheDeclaredToolsWithinTheirConstraintsAndEveryCallIsSignedEvidence() throws Exception {
        Path catalog = catalog("");
        List<Map<String, Object>> ops = List.of(
                Map.of("op", "list"),
                call("echo", Map.of("text", "hello from the sandbox")),
                call("get-sum", Map.of("a", 2, "b", 3)),
                call("read_text_file", Map.of("path", docs.resolve("public/readme.txt").toString())),
                // constraint: outside the prefix, and climbing out of it
                call("read_text_file", Map.of("path", docs.resolve("secret/key.txt").toString())),
                call("read_text_file", Map.of("path", docs.resolve("public") + "/../secret/key.txt")),
                // offered by the connectors, never declared
                call("hidden_tool", Map.of()),
                call("get-env", Map.of()),
                call("write_file", Map.of("path", docs.resolve("public/x.txt").toString(), "content", "x")),
                // the connector holds its credential (the sandbox never does)
                call("token_digest", Map.of()),
                // the connector dies in the middle of a call; the next call to it fails too; the run goes on
                call("crash", Map.of()),
                call("echo", Map.of("text", "after the crash")),
                call("get-sum", Map.of("a", 1, "b", 1)));
        List<String> inspected = new ArrayList<>();
        Instant t0 = Instant.now();
        JsonNode j = runAndInspect(base(catalog, "--", "sh", "-c", agentScript(ops)), null, inspected);
        Duration took = Duration.between(t0, Instant.now());

        assertThat(Files.readString(ws.resolve("mcp-exit.txt")).strip()).as(Files.readString(ws.resolve("mcp-err.txt"))).isEqualTo("0");
        List<JsonNode> r = lines(ws.resolve("mcp-out.jsonl"));
        assertThat(r).hasSize(ops.size());
        List<String> listed = new ArrayList<>();
        r.get(0).get("tools").forEach(t -> listed.add(t.asText()));
        assertThat(listed).containsExactlyInAnyOrder("crash", "echo", "get-sum", "read_text_file", "token_digest");
        assertThat(r.get(1).get("text").asText()).isEqualTo("hello from the sandbox");
        assertThat(r.get(1).get("isError").asBoolean()).isFalse();
        assertThat(r.get(2).get("text").asText()).contains("5");
        assertThat(r.get(3).get("text").asText()).contains("public words");
        for (int i = 4; i <= 8; i++) {
            JsonNode refused = r.get(i);
            assertThat(refused.has("error") || refused.get("isError").asBoolean()).as("refused: %s", refused).isTrue();
            assertThat(refused.toString()).doesNotContain("never through the gateway", "should never be reached");
        }
        assertThat(r.get(9).get("text").asText()).isEqualTo(Digests.sha256Hex(token));
        for (int i = 10; i <= 11; i++) {
            JsonNode failed = r.get(i);
            assertThat(failed.has("error") || failed.get("isError").asBoolean()).as("failed: %s", failed).isTrue();
            assertThat(failed.has("noAnswer")).as("answered, not timed out: %s", failed).isFalse();
        }
        assertThat(r.get(12).get("text").asText()).as("the other connectors keep working").contains("2");
        assertThat(took).as("a crashed connector does not hang the run").isLessThan(Duration.ofMinutes(2));
        assertThat(Files.readString(docs.resolve("secret/key.txt"))).isEqualTo("never through the gateway\n");
        assertThat(docs.resolve("public/x.txt")).doesNotExist();

        // What the sandbox saw: the MCP configuration and URL, no proxy, no credential anywhere.
        String seen = Files.readString(ws.resolve("seen.txt"));
        // The client used mcp.json as agent CLIs do: the stdio form, the mounted relay in --stdio mode as its server.
        assertThat(seen).contains("AGENTGATE_MCP_CONFIG=/.agentgate/mcp/mcp.json", "AGENTGATE_MCP_URL=http://127.0.0.1:3129/mcp",
                "AGENTGATE_MCP_HTTP_CONFIG=/.agentgate/mcp/mcp-http.json", "\"command\" : \"/.agentgate/tools-relay\"",
                "\"--stdio\", \"/.agentgate/tools/gateway-stdio.sock\"", "\"url\" : \"http://127.0.0.1:3129/mcp\"");
        assertThat(seen.toLowerCase()).doesNotContain("_proxy=");
        assertThat(seen).doesNotContain(token, "TEST_CONNECTOR_TOKEN");
        assertThat(inspected).as("docker inspect of the running sandbox").hasSize(1);
        JsonNode c = JSON.readTree(inspected.get(0)).get(0);
        assertThat(inspected.get(0)).doesNotContain(token, "TEST_CONNECTOR_TOKEN");
        assertThat(c.at("/HostConfig/NetworkMode").asText()).isEqualTo("none");
        assertThat(c.at("/HostConfig/ReadonlyRootfs").asBoolean()).isTrue();
        assertThat(c.at("/Config/User").asText()).doesNotStartWith("0");
        List<String> mounts = new ArrayList<>();
        c.get("Mounts").forEach(m -> mounts.add(m.get("Destination").asText() + (m.get("RW").asBoolean() ? " rw" : " ro")));
        assertThat(mounts).contains("/.agentgate/tools ro", "/.agentgate/mcp ro", "/.agentgate/tools-relay ro");
        assertThat(c.at("/Path").asText()).isEqualTo("/.agentgate/tools-relay");
        assertThat(c.at("/Args").toString()).contains("\"--listen\",\"3129\",\"--socket\",\"/.agentgate/tools/gateway.sock\",\"--\"")
                .doesNotContain("3128");

        // Progress and --json: every call, the denials named.
        assertThat(err).contains("network none + tool gateway", "tool allowed echo @sdk", "tool denied hidden_tool",
                "agentgate: tools: 12 calls: 5 allowed, 5 denied (unauthorized), 2 failed", "denied tool hidden_tool",
                "denied tool read_text_file");
        assertThat(j.at("/tools/calls").asLong()).isEqualTo(12);
        assertThat(j.at("/tools/unauthorized").asLong()).isEqualTo(5);
        assertThat(j.at("/tools/failed").asLong()).isEqualTo(2);
        List<String> verdicts = new ArrayList<>();
        j.at("/tools/records").forEach(x -> verdicts.add(x.get("tool").asText() + " " + x.get("verdict").asText()));
        assertThat(verdicts).containsExactly("echo ALLOWED", "get-sum ALLOWED", "read_text_file ALLOWED", "read_text_file DENIED",
                "read_text_file DENIED", "hidden_tool DENIED", "get-env DENIED", "write_file DENIED", "token_digest ALLOWED",
                "crash FAILED", "echo FAILED", "get-sum ALLOWED");

        // The signed bundle holds every decision and verifies offline.
        Path bundle = Path.of(j.get("evidence").asText());
        String record = Files.readString(bundle.resolve("evidence.json"));
        assertThat(record).doesNotContain(token);
        JsonNode e = CanonicalJson.mapper().readTree(record);
        assertThat(e.at("/signing/signed").asBoolean()).isTrue();
        assertThat(e.at("/tools/summary/calls").asLong()).as(record).isEqualTo(12);
        assertThat(e.at("/tools/summary/denied").asLong()).isEqualTo(5);
        assertThat(e.at("/tools/summary/failed").asLong()).isEqualTo(2);
        List<String> recorded = new ArrayList<>();
        e.at("/tools/records").forEach(x -> recorded.add(x.get("tool").asText() + " " + x.get("verdict").asText() + " "
                + x.get("rule").asText()));
        assertThat(recorded).containsExactly("echo allowed tool.allowed", "get-sum allowed tool.allowed",
                "read_text_file allowed tool.allowed", "read_text_file denied tool.argument.prefix",
                "read_text_file denied tool.argument.prefix", "hidden_tool denied tool.not-declared",
                "get-env denied tool.not-declared", "write_file denied tool.not-declared", "token_digest allowed tool.allowed",
                "crash failed tool.connector.failed", "echo failed tool.connector.failed", "get-sum allowed tool.allowed");
        e.at("/tools/records").forEach(x -> assertThat(x.get("argumentsSha256").asText()).matches("[0-9a-f]{64}"));
        List<String> denials = new ArrayList<>();
        e.get("runtimeDenials").forEach(d -> denials.add(d.get("kind").asText() + " " + d.get("subject").asText()));
        assertThat(denials).containsExactly("tool read_text_file", "tool read_text_file", "tool hidden_tool", "tool get-env",
                "tool write_file");
        assertThat(e.get("unauthorizedAttempts").asLong()).isEqualTo(5);
        VerificationReport v = BundleVerifier.verify(bundle, PemKeys.readPublic(pub), CatalogParser.parse(catalog.toString(),
                Files.readString(catalog)));
        assertThat(v.valid()).as(v.problems().toString()).isTrue();
        int verified = run(List.of("verify", bundle.toString(), "--catalog", catalog.toString(), "--key", pub.toString()), null);
        assertThat(verified).as(out + err).isZero();
        assertThat(DockerEngine.containersOfRun(Map.of(), j.get("runId").asText())).isEmpty();
    }

    @Test
    void withAnAllowlistTheEgressRelayCarriesTheGatewayAsASecondPair() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/", ex -> {
            byte[] body = "hello-from-upstream\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        upstream.start();
        try {
            int port = upstream.getAddress().getPort();
            Path catalog = catalog("    network:\n      mode: allowlist\n      allow: [\"api.allowed.test:" + port + "\"]");
            EgressResolver names = host -> {
                if (host.equals("api.allowed.test")) {
                    return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }
                throw new UnknownHostException(host);
            };
            String script = "cd /workspace; wget -q -O - http://api.allowed.test:" + port + "/ > web.txt; "
                    + "node /opt/agentgate-mcp/mcp-client.mjs '" + JSON.writeValueAsString(List.of(Map.of("op", "list"),
                    call("echo", Map.of("text", "both ways")))) + "' > mcp-out.jsonl; "
                    // the HTTP form too: Streamable HTTP through the relay's second pair
                    + "AGENTGATE_MCP_CONFIG=$AGENTGATE_MCP_HTTP_CONFIG node /opt/agentgate-mcp/mcp-client.mjs '"
                    + JSON.writeValueAsString(List.of(call("echo", Map.of("text", "over http")))) + "' > mcp-http-out.jsonl; "
                    + "echo \"$HTTP_PROXY $NO_PROXY\" > proxy.txt; "
                    + "touch .ready; i=0; while [ ! -f .go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; rm -f .ready .go";
            List<String> inspected = new ArrayList<>();
            JsonNode j = runAndInspect(base(catalog, "--", "sh", "-c", script), names, inspected);
            assertThat(Files.readString(ws.resolve("web.txt"))).isEqualTo("hello-from-upstream\n");
            List<JsonNode> r = lines(ws.resolve("mcp-out.jsonl"));
            assertThat(r.get(1).get("text").asText()).isEqualTo("both ways");
            assertThat(lines(ws.resolve("mcp-http-out.jsonl")).get(0).get("text").asText()).isEqualTo("over http");
            // the client reaches the gateway directly on loopback, not through the egress proxy
            assertThat(Files.readString(ws.resolve("proxy.txt"))).contains("http://127.0.0.1:3128", "127.0.0.1");
            assertThat(err).contains("network none + egress proxy + tool gateway", "egress: 1 allowed, 0 denied");
            assertThat(j.at("/egress/allowed").asLong()).isEqualTo(1);
            assertThat(j.at("/tools/allowed").asLong()).isEqualTo(2);
            // one relay process, two pairs; the channel's relay copy is mounted for the stdio bridge, not run
            assertThat(inspected).hasSize(1);
            JsonNode c = JSON.readTree(inspected.get(0)).get(0);
            assertThat(c.at("/HostConfig/NetworkMode").asText()).isEqualTo("none");
            assertThat(c.at("/Path").asText()).isEqualTo("/.agentgate/egress-relay");
            // the egress pair hands connections to the pump (--pass-fd); the gateway's pair is relayed byte for byte
            assertThat(c.at("/Args").toString()).startsWith("[\"--listen\",\"3128\",\"--socket\",\"/.agentgate/egress/proxy.sock\","
                    + "\"--pass-fd\",\"--listen\",\"3129\",\"--socket\",\"/.agentgate/tools/gateway.sock\",\"--\",");
            List<String> mounts = new ArrayList<>();
            c.get("Mounts").forEach(m -> mounts.add(m.get("Destination").asText()));
            assertThat(mounts).contains("/.agentgate/egress", "/.agentgate/egress-relay", "/.agentgate/tools", "/.agentgate/mcp",
                    "/.agentgate/tools-relay");
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void aConnectorCredentialThatCannotBeReadIsAUsageErrorBeforeAnythingStarts() throws Exception {
        Path catalog = catalog("");
        List<String> args = base(catalog, "--", "true");
        args.set(args.indexOf("conn-token=file:" + tokenFile), "conn-token=file:" + tmp.resolve("missing"));
        int code = run(args, null);
        assertThat(code).as(err).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("--connector-credential", "conn-token").doesNotContain("tool gateway");
    }
}
