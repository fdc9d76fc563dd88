package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The MCP client configuration a run hands to its agent, in the JSON form common agent CLIs read: one server, Agent
 * Gate's gateway, as a stdio server that the agent's MCP client starts itself —
 * {@code {"mcpServers":{"agentgate":{"type":"stdio","command":"/.agentgate/tools-relay","args":["--stdio",
 * "/.agentgate/tools/gateway-stdio.sock"]}}}}: the relay binary (mounted read-only) bridges the client's stdin/stdout to
 * the gateway's stdio socket, so the client uses its stdio transport and no HTTP stack. For clients that prefer HTTP,
 * the same gateway is at {@link #URL_ENV} (Streamable HTTP through the relay on the container's loopback), and
 * {@link #HTTP_FILE_NAME} holds the HTTP form ({@code {"mcpServers":{"agentgate":{"type":"http","url":...}}}}) — a separate
 * file, so that a client loading every server of a file does not see each tool twice.
 *
 * <p>Written on the host, mounted read-only; the paths are {@link #CONFIG_ENV} and {@link #HTTP_CONFIG_ENV}. Neither
 * holds a secret: the connectors' credentials stay on the host.
 */
public final class McpClientConfig {
    /** The server name agents see. */
    public static final String SERVER_NAME = "agentgate";
    /** Port of the gateway on the container's loopback (the egress relay has 3128). */
    public static final int CONTAINER_PORT = 3129;
    /** The gateway's MCP path (Streamable HTTP). */
    public static final String MCP_PATH = "/mcp";
    /** Mounted directory holding the configuration, and the files in it. */
    public static final String CONTAINER_DIR = "/.agentgate/mcp";
    public static final String FILE_NAME = "mcp.json";
    public static final String HTTP_FILE_NAME = "mcp-http.json";
    public static final String CONTAINER_FILE = CONTAINER_DIR + "/" + FILE_NAME;
    public static final String CONTAINER_HTTP_FILE = CONTAINER_DIR + "/" + HTTP_FILE_NAME;
    public static final String CONFIG_ENV = "AGENTGATE_MCP_CONFIG";
    public static final String HTTP_CONFIG_ENV = "AGENTGATE_MCP_HTTP_CONFIG";
    public static final String URL_ENV = "AGENTGATE_MCP_URL";

    private McpClientConfig() {}

    /** The gateway's URL inside the sandbox. */
    public static String url(int port) {
        return "http://127.0.0.1:" + port + MCP_PATH;
    }

    /**
     * The stdio form's JSON text (sorted keys, indented).
     *
     * @param relay       the relay binary as the sandbox sees it
     * @param stdioSocket the gateway's stdio socket as the sandbox sees it
     */
    public static String json(String relay, String stdioSocket) {
        return CanonicalJson.pretty(Map.of("mcpServers", Map.of(SERVER_NAME,
                Map.of("type", "stdio", "command", relay, "args", List.of("--stdio", stdioSocket))))) + "\n";
    }

    /** The HTTP form's JSON text (sorted keys, indented). */
    public static String httpJson(int port) {
        return CanonicalJson.pretty(Map.of("mcpServers", Map.of(SERVER_NAME, Map.of("type", "http", "url", url(port))))) + "\n";
    }

    /** The variables the agent gets: where the configurations are, and the URL itself. */
    public static Map<String, String> environment(int port) {
        return Map.of(CONFIG_ENV, CONTAINER_FILE, HTTP_CONFIG_ENV, CONTAINER_HTTP_FILE, URL_ENV, url(port));
    }

    /**
     * Writes {@code dir/mcp.json} (stdio form) and {@code dir/mcp-http.json} (HTTP form): {@code dir} is created (it must
     * not exist) with mode 0755 and the files 0444, so the sandbox user — whatever its uid — can read them and nobody can
     * change them through the read-only mount.
     *
     * @return the directory to mount at {@link #CONTAINER_DIR}
     */
    public static Path write(Path dir, int port, String relay, String stdioSocket) throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // stated, not left to the umask
        writeReadOnly(dir.resolve(FILE_NAME), json(relay, stdioSocket));
        writeReadOnly(dir.resolve(HTTP_FILE_NAME), httpJson(port));
        return dir;
    }

    private static void writeReadOnly(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    }
}
