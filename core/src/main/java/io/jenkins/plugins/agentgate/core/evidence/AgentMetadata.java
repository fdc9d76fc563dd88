package io.jenkins.plugins.agentgate.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the agent reported about itself in its metadata file (agent name, version, token usage, ...).
 *
 * @param reported whether a metadata file was found and read
 * @param source   the file it came from (workspace-relative), or null
 * @param data     its JSON object, or an empty map
 * @param error    why it could not be read, or null
 */
public record AgentMetadata(boolean reported, String source, Map<String, Object> data, String error) {
    public static final long MAX_BYTES = 64 * 1024;

    public AgentMetadata {
        data = data == null ? Map.of() : data;
    }

    public static AgentMetadata none() {
        return new AgentMetadata(false, null, Map.of(), null);
    }

    /**
     * Reads an agent-written JSON object without following a symlink and at most {@link #MAX_BYTES}; a
     * missing file is "not reported", a bad one is recorded with the reason (the agent's output is untrusted).
     */
    @SuppressWarnings("unchecked")
    public static AgentMetadata read(Path file, String sourceName) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return none();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return new AgentMetadata(false, sourceName, Map.of(), "'" + sourceName
                    + "' is not a regular file (symlinks are not followed); expected a JSON object file");
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return new AgentMetadata(false, sourceName, Map.of(), "'" + sourceName + "' is larger than "
                        + MAX_BYTES + " bytes; expected a small JSON object");
            }
            JsonNode node = CanonicalJson.mapper().readTree(bytes);
            if (node == null || !node.isObject()) {
                return new AgentMetadata(false, sourceName, Map.of(), "'" + sourceName
                        + "' does not hold a JSON object; expected {\"key\": value, ...}");
            }
            return new AgentMetadata(true, sourceName, CanonicalJson.mapper().convertValue(node, Map.class), null);
        } catch (IOException e) {
            return new AgentMetadata(false, sourceName, Map.of(), "'" + sourceName + "' cannot be read as JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "); expected a JSON object");
        }
    }
}
