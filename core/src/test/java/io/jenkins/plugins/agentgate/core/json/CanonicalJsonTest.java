package io.jenkins.plugins.agentgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    record Sample(String zeta, int alpha, Duration timeout, Map<String, Object> extra) {}

    @Test
    void sortsKeysAtEveryLevelWhateverTheyCameFrom() {
        ObjectNode node = CanonicalJson.mapper().createObjectNode();
        node.put("b", 1);
        node.putObject("a").put("y", true).put("x", "s");
        assertThat(CanonicalJson.string(node)).isEqualTo("{\"a\":{\"x\":\"s\",\"y\":true},\"b\":1}");

        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("k2", 2);
        extra.put("k1", Map.of("z", 1, "a", 2));
        assertThat(CanonicalJson.string(new Sample("z", 1, Duration.ofMinutes(15), extra)))
                .isEqualTo("{\"alpha\":1,\"extra\":{\"k1\":{\"a\":2,\"z\":1},\"k2\":2},\"timeout\":\"PT15M\",\"zeta\":\"z\"}");
    }

    @Test
    void digestsAreLowerCaseHex() {
        assertThat(Digests.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
