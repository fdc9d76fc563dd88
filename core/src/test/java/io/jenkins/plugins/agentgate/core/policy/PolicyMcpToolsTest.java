package io.jenkins.plugins.agentgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MCP tools in policy: narrowing by request and by profile, and the policy hash. */
class PolicyMcpToolsTest {
    static final String CATALOG = """
            classes: {draft: team}
            connectors:
              - id: fs
                description: docs reader
                command: [node, /opt/mcp/fs.js, /srv/docs]
                credentials: [{id: gh-token, env: GITHUB_TOKEN}]
              - id: tracker
                url: http://127.0.0.1:8931/mcp
            profiles:
              - id: team
                image: {allowed: ["*"], default: "agent:1"}
                tools:
                  - git
                  - name: read_file
                    connector: fs
                    args: {path: {prefix: [docs, src]}}
                  - name: list_issues
                    connector: tracker
              - id: team-narrow
                image: {allowed: ["*"]}
                tools:
                  - name: read_file
                    connector: fs
                    args: {path: {prefix: [docs/api]}, mode: {values: [fast]}}
              - id: team-loose
                image: {allowed: ["*"]}
                tools:
                  - name: read_file
                    connector: fs
              - id: team-other-connector
                image: {allowed: ["*"]}
                tools:
                  - name: read_file
                    connector: tracker
                    args: {path: {prefix: [docs]}}
            """;

    final PolicyEngine engine = new PolicyEngine();

    ProfileCatalog catalog() throws Exception {
        return CatalogParser.parse("t.yaml", CATALOG);
    }

    PolicyResult decide(RunRequest.Builder b) throws Exception {
        return engine.decide(catalog(), b.requester("carol").build());
    }

    @Test
    void withoutToolsTheRunGetsEveryDeclaredToolAndItsConnectors() throws Exception {
        PolicyResult r = decide(RunRequest.builder(ExecutionClass.DRAFT));
        assertThat(r.plan()).isNotNull();
        assertThat(r.plan().effective().tools().names()).containsExactly("git", "list_issues", "read_file");
        assertThat(r.plan().effective().tools().connectors()).extracting(Connector::id).containsExactly("fs", "tracker");
    }

    @Test
    void aRequestSelectsASubsetOfMcpToolsAndKeepsOnlyTheirConnectors() throws Exception {
        PolicyResult r = decide(RunRequest.builder(ExecutionClass.DRAFT).tools(List.of("read_file")));
        assertThat(r.plan()).isNotNull();
        var tools = r.plan().effective().tools();
        assertThat(tools.allowed()).isEmpty();
        assertThat(tools.mcp()).extracting(McpTool::name).containsExactly("read_file");
        assertThat(tools.connectors()).extracting(Connector::id).containsExactly("fs");
        assertThat(r.decisions()).anySatisfy(d -> {
            assertThat(d.requested()).isEqualTo("read_file");
            assertThat(d.denied()).isFalse();
            assertThat(d.reason()).contains("connector fs");
        });
    }

    @Test
    void naming_aToolTheProfileLacksIsDenied() throws Exception {
        PolicyResult r = decide(RunRequest.builder(ExecutionClass.DRAFT).tools(List.of("read_file", "write_file")));
        assertThat(r.plan()).isNull();
        assertThat(r.decisions()).anySatisfy(d -> {
            assertThat(d.requested()).isEqualTo("write_file");
            assertThat(d.denied()).isTrue();
            assertThat(d.ruleId()).isEqualTo(Rules.TOOL_ALLOWLIST);
            assertThat(d.reason()).contains("[git, list_issues, read_file]");
        });
    }

    @Test
    void aNamedProfileMayTightenMcpToolsButNotLoosenOrRewireThem() throws Exception {
        assertThat(decide(RunRequest.builder(ExecutionClass.DRAFT).profileId("team-narrow")).plan()).isNotNull();
        PolicyResult loose = decide(RunRequest.builder(ExecutionClass.DRAFT).profileId("team-loose"));
        assertThat(loose.plan()).isNull();
        assertThat(loose.decisions()).anySatisfy(d -> assertThat(d.reason()).contains("argument 'path' is unconstrained"));
        PolicyResult other = decide(RunRequest.builder(ExecutionClass.DRAFT).profileId("team-other-connector"));
        assertThat(other.plan()).isNull();
        assertThat(other.decisions()).anySatisfy(d -> assertThat(d.reason()).contains("uses connector 'tracker'"));
    }

    @Test
    void thePolicyHashCoversMcpToolsAndTheirConnectorsButNotDescriptions() throws Exception {
        SandboxProfile team = catalog().find("team").orElseThrow();
        String h = PolicyHash.of(team);
        assertThat(PolicyHash.of(parse(CATALOG.replace("docs reader", "reads the docs")))).isEqualTo(h);
        assertThat(PolicyHash.of(parse(CATALOG.replace("/srv/docs]", "/srv]")))).isNotEqualTo(h);
        assertThat(PolicyHash.of(parse(CATALOG.replace("env: GITHUB_TOKEN", "env: GH_TOKEN")))).isNotEqualTo(h);
        assertThat(PolicyHash.of(parse(CATALOG.replace("prefix: [docs, src]", "prefix: [docs]")))).isNotEqualTo(h);
        assertThat(PolicyHash.of(parse(CATALOG.replace("8931", "8932")))).isNotEqualTo(h);
        // Key order and YAML form do not matter.
        assertThat(PolicyHash.of(parse(CATALOG.replace("prefix: [docs, src]", "prefix: [src/, ./docs]")))).isEqualTo(h);
        assertThat(new String(PolicyHash.canonicalBytes(team))).doesNotContain("docs reader");
    }

    @Test
    void profilesWithoutMcpToolsHashAsBefore() throws Exception {
        // The canonical form of a CLI-only tool list is unchanged: {"allowed":[...]}, nothing else.
        SandboxProfile p = CatalogParser.parse("p.yaml", "profiles:\n  - id: p\n    tools: [git]\n").find("p").orElseThrow();
        assertThat(new String(PolicyHash.canonicalBytes(p))).contains("\"tools\":{\"allowed\":[\"git\"]}");
    }

    static SandboxProfile parse(String yaml) throws Exception {
        return CatalogParser.parse("t.yaml", yaml).find("team").orElseThrow();
    }
}
