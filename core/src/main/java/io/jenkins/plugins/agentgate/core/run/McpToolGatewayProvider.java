package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.egress.RelayBinary;
import io.jenkins.plugins.agentgate.core.gateway.GatewayConfig;
import io.jenkins.plugins.agentgate.core.gateway.ToolGateway;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.sandbox.Mount;
import io.jenkins.plugins.agentgate.core.sandbox.ToolChannel;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The production {@link ToolGatewayProvider}: one {@link ToolGateway} per run, started on the host before the container
 * (its connectors with their credentials, resolved through the {@link SecretSource}, stay on the host), reached from a
 * sandbox that keeps {@code --network none} through the relay:
 *
 * <ul>
 *   <li>{@value #CONTAINER_SOCKET_DIR}: the gateway's socket directory, read-only;</li>
 *   <li>{@value McpClientConfig#CONTAINER_DIR}: the MCP client configuration, written on the host in this run's private
 *       directory (mode 0700; the mounted {@code mcp} directory inside it 0755, the file 0444), read-only;</li>
 *   <li>the relay binary at {@value #CONTAINER_RELAY}, read-only: the MCP client configuration's stdio server
 *       ({@code --stdio} {@value #CONTAINER_STDIO_SOCKET});</li>
 *   <li>the relay on {@code 127.0.0.1:}{@value McpClientConfig#CONTAINER_PORT} (HTTP), as a second pair of the egress relay
 *       or (network mode none) alone as {@value #CONTAINER_RELAY};</li>
 *   <li>{@code AGENTGATE_MCP_CONFIG} (stdio form), {@code AGENTGATE_MCP_HTTP_CONFIG} (HTTP form) and
 *       {@code AGENTGATE_MCP_URL}; no proxy variable (the gateway is not a way out).</li>
 * </ul>
 *
 * <pre>
 * GovernedRun.builder(sandbox).tools(new McpToolGatewayProvider(secrets)).build();
 * // tests: a short base directory, a progress listener
 * new McpToolGatewayProvider(secrets, cfg -> cfg.withListener(progress));
 * </pre>
 */
public final class McpToolGatewayProvider implements ToolGatewayProvider {
    /** Where the gateway's socket directory appears in the container. */
    public static final String CONTAINER_SOCKET_DIR = "/.agentgate/tools";
    /**
     * Where the channel's relay appears (always): the entrypoint when no egress relay runs, and the command the MCP client
     * configuration names ({@code --stdio} bridge to {@link #CONTAINER_STDIO_SOCKET}).
     */
    public static final String CONTAINER_RELAY = "/.agentgate/tools-relay";
    /** The gateway's stdio socket as the container sees it. */
    public static final String CONTAINER_STDIO_SOCKET = CONTAINER_SOCKET_DIR + "/" + ToolGateway.STDIO_SOCKET_NAME;
    /** Private directories of runs that died without closing, older than this, are removed before a new one is made. */
    static final Duration STALE = Duration.ofHours(1);
    static final String DIR_PREFIX = "agentgate-tools-";

    private final SecretSource secrets;
    private final UnaryOperator<GatewayConfig> configure;
    private final Supplier<RelayBinary> relay;

    /** Production defaults ({@link GatewayConfig#forPlan}): the system temp directory, default limits, the bundled relay. */
    public McpToolGatewayProvider(SecretSource secrets) {
        this(secrets, UnaryOperator.identity());
    }

    /**
     * @param secrets   resolves the connectors' credentials on the host
     * @param configure adjusts each run's config (base directory, limits, listener)
     */
    public McpToolGatewayProvider(SecretSource secrets, UnaryOperator<GatewayConfig> configure) {
        this(secrets, configure, RelayBinary::bundled);
    }

    /** @param relay the relay binary for the engine's architecture (e.g. {@link RelayBinary#fromFile}) */
    public McpToolGatewayProvider(SecretSource secrets, UnaryOperator<GatewayConfig> configure, Supplier<RelayBinary> relay) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.configure = Objects.requireNonNull(configure, "configure");
        this.relay = Objects.requireNonNull(relay, "relay");
    }

    @Override
    public Attachment attach(RunContext ctx) throws IOException {
        GatewayConfig cfg = configure.apply(GatewayConfig.forPlan(ctx.runId(), ctx.plan(), secrets,
                Path.of(System.getProperty("java.io.tmpdir"))));
        RelayBinary relayBinary = relay.get(); // before anything starts: a missing relay leaves nothing behind
        reapStale(cfg.runDirectoryParent(), STALE);
        ToolGateway gateway = ToolGateway.start(cfg);
        Path dir = null;
        try {
            dir = Files.createTempDirectory(cfg.runDirectoryParent(), DIR_PREFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path mcp = McpClientConfig.write(dir.resolve("mcp"), McpClientConfig.CONTAINER_PORT, CONTAINER_RELAY,
                    CONTAINER_STDIO_SOCKET);
            Path relayDir = Files.createDirectory(dir.resolve("relay"));
            // The sandbox user (any uid) must traverse it, not list it.
            Files.setPosixFilePermissions(relayDir, PosixFilePermissions.fromString("rwx--x--x"));
            Path relayFile = relayBinary.installInto(relayDir);
            ToolChannel channel = new ToolChannel(McpClientConfig.CONTAINER_PORT,
                    CONTAINER_SOCKET_DIR + "/" + ToolGateway.SOCKET_NAME,
                    List.of(new Mount(gateway.socketDirectory(), CONTAINER_SOCKET_DIR, true),
                            new Mount(mcp, McpClientConfig.CONTAINER_DIR, true)),
                    new Mount(relayFile, CONTAINER_RELAY, true), McpClientConfig.environment(McpClientConfig.CONTAINER_PORT));
            return new GatewayAttachment(gateway, dir, channel);
        } catch (IOException | RuntimeException e) {
            gateway.close();
            deleteTree(dir);
            throw e;
        }
    }

    /**
     * Removes this provider's directories that a process left behind when it died without closing (killed, power loss):
     * those older than {@code olderThan}. They hold no secret (an MCP client configuration, a relay copy), and a
     * container still running from one keeps its bind mounts, so age alone is a safe test.
     *
     * @return how many were removed
     */
    static int reapStale(Path parent, Duration olderThan) {
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(d, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                    deleteTree(d);
                    removed++;
                }
            }
        } catch (IOException e) {
            // a leftover is not this run's problem
        }
        return removed;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // what is left holds no secret: the MCP client configuration and a copy of the relay
        }
    }

    private static final class GatewayAttachment implements Attachment {
        private final ToolGateway gateway;
        private final Path dir;
        private final ToolChannel channel;

        GatewayAttachment(ToolGateway gateway, Path dir, ToolChannel channel) {
            this.gateway = gateway;
            this.dir = dir;
            this.channel = channel;
        }

        @Override
        public ToolChannel channel() {
            return channel;
        }

        @Override
        public void close() {
            try {
                gateway.close();
            } finally {
                deleteTree(dir);
            }
        }

        @Override
        public ToolReport report() {
            return new ToolReport(gateway.records(), gateway.summary(), gateway.servedTools(), gateway.missingTools());
        }
    }
}
