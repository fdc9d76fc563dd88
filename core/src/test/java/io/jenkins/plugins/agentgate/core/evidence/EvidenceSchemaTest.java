package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceSchemaTest {
    @TempDir
    Path tmp;

    @Test
    void thePublishedSchemaIsTheOneTheVerifierUses() throws Exception {
        try (InputStream in = EvidenceSchema.class.getResourceAsStream(EvidenceSchema.RESOURCE)) {
            assertThat(Files.readAllBytes(Path.of("..", "docs", "schema", "evidence.schema.json"))).isEqualTo(in.readAllBytes());
        }
    }

    @Test
    void recordsConformAndViolationsAreNamed() throws Exception {
        EvidenceBundle b;
        try (EvidenceSession ev = EvidenceSession.start(tmp, "s1", null)) {
            b = ev.finish(EvidenceSessionTest.deniedFacts("s1", ExecutionClass.DELIVERY,
                    Fixtures.profile(ExecutionClass.DELIVERY)), null);
        }
        ObjectNode j = (ObjectNode) CanonicalJson.mapper().readTree(b.dir().resolve("evidence.json").toFile());
        assertThat(EvidenceSchema.validate(j)).isEmpty();
        j.put("outcome", "MAYBE");
        j.put("surprise", 1);
        j.remove("runtimeDenials");
        assertThat(EvidenceSchema.validate(j)).hasSize(3)
                .anyMatch(s -> s.contains("outcome")).anyMatch(s -> s.contains("surprise")).anyMatch(s -> s.contains("runtimeDenials"));
    }
}
