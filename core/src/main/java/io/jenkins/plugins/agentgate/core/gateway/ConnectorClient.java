package io.jenkins.plugins.agentgate.core.gateway;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.ConnectorCredential;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's client to one connector, through the MCP SDK: a stdio server started on the host (its own
 * process, environment from the catalog plus resolved credentials, nothing secret on its argv), or a remote
 * Streamable-HTTP server. Closing ends the whole process tree.
 */
final class ConnectorClient implements AutoCloseable {
    /**
     * Host variables a connector command gets: what it may need to start at all (finding node/java, a home for
     * caches), including those the SDK always passes on (HOME, LOGNAME, PATH, SHELL, TERM, USER).
     */
    static final List<String> BASE_ENV = List.of("PATH", "HOME", "LOGNAME", "USER", "SHELL", "TERM", "LANG", "LC_ALL",
            "TZ", "TMPDIR");
    /** Starting a connector (process start, initialize, tools/list) may take at least this long. */
    static final Duration MIN_START_TIMEOUT = Duration.ofSeconds(30);
    /** At most this many tools are read from a connector (pages of tools/list). */
    static final int MAX_TOOLS = 1000;
    private static final int MAX_PAGES = 50;
    /** Stdio lines (JSON-RPC messages) longer than this end the connection. */
    private static final int MAX_STDIO_LINE = 16 << 20;

    final Connector connector;
    final Duration timeout;
    private final McpAsyncClient client;
    private final ProcessHandle process; // null for url connectors or when the child could not be found
    private final List<McpSchema.Tool> tools;

    private ConnectorClient(Connector connector, Duration timeout, McpAsyncClient client, ProcessHandle process,
                            List<McpSchema.Tool> tools) {
        this.connector = connector;
        this.timeout = timeout;
        this.client = client;
        this.process = process;
        this.tools = tools;
    }

    /** Starts the connector, initialises the MCP session and reads its tools. */
    static ConnectorClient start(Connector c, Duration timeout, SecretSource secrets, McpJsonMapper json) throws IOException {
        McpClientTransport transport;
        Map<String, String> env = null;
        if (c.hasCommand()) {
            env = environment(c, secrets);
            ServerParameters params = ServerParameters.builder(c.command().get(0))
                    .args(c.command().subList(1, c.command().size())).env(env).build();
            transport = new CleanEnvStdioTransport(params, json);
        } else {
            URI uri = URI.create(c.url());
            String base = uri.getScheme() + "://" + uri.getRawAuthority();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            transport = HttpClientStreamableHttpTransport.builder(base).endpoint(path).jsonMapper(json)
                    .connectTimeout(timeout).openConnectionOnStartup(false).build();
        }
        Duration startTimeout = timeout.compareTo(MIN_START_TIMEOUT) > 0 ? timeout : MIN_START_TIMEOUT;
        // The session's own request timeout is the longer start timeout; each call is bounded by block(timeout).
        McpAsyncClient client = McpClient.async(transport).requestTimeout(startTimeout).initializationTimeout(startTimeout)
                .clientInfo(new McpSchema.Implementation("agent-gate-gateway", "1")).build();
        ProcessHandle child = null;
        try {
            if (c.hasCommand()) {
                requireExecutable(c.command().get(0), env.get("PATH"));
                CleanEnvStdioTransport stdio = (CleanEnvStdioTransport) transport;
                java.util.concurrent.CompletableFuture<McpSchema.InitializeResult> init = client.initialize().toFuture();
                long deadline = System.nanoTime() + startTimeout.toNanos();
                // Wait for the answer, but notice a command that exits first instead of waiting out the timeout.
                while (true) {
                    try {
                        init.get(20, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        Process p = stdio.process();
                        if (p != null && !p.isAlive()) {
                            throw new IllegalStateException("the command exited (status " + p.exitValue()
                                    + ") before it answered initialize");
                        }
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("no answer to initialize within " + startTimeout.toSeconds() + "s");
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(describe(e), e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while starting", e);
                    }
                }
                Process p = stdio.process();
                child = p == null ? null : p.toHandle();
            } else {
                client.initialize().block(startTimeout);
            }
            List<McpSchema.Tool> tools = listTools(client, c.id(), startTimeout);
            return new ConnectorClient(c, timeout, client, child, tools);
        } catch (RuntimeException e) {
            if (child == null && transport instanceof CleanEnvStdioTransport stdio && stdio.process() != null) {
                child = stdio.process().toHandle();
            }
            closeQuietly(client, child, timeout);
            throw new IOException("connector '" + c.id() + "' did not start: " + describe(e), e);
        } finally {
            if (env != null) {
                env.clear();
            }
        }
    }

    /** Fails fast, with a clear message, when the connector's program cannot be run at all. */
    static void requireExecutable(String program, String path) {
        if (program.contains("/")) {
            if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of(program))) {
                throw new IllegalStateException("command '" + program + "' is not an executable file");
            }
            return;
        }
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return;
            }
        }
        throw new IllegalStateException("command '" + program + "' is not found on PATH (" + path + ")");
    }

    /** Base variables from the host, then the catalog's, then each credential resolved by the secret source. */
    static Map<String, String> environment(Connector c, SecretSource secrets) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : BASE_ENV) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        env.putAll(c.env());
        for (ConnectorCredential cred : c.credentials()) {
            try (SecretValue v = secrets.resolve(cred.id())) {
                env.put(cred.env(), v.utf8());
            } catch (SecretSourceException e) {
                throw new IOException("connector '" + c.id() + "': credential '" + cred.id() + "' for " + cred.env()
                        + " cannot be resolved: " + e.getMessage(), e);
            }
        }
        return env;
    }

    private static List<McpSchema.Tool> listTools(McpAsyncClient client, String id, Duration timeout) {
        List<McpSchema.Tool> out = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            McpSchema.ListToolsResult r = (cursor == null ? client.listTools() : client.listTools(cursor)).block(timeout);
            if (r == null) {
                throw new IllegalStateException("connector '" + id + "' answered tools/list with nothing");
            }
            if (r.tools() != null) {
                out.addAll(r.tools());
            }
            if (out.size() > MAX_TOOLS) {
                throw new IllegalStateException("connector '" + id + "' lists more than " + MAX_TOOLS + " tools");
            }
            cursor = r.nextCursor();
            if (cursor == null || cursor.isEmpty()) {
                return out;
            }
        }
        throw new IllegalStateException("connector '" + id + "' lists tools over more than " + MAX_PAGES + " pages");
    }

    Optional<McpSchema.Tool> tool(String name) {
        return tools.stream().filter(t -> name.equals(t.name())).findFirst();
    }

    List<McpSchema.Tool> tools() {
        return tools;
    }

    /**
     * Calls a tool; a transport failure, the connector's process ending, or its call timeout passing is a
     * RuntimeException (a process that dies is noticed within milliseconds, not at the timeout).
     */
    McpSchema.CallToolResult call(String name, Map<String, Object> arguments) {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException("the connector's process has exited");
        }
        java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> f =
                client.callTool(new McpSchema.CallToolRequest(name, arguments == null ? Map.of() : arguments)).toFuture();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                McpSchema.CallToolResult r = f.get(20, TimeUnit.MILLISECONDS);
                if (r == null) {
                    throw new IllegalStateException("connector '" + connector.id() + "' answered tools/call with nothing");
                }
                return r;
            } catch (java.util.concurrent.TimeoutException e) {
                if (process != null && !process.isAlive()) {
                    f.cancel(true);
                    throw new IllegalStateException("the connector's process exited during the call");
                }
                if (System.nanoTime() > deadline) {
                    f.cancel(true);
                    throw new IllegalStateException("no answer within " + timeout.toMillis() + " ms");
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(describe(e), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new IllegalStateException("interrupted during the call", e);
            }
        }
    }

    /** The connector's process (stdio connectors), for tests and diagnostics. */
    Optional<ProcessHandle> process() {
        return Optional.ofNullable(process);
    }

    @Override
    public void close() {
        closeQuietly(client, process, timeout);
    }

    private static void closeQuietly(McpAsyncClient client, ProcessHandle process, Duration timeout) {
        // Descendants first: once the connector is gone its children are re-parented and out of reach.
        List<ProcessHandle> tree = new ArrayList<>();
        if (process != null) {
            process.descendants().forEach(tree::add);
            tree.add(process);
        }
        try {
            client.closeGracefully().block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            // the process is killed below anyway
        }
        try {
            client.close();
        } catch (RuntimeException e) {
            // same
        }
        for (ProcessHandle p : tree) {
            p.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // still listed as alive: nothing more a JVM can do
            }
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }

    /**
     * The SDK's stdio transport, but the child gets only the given environment, not the whole JVM's; and the
     * child {@link Process} is reachable, so that a command that exits at once fails the start at once and the
     * whole process tree can be ended. The SDK keeps the process in a private field and offers no accessor
     * (2.1.0); reading it is checked by ToolGatewayTest (process tree, early exit), so an SDK change shows there.
     */
    private static final class CleanEnvStdioTransport extends StdioClientTransport {
        private static final java.lang.reflect.Field PROCESS = processField();

        CleanEnvStdioTransport(ServerParameters params, McpJsonMapper json) {
            super(params, json, MAX_STDIO_LINE);
        }

        private static java.lang.reflect.Field processField() {
            try {
                java.lang.reflect.Field f = StdioClientTransport.class.getDeclaredField("process");
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        /** The started process, or null before the start (or when this SDK version hides it). */
        Process process() {
            try {
                return PROCESS == null ? null : (Process) PROCESS.get(this);
            } catch (IllegalAccessException e) {
                return null;
            }
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder();
            pb.environment().clear();
            return pb;
        }
    }
}
