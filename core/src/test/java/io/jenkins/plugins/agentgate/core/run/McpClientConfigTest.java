package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McpClientConfigTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheJsonFormsAgentClisReadReadableByAnyUserAndChangeableByNone() throws Exception {
        Path dir = McpClientConfig.write(tmp.resolve("mcp"), 3129, "/.agentgate/tools-relay", "/.agentgate/tools/gateway-stdio.sock");
        Path file = dir.resolve("mcp.json");
        JsonNode n = new ObjectMapper().readTree(Files.readString(file));
        assertThat(n.get("mcpServers").size()).as("one server: a client loading every server sees each tool once").isEqualTo(1);
        JsonNode server = n.get("mcpServers").get("agentgate");
        assertThat(server.get("type").asText()).isEqualTo("stdio");
        assertThat(server.get("command").asText()).isEqualTo("/.agentgate/tools-relay");
        assertThat(server.get("args").toString()).isEqualTo("[\"--stdio\",\"/.agentgate/tools/gateway-stdio.sock\"]");
        assertThat(server.size()).as("no env, no token: the gateway needs none from the agent").isEqualTo(3);

        JsonNode h = new ObjectMapper().readTree(Files.readString(dir.resolve("mcp-http.json")));
        assertThat(h.get("mcpServers").size()).isEqualTo(1);
        JsonNode http = h.get("mcpServers").get("agentgate");
        assertThat(http.get("type").asText()).isEqualTo("http");
        assertThat(http.get("url").asText()).isEqualTo("http://127.0.0.1:3129/mcp");
        assertThat(http.size()).as("no headers, no token").isEqualTo(2);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("mcp-http.json")))).isEqualTo("r--r--r--");
        assertThat(McpClientConfig.environment(3129)).containsEntry("AGENTGATE_MCP_CONFIG", "/.agentgate/mcp/mcp.json")
                .containsEntry("AGENTGATE_MCP_HTTP_CONFIG", "/.agentgate/mcp/mcp-http.json")
                .containsEntry("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp").hasSize(3);
        // a fresh directory per run: never written into one that exists (it could be someone else's)
        assertThatThrownBy(() -> McpClientConfig.write(dir, 3129, "/r", "/s")).isInstanceOf(FileAlreadyExistsException.class);
    }
}
