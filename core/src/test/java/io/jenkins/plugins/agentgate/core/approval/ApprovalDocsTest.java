package io.jenkins.plugins.agentgate.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The catalog example of docs/approvals.md parses and means what the text says. */
class ApprovalDocsTest {
    private static final Path DOC = Path.of("..", "docs", "approvals.md");

    private static List<String> yamlBlocks() throws Exception {
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void everyYamlExampleIsAValidCatalog() throws Exception {
        List<String> blocks = yamlBlocks();
        assertThat(blocks).isNotEmpty();
        for (String yaml : blocks) {
            CatalogParser.parse(DOC.toString(), yaml); // throws CatalogException with file:line problems
        }
    }

    @Test
    void theWindowExampleBehavesAsDescribed() throws Exception {
        ProfileCatalog c = CatalogParser.parse(DOC.toString(), yamlBlocks().get(0));
        ApprovalRule rule = c.profileFor(ExecutionClass.PRIVILEGED).orElseThrow().approval();
        assertThat(rule.mode()).isEqualTo(ApprovalMode.DUAL);
        assertThat(rule.distinctGroups()).isTrue();
        assertThat(rule.expiry()).isEqualTo(Duration.ofHours(4));
        Schedule s = Schedule.of(rule);
        assertThat(s.isOpen(Instant.parse("2026-11-26T09:00:00Z"))).isTrue();    // Thursday 10:00 CET
        assertThat(s.isOpen(Instant.parse("2026-11-27T09:00:00Z"))).isFalse();   // Friday
        assertThat(s.isOpen(Instant.parse("2026-11-29T02:30:00Z"))).isTrue();    // Sunday 03:30, Saturday's overnight window
        assertThat(s.isOpen(Instant.parse("2026-12-28T09:00:00Z"))).isFalse();   // Monday in the year-end freeze
        assertThat(s.nextOpening(Instant.parse("2026-12-28T09:00:00Z")))
                .contains(Instant.parse("2027-01-02T21:00:00Z"));                // Saturday 22:00 CET, first window after the freeze
    }
}
