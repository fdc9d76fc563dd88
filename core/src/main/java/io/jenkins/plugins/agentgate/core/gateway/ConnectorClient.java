package io.jenkins.plugins.agentgate.core.gateway;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.ConnectorCredential;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    /** Process starts are serialised in this JVM so that the new child can be told apart from others. */
    private static final Object START_LOCK = new Object();

    final Connector connector;
    final Duration timeout;
    private final McpSyncClient client;
    private final ProcessHandle process; // null for url connectors or when the child could not be found
    private final List<McpSchema.Tool> tools;

    private ConnectorClient(Connector connector, Duration timeout, McpSyncClient client, ProcessHandle process,
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
        McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(startTimeout)
                .clientInfo(new McpSchema.Implementation("agent-gate-gateway", "1")).build();
        ProcessHandle child = null;
        try {
            if (c.hasCommand()) {
                synchronized (START_LOCK) {
                    Set<Long> before = childPids();
                    try {
                        client.initialize();
                    } finally {
                        child = findChild(before, c.command());
                    }
                }
            } else {
                client.initialize();
            }
            List<McpSchema.Tool> tools = listTools(client, c.id());
            return new ConnectorClient(c, timeout, client, child, tools);
        } catch (RuntimeException e) {
            closeQuietly(client, child, timeout);
            throw new IOException("connector '" + c.id() + "' did not start: " + describe(e), e);
        } finally {
            if (env != null) {
                env.clear();
            }
        }
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

    private static List<McpSchema.Tool> listTools(McpSyncClient client, String id) {
        List<McpSchema.Tool> out = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            McpSchema.ListToolsResult r = cursor == null ? client.listTools() : client.listTools(cursor);
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

    /** Calls a tool; any transport failure or timeout surfaces as a RuntimeException. */
    McpSchema.CallToolResult call(String name, Map<String, Object> arguments) {
        return client.callTool(new McpSchema.CallToolRequest(name, arguments == null ? Map.of() : arguments));
    }

    /** The connector's process (stdio connectors), for tests and diagnostics. */
    Optional<ProcessHandle> process() {
        return Optional.ofNullable(process);
    }

    @Override
    public void close() {
        closeQuietly(client, process, timeout);
    }

    private static void closeQuietly(McpSyncClient client, ProcessHandle process, Duration timeout) {
        // Descendants first: once the connector is gone its children are re-parented and out of reach.
        List<ProcessHandle> tree = new ArrayList<>();
        if (process != null) {
            process.descendants().forEach(tree::add);
            tree.add(process);
        }
        try {
            client.closeGracefully();
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

    private static Set<Long> childPids() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle.current().children().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** The child started for {@code command}: new since {@code before}, and with the same arguments. */
    private static ProcessHandle findChild(Set<Long> before, List<String> command) {
        List<String> args = command.subList(1, command.size());
        return ProcessHandle.current().children()
                .filter(p -> !before.contains(p.pid()))
                .filter(p -> p.info().arguments().map(a -> List.of(a).equals(args)).orElse(true))
                .findFirst().orElse(null);
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }

    /** The SDK's stdio transport, but the child gets only the given environment, not the whole JVM's. */
    private static final class CleanEnvStdioTransport extends StdioClientTransport {
        CleanEnvStdioTransport(ServerParameters params, McpJsonMapper json) {
            super(params, json, MAX_STDIO_LINE);
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder();
            pb.environment().clear();
            return pb;
        }
    }
}
