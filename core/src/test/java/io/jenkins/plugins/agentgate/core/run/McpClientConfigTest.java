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
    void writesTheJsonFormAgentClisReadReadableByAnyUserAndChangeableByNone() throws Exception {
        Path dir = McpClientConfig.write(tmp.resolve("mcp"), 3129);
        Path file = dir.resolve("mcp.json");
        JsonNode n = new ObjectMapper().readTree(Files.readString(file));
        assertThat(n.get("mcpServers").size()).isEqualTo(1);
        JsonNode server = n.get("mcpServers").get("agentgate");
        assertThat(server.get("type").asText()).isEqualTo("http");
        assertThat(server.get("url").asText()).isEqualTo("http://127.0.0.1:3129/mcp");
        assertThat(server.size()).as("no headers, no token: the gateway needs none from the agent").isEqualTo(2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
        assertThat(McpClientConfig.environment(3129)).containsEntry("AGENTGATE_MCP_CONFIG", "/.agentgate/mcp/mcp.json")
                .containsEntry("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp").hasSize(2);
        // a fresh directory per run: never written into one that exists (it could be someone else's)
        assertThatThrownBy(() -> McpClientConfig.write(dir, 3129)).isInstanceOf(FileAlreadyExistsException.class);
    }
}
