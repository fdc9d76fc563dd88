package io.jenkins.plugins.agentgate.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Top-level connectors and MCP tool entries in profiles (docs/profiles.md, docs/tool-gateway.md). */
class CatalogConnectorsTest {
    static final String CATALOG = """
            connectors:
              - id: fs
                description: docs reader
                command: [node, /opt/mcp/server-filesystem/dist/index.js, /srv/docs]
                env: {LOG_LEVEL: warn}
                credentials: [{id: gh-token, env: GITHUB_TOKEN}]
                callTimeout: 45s
              - id: tracker
                url: http://127.0.0.1:8931/mcp
            profiles:
              - id: docs
                tools:
                  - git
                  - name: read_file
                    connector: fs
                    args:
                      path: {prefix: [docs/, ./src//main/, /srv/docs]}
                      mode: {values: [fast, full]}
                  - name: list_issues
                    connector: tracker
              - id: cli-only
                tools: [git, make]
            """;

    static List<String> problems(String yaml) {
        try {
            CatalogParser.parse("c.yaml", yaml);
        } catch (CatalogException e) {
            return e.problems().stream().map(ConfigProblem::format).toList();
        }
        throw new AssertionError("expected problems in:\n" + yaml);
    }

    @Test
    void readsConnectorsAndMcpToolEntriesNextToPlainNames() throws Exception {
        SandboxProfile p = CatalogParser.parse("c.yaml", CATALOG).find("docs").orElseThrow();
        ToolPolicy t = p.tools();
        assertThat(t.allowed()).containsExactly("git");
        assertThat(t.names()).containsExactly("git", "list_issues", "read_file");
        McpTool read = t.mcpTool("read_file").orElseThrow();
        assertThat(read.connector()).isEqualTo("fs");
        assertThat(read.args()).containsOnlyKeys("mode", "path");
        assertThat(read.args().get("path").prefix()).containsExactly("/srv/docs", "docs", "src/main");
        assertThat(read.args().get("mode").values()).containsExactly("fast", "full");
        Connector fs = t.connector("fs").orElseThrow();
        assertThat(fs.command()).containsExactly("node", "/opt/mcp/server-filesystem/dist/index.js", "/srv/docs");
        assertThat(fs.env()).containsExactlyEntriesOf(Map.of("LOG_LEVEL", "warn"));
        assertThat(fs.credentials()).containsExactly(new ConnectorCredential("gh-token", "GITHUB_TOKEN"));
        assertThat(fs.callTimeout()).isEqualTo(Duration.ofSeconds(45));
        Connector tracker = t.connector("tracker").orElseThrow();
        assertThat(tracker.url()).isEqualTo("http://127.0.0.1:8931/mcp");
        assertThat(tracker.hasCommand()).isFalse();
        assertThat(tracker.callTimeout()).isEqualTo(Connector.DEFAULT_CALL_TIMEOUT);
    }

    @Test
    void aProfileCarriesOnlyTheConnectorsItsToolsUse() throws Exception {
        ProfileCatalog c = CatalogParser.parse("c.yaml", CATALOG);
        assertThat(c.find("cli-only").orElseThrow().tools().connectors()).isEmpty();
        assertThat(c.find("docs").orElseThrow().tools().connectors()).extracting(Connector::id).containsExactly("fs", "tracker");
    }

    @Test
    void badConnectorsAreReportedWithFieldValueAndExpectation() {
        List<String> lines = problems("""
                connectors:
                  - id: both
                    command: [x]
                    url: http://127.0.0.1/mcp
                  - id: neither
                  - id: Bad
                    url: ftp://example.invalid/
                    secret: x
                  - id: remote
                    url: http://127.0.0.1:1/mcp
                    credentials: [{id: tok, env: TOKEN}]
                  - id: envs
                    command: [x]
                    env: {1BAD: v, OK: v}
                    credentials: [{id: tok, env: OK}, {id: Tok, env: T2}]
                    callTimeout: soon
                  - id: both
                    command: [y]
                """);
        assertThat(lines).contains(
                "c.yaml:4: connectors[0].url: 'http://127.0.0.1/mcp' is not valid; expected exactly one of command or url, not both",
                "c.yaml:5: connectors[1].command: is missing; expected exactly one of command (a stdio MCP server started on the host) or url (an http or https URL of a Streamable-HTTP MCP endpoint such as http://127.0.0.1:8931/mcp)",
                "c.yaml:6: connectors[2].id: 'Bad' is not valid; expected a connector id: " + Values.ID_FORM,
                "c.yaml:7: connectors[2].url: 'ftp://example.invalid/' is not valid; expected an http or https URL of a Streamable-HTTP MCP endpoint such as http://127.0.0.1:8931/mcp",
                "c.yaml:11: connectors[3].credentials: 'a list' is not valid; expected no credentials for a url connector (they are passed in a command's environment)",
                "c.yaml:14: connectors[4].env.1BAD: '1BAD' is not valid; expected an environment variable name: a letter or '_', then letters, digits or '_'",
                "c.yaml:15: connectors[4].credentials[0].env: 'OK' is not valid; expected a variable not already set by env or another credential",
                "c.yaml:15: connectors[4].credentials[1].id: 'Tok' is not valid; expected a credential id: " + Values.ID_FORM,
                "c.yaml:16: connectors[4].callTimeout: 'soon' is not valid; expected " + Values.DURATION_FORM);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("c.yaml:8: connectors[2].secret: 'secret' is not valid; expected a known key: "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("c.yaml:17: connectors[5].id: 'both' is not valid; expected a connector id not already used"));
    }

    @Test
    void badToolEntriesAreReportedWithFieldValueAndExpectation() {
        List<String> lines = problems("""
                connectors:
                  - id: fs
                    command: [x]
                profiles:
                  - id: p
                    tools:
                      - git
                      - name: read_file
                        connector: nope
                      - name: "bad name!"
                        connector: fs
                      - name: git
                        connector: fs
                      - name: write_file
                        connector: fs
                        args:
                          path: {prefix: [../up]}
                          mode: {values: []}
                          other: {regex: ".*"}
                          abs: {prefix: [~/x, "/a/./b/../c"]}
                      - connector: fs
                        colour: red
                      - [nested]
                """);
        assertThat(lines).contains(
                "c.yaml:9: profiles[0].tools[1].connector: 'nope' is not valid; expected the id of a connector under top-level connectors (fs)",
                "c.yaml:10: profiles[0].tools[2].name: 'bad name!' is not valid; expected " + McpTool.NAME_FORM,
                "c.yaml:12: profiles[0].tools[3].name: 'git' is not valid; expected a tool name not already declared in this profile (first at line 7)",
                "c.yaml:17: profiles[0].tools[4].args.path.prefix[0]: '../up' is not valid; expected " + ArgumentConstraint.PREFIX_FORM,
                "c.yaml:18: profiles[0].tools[4].args.mode: 'a mapping' is not valid; expected a constraint with a non-empty prefix list and/or values list",
                "c.yaml:20: profiles[0].tools[4].args.abs.prefix[0]: '~/x' is not valid; expected " + ArgumentConstraint.PREFIX_FORM,
                "c.yaml:20: profiles[0].tools[4].args.abs.prefix[1]: '/a/./b/../c' is not valid; expected " + ArgumentConstraint.PREFIX_FORM,
                "c.yaml:21: profiles[0].tools[5].name: is missing; expected " + McpTool.NAME_FORM,
                "c.yaml:23: profiles[0].tools[6]: 'a list' is not valid; expected a mapping of keys to values");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("c.yaml:19: profiles[0].tools[4].args.other.regex: 'regex' is not valid; expected a known key: prefix, values"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("c.yaml:22: profiles[0].tools[5].colour: 'colour' is not valid; expected a known key: "));
    }

    @Test
    void plainToolNamesKeepTheirMeaningAndForm() {
        assertThat(problems("profiles:\n  - id: p\n    tools: [Git]\n")).containsExactly(
                "c.yaml:3: profiles[0].tools[0]: 'Git' is not valid; expected a tool name: " + Values.ID_FORM);
    }
}
