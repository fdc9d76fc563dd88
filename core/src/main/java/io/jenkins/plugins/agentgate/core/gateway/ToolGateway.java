package io.jenkins.plugins.agentgate.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One run's tool gateway: the only MCP endpoint the sandbox reaches. It serves MCP Streamable HTTP at
 * {@value #ENDPOINT} on a Unix socket in a fresh 0700 run directory (the sandbox reaches it through the
 * relay, like the egress proxy) and MCP's stdio transport on a second socket next to it ({@value #STDIO_SOCKET_NAME},
 * one session per connection, reached through the relay's {@code --stdio} bridge). Both list only the run's allowed
 * tools (with the connectors' schemas); every {@code tools/call} is decided with {@link ToolDecider}; the gateway
 * forwards allowed calls to the connectors (MCP servers outside the sandbox, holding their own credentials) and
 * records every call.
 *
 * <p>Protocol work is the official MCP Java SDK's (client and server); Jetty carries its servlet transport
 * on a Unix-domain connector.
 */
public final class ToolGateway implements AutoCloseable {
    /** HTTP path of the MCP endpoint. */
    public static final String ENDPOINT = "/mcp";
    /** Directory (inside the run directory) that holds the socket; the sandbox mounts this one. */
    public static final String SOCKET_DIR = "sock";
    public static final String SOCKET_NAME = "gateway.sock";
    /** The stdio endpoint's socket, next to {@link #SOCKET_NAME}: newline-delimited JSON-RPC, one MCP session per connection. */
    public static final String STDIO_SOCKET_NAME = "gateway-stdio.sock";
    /** Stdio sessions served at once; a connection over the limit is closed at once. */
    public static final int MAX_STDIO_SESSIONS = 16;
    private static final int UNIX_PATH_MAX = 107;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GatewayConfig config;
    private final ToolDecider decider;
    private final Map<String, McpTool> declared = new LinkedHashMap<>();
    private final Path runDirectory;
    private final Path socketPath;
    private final Path stdioSocketPath;
    private StdioEndpoint stdio;
    private final List<ConnectorClient> clients;
    private final List<String> served;
    private final McpJsonMapper json;
    private McpStatelessSyncServer mcp;
    private Server jetty;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final AtomicLong sequence = new AtomicLong();
    private final Map<Long, Pending> inFlight = new ConcurrentHashMap<>();
    private final List<ToolCallRecord> records = new ArrayList<>();
    private long calls;
    private long allowed;
    private long denied;
    private long failed;
    private long dropped;

    private record Pending(long sequence, String tool, String connector, String argumentsSha256, Instant at, long startNanos) {}

    private ToolGateway(GatewayConfig config) throws IOException {
        this.config = config;
        this.decider = new ToolDecider(config.tools());
        config.tools().forEach(t -> declared.put(t.name(), t));
        this.json = McpJsonDefaults.getMapper();

        Files.createDirectories(config.runDirectoryParent());
        this.runDirectory = Files.createTempDirectory(config.runDirectoryParent(), "agentgate-gateway-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<ConnectorClient> started = new ArrayList<>();
        this.clients = started;
        try {
            Path socketDir = Files.createDirectory(runDirectory.resolve(SOCKET_DIR));
            // The sandbox user (any uid) must traverse it, not list it.
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx--x--x"));
            this.socketPath = socketDir.resolve(SOCKET_NAME);
            this.stdioSocketPath = socketDir.resolve(STDIO_SOCKET_NAME);
            for (Path p : List.of(socketPath, stdioSocketPath)) {
                if (p.toString().getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX) {
                    throw new IOException("gateway socket path '" + p + "' is longer than " + UNIX_PATH_MAX
                            + " bytes; expected a shorter run directory parent than '" + config.runDirectoryParent() + "'");
                }
            }

            Map<String, ConnectorClient> byId = new LinkedHashMap<>();
            for (Connector c : config.connectors()) {
                ConnectorClient client = ConnectorClient.start(c, config.timeoutFor(c), config.secrets(), json);
                started.add(client);
                byId.put(c.id(), client);
            }

            List<McpStatelessServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
            List<McpServerFeatures.SyncToolSpecification> stdioSpecs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (McpTool t : config.tools()) {
                ConnectorClient client = byId.get(t.connector());
                client.tool(t.name()).ifPresent(tool -> {
                    // The same tool and the same handler on both endpoints: only the SDK's server flavour differs.
                    specs.add(McpStatelessServerFeatures.SyncToolSpecification.builder().tool(tool)
                            .callHandler((context, request) -> handle(client, request)).build());
                    stdioSpecs.add(McpServerFeatures.SyncToolSpecification.builder().tool(tool)
                            .callHandler((exchange, request) -> handle(client, request)).build());
                    names.add(t.name());
                });
            }
            this.served = List.copyOf(names);

            // Stateless Streamable HTTP: every POST is answered with one application/json body (no SSE stream, no
            // session, GET is 405). The gateway never sends anything unasked, so a stream per request only cost time.
            HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                    .jsonMapper(json).messageEndpoint(ENDPOINT).maxRequestSize(config.maxRequestBytes()).build();
            this.mcp = McpServer.sync(transport)
                    .serverInfo("agent-gate-gateway", "1")
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                    // Every call must reach handle(): the SDK's own input validation would answer without us.
                    .validateToolInputs(false)
                    .immediateExecution(true)
                    .strictToolNameValidation(false)
                    .tools(specs)
                    .build();

            QueuedThreadPool pool = new QueuedThreadPool(16, 2);
            pool.setName("agentgate-gateway-" + config.runId());
            pool.setDaemon(true);
            Server server = new Server(pool);
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory());
            connector.setUnixDomainPath(socketPath);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            ServletHolder servlet = new ServletHolder(transport);
            servlet.setAsyncSupported(true);
            context.addServlet(servlet, ENDPOINT);
            CallInterceptor interceptor = new CallInterceptor(Set.copyOf(served), config.maxRequestBytes(), this::unserved);
            FilterHolder filter = new FilterHolder(interceptor);
            filter.setAsyncSupported(true);
            context.addFilter(filter, ENDPOINT, EnumSet.of(DispatcherType.REQUEST));
            server.setHandler(context);
            server.setStopTimeout(2000);
            this.jetty = server;
            server.start();
            // Connecting needs write permission on the socket file; the sandbox user is not the host user.
            Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-rw-rw-"));
            List<McpServerFeatures.SyncToolSpecification> stdioTools = List.copyOf(stdioSpecs);
            this.stdio = new StdioEndpoint(stdioSocketPath, "agentgate-gateway-" + config.runId(), config.maxRequestBytes(),
                    MAX_STDIO_SESSIONS, interceptor, (in, out) -> stdioSession(in, out, stdioTools));
        } catch (Exception e) {
            shutdown();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("tool gateway did not start: " + ConnectorClient.describe(e), e);
        }
        this.shutdownHook = new Thread(this::close, "agentgate-gateway-" + config.runId() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** One MCP session over a stdio connection: the HTTP endpoint's settings, the SDK's stateful stdio transport. */
    private McpSyncServer stdioSession(java.io.InputStream in, java.io.OutputStream out,
                                       List<McpServerFeatures.SyncToolSpecification> tools) {
        return McpServer.sync(new StdioServerTransportProvider(json, in, out, config.maxRequestBytes()))
                .serverInfo("agent-gate-gateway", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .validateToolInputs(false)
                .immediateExecution(true)
                .strictToolNameValidation(false)
                .tools(tools)
                .build();
    }

    /**
     * Starts the connectors, reads their tools and opens the endpoint. The caller must close the gateway when
     * the sandbox stops, whatever the outcome.
     *
     * @throws IOException when a connector does not start (or lists its tools) within its call timeout, a
     *                     credential cannot be resolved, or the socket cannot be opened; nothing is left running
     */
    public static ToolGateway start(GatewayConfig config) throws IOException {
        return new ToolGateway(config);
    }

    /** The gateway's Unix socket on the host (HTTP; MCP at {@value #ENDPOINT}). */
    public Path socketPath() {
        return socketPath;
    }

    /**
     * The gateway's stdio socket on the host, next to {@link #socketPath()}: MCP's stdio transport (newline-delimited
     * JSON-RPC), one session per connection; the sandbox reaches it with {@code agentgate-egress-relay --stdio PATH}.
     */
    public Path stdioSocketPath() {
        return stdioSocketPath;
    }

    /** The directory holding the socket ({@value #SOCKET_DIR} in the run directory): what a sandbox mounts. */
    public Path socketDirectory() {
        return socketPath.getParent();
    }

    /** The per-run directory (mode 0700); deleted by {@link #close()}. */
    public Path runDirectory() {
        return runDirectory;
    }

    /** Tool names that tools/list shows: declared and offered by their connector, sorted. */
    public List<String> servedTools() {
        return served.stream().sorted().toList();
    }

    /** Declared tools that their connector does not offer (calls to them are denied as {@code tool.not-offered}). */
    public List<String> missingTools() {
        return declared.keySet().stream().filter(n -> !served.contains(n)).sorted().toList();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Records of calls so far, by sequence; complete after {@link #close()}. */
    public List<ToolCallRecord> records() {
        synchronized (records) {
            return records.stream().sorted(Comparator.comparingLong(ToolCallRecord::sequence)).toList();
        }
    }

    public GatewaySummary summary() {
        synchronized (records) {
            return new GatewaySummary(calls, allowed, denied, failed, dropped);
        }
    }

    /** Connector process ids (stdio connectors), for diagnostics and tests. */
    List<ProcessHandle> connectorProcesses() {
        return clients.stream().flatMap(c -> c.process().stream()).toList();
    }

    /**
     * Stops the endpoint and the connectors (whole process trees), records calls still in flight as failed and
     * deletes the run directory. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        shutdown();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    private void shutdown() {
        // Connectors first: calls in flight then fail at once (and are recorded) instead of holding the endpoint.
        for (ConnectorClient c : clients) {
            c.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Pending p : List.copyOf(inFlight.values())) {
            finish(p, ToolVerdict.FAILED, ToolRules.CONNECTOR_FAILED, "the gateway closed during the call", 0);
        }
        if (stdio != null) {
            stdio.close();
        }
        if (mcp != null) {
            try {
                mcp.closeGracefully();
            } catch (RuntimeException e) {
                // the server stops below anyway
            }
        }
        if (jetty != null) {
            try {
                jetty.stop();
            } catch (Exception e) {
                // best effort; the socket goes with the directory
            }
        }
        deleteTree(runDirectory);
    }

    private McpSchema.CallToolResult handle(ConnectorClient client, McpSchema.CallToolRequest request) {
        Map<String, Object> args = request.arguments();
        Pending p = begin(request.name(), client.connector.id(), args);
        JsonNode argsJson = args == null ? null : JSON.valueToTree(args);
        ToolDecision d = decider.decide(request.name(), argsJson);
        if (!d.allowed()) {
            finish(p, ToolVerdict.DENIED, d.ruleId(), d.reason(), 0);
            // An argument outside its constraint is an input error: a tool result with isError (MCP 2025-11-25), so
            // the model sees why; the call never reaches the connector.
            return McpSchema.CallToolResult.builder().isError(true)
                    .addTextContent("Agent Gate refused this call [" + d.ruleId() + "]: " + d.reason()).build();
        }
        McpSchema.CallToolResult result;
        try {
            result = client.call(request.name(), args);
        } catch (RuntimeException e) {
            finish(p, ToolVerdict.FAILED, ToolRules.CONNECTOR_FAILED, "connector '" + client.connector.id()
                    + "' failed or did not answer within " + client.timeout + ": " + ConnectorClient.describe(e), 0);
            throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
                    .message("connector '" + client.connector.id() + "' failed or did not answer within "
                            + client.timeout.toSeconds() + "s; the call did not complete")
                    .build();
        }
        long bytes;
        try {
            bytes = json.writeValueAsString(result).getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > config.maxResultBytes()) {
            finish(p, ToolVerdict.FAILED, ToolRules.LIMIT, "result of " + bytes + " bytes exceeds the gateway's limit of "
                    + config.maxResultBytes(), 0);
            throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
                    .message("the tool's result exceeds Agent Gate's limit of " + config.maxResultBytes() + " bytes")
                    .build();
        }
        finish(p, ToolVerdict.ALLOWED, d.ruleId(), d.reason(), bytes);
        return result;
    }

    /** A tools/call the SDK does not serve: undeclared, or declared but not offered by its connector. */
    private void unserved(String name, JsonNode arguments) {
        McpTool t = name == null ? null : declared.get(name);
        Pending p = begin(name, t == null ? "" : t.connector(), arguments);
        ToolDecision d = decider.decide(name, arguments);
        if (d.allowed()) {
            d = ToolDecision.deny(ToolRules.NOT_OFFERED, "tool '" + name + "' is declared, but connector '" + t.connector()
                    + "' does not offer it");
        }
        finish(p, ToolVerdict.DENIED, d.ruleId(), d.reason(), 0);
    }

    private Pending begin(String tool, String connector, Object arguments) {
        Object a = arguments == null || arguments instanceof JsonNode n && (n.isNull() || n.isMissingNode()) ? Map.of() : arguments;
        String digest;
        try {
            digest = Digests.sha256Hex(CanonicalJson.bytes(a));
        } catch (RuntimeException e) {
            digest = "";
        }
        Pending p = new Pending(sequence.incrementAndGet(), tool, connector, digest, Instant.now(), System.nanoTime());
        inFlight.put(p.sequence(), p);
        return p;
    }

    private void finish(Pending p, ToolVerdict verdict, String rule, String reason, long resultBytes) {
        if (inFlight.remove(p.sequence()) == null) {
            return; // already recorded (by close, for a call that outlived it)
        }
        ToolCallRecord r = new ToolCallRecord(p.sequence(), p.tool(), p.connector(), p.argumentsSha256(), verdict, rule,
                reason, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p.startNanos()), resultBytes, p.at());
        synchronized (records) {
            calls++;
            switch (verdict) {
                case ALLOWED -> allowed++;
                case DENIED -> denied++;
                case FAILED -> failed++;
            }
            if (records.size() < config.maxRecords()) {
                records.add(r);
            } else {
                dropped++;
            }
        }
        if (config.listener() != null) {
            try {
                config.listener().accept(r);
            } catch (RuntimeException e) {
                // a progress printer must not break the gateway
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: the reaper of the egress directories does not cover these, so say nothing more here
        }
    }
}
