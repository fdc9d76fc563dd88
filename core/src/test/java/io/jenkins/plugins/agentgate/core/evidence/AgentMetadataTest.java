package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMetadataTest {
    @TempDir
    Path tmp;

    @Test
    void readsAJsonObject() throws Exception {
        Files.writeString(tmp.resolve("m.json"), "{\"agent\":\"codex\",\"usage\":{\"tokens\":12}}");
        AgentMetadata m = AgentMetadata.read(tmp.resolve("m.json"), "m.json");
        assertThat(m.reported()).isTrue();
        assertThat(m.data()).containsEntry("agent", "codex");
        assertThat(m.error()).isNull();
    }

    @Test
    void aMissingFileIsNotReported() {
        assertThat(AgentMetadata.read(tmp.resolve("none.json"), "none.json")).isEqualTo(AgentMetadata.none());
    }

    @Test
    void untrustedInputIsRecordedWithTheReason() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "{\"stolen\":true}");
        Files.createSymbolicLink(tmp.resolve("link.json"), secret);
        assertThat(AgentMetadata.read(tmp.resolve("link.json"), "link.json").error())
                .contains("not a regular file (symlinks are not followed)");
        Files.writeString(tmp.resolve("big.json"), "{\"a\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(AgentMetadata.read(tmp.resolve("big.json"), "big.json").error()).contains("larger than 65536 bytes");
        Files.writeString(tmp.resolve("arr.json"), "[1,2]");
        assertThat(AgentMetadata.read(tmp.resolve("arr.json"), "arr.json").error()).contains("does not hold a JSON object");
        Files.writeString(tmp.resolve("bad.json"), "{nope");
        AgentMetadata bad = AgentMetadata.read(tmp.resolve("bad.json"), "bad.json");
        assertThat(bad.reported()).isFalse();
        assertThat(bad.error()).contains("cannot be read as JSON");
    }
}
