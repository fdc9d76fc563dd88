package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records and summaries travel into the evidence as canonical JSON and read back unchanged. */
class EgressRecordJsonTest {
    @Test
    void recordsAndSummariesRoundTripThroughCanonicalJson() throws Exception {
        EgressRecord r = new EgressRecord(3, Instant.parse("2026-11-27T14:00:00.123Z"), "CONNECT", "api.example.com", 443,
                EgressVerdict.DENIED, "network.not-allowlisted", null, null, 0, 0, 1, EndReason.REFUSED, "not allowed");
        String json = CanonicalJson.string(r);
        assertThat(json).contains("\"start\":\"2026-11-27T14:00:00.123Z\"", "\"verdict\":\"DENIED\"",
                "\"rule\":\"network.not-allowlisted\"").doesNotContain("unauthorized");
        assertThat(CanonicalJson.mapper().readValue(json, EgressRecord.class)).isEqualTo(r);

        EgressSummary s = new EgressSummary(4, 1, 2, 1, 100, 2000, true, false, 0, List.of("evil.test:443"));
        assertThat(CanonicalJson.mapper().readValue(CanonicalJson.string(s), EgressSummary.class)).isEqualTo(s);
    }
}
