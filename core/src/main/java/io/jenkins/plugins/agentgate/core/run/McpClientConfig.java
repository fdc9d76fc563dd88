package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The MCP client configuration a run hands to its agent, in the JSON form common agent CLIs read
 * ({@code {"mcpServers":{"agentgate":{"type":"http","url":"http://127.0.0.1:3129/mcp"}}}}): one server, Agent Gate's
 * gateway, reached through the relay on the container's loopback. Written on the host, mounted read-only; its path
 * is {@link #CONFIG_ENV}, the URL {@link #URL_ENV}. It holds no secret: the connectors' credentials stay on the host.
 */
public final class McpClientConfig {
    /** The server name agents see. */
    public static final String SERVER_NAME = "agentgate";
    /** Port of the gateway on the container's loopback (the egress relay has 3128). */
    public static final int CONTAINER_PORT = 3129;
    /** The gateway's MCP path (Streamable HTTP). */
    public static final String MCP_PATH = "/mcp";
    /** Mounted directory holding the configuration, and the file in it. */
    public static final String CONTAINER_DIR = "/.agentgate/mcp";
    public static final String FILE_NAME = "mcp.json";
    public static final String CONTAINER_FILE = CONTAINER_DIR + "/" + FILE_NAME;
    public static final String CONFIG_ENV = "AGENTGATE_MCP_CONFIG";
    public static final String URL_ENV = "AGENTGATE_MCP_URL";

    private McpClientConfig() {}

    /** The gateway's URL inside the sandbox. */
    public static String url(int port) {
        return "http://127.0.0.1:" + port + MCP_PATH;
    }

    /** The configuration's JSON text (sorted keys, indented). */
    public static String json(int port) {
        return CanonicalJson.pretty(Map.of("mcpServers", Map.of(SERVER_NAME, Map.of("type", "http", "url", url(port))))) + "\n";
    }

    /** The variables the agent gets: where the configuration is, and the URL itself. */
    public static Map<String, String> environment(int port) {
        return Map.of(CONFIG_ENV, CONTAINER_FILE, URL_ENV, url(port));
    }

    /**
     * Writes {@code dir/mcp.json}: {@code dir} is created (it must not exist) with mode 0755 and the file 0444, so the
     * sandbox user — whatever its uid — can read them and nobody can change them through the read-only mount.
     *
     * @return the directory to mount at {@link #CONTAINER_DIR}
     */
    public static Path write(Path dir, int port) throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // stated, not left to the umask
        Path file = dir.resolve(FILE_NAME);
        Files.writeString(file, json(port), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        return dir;
    }
}
