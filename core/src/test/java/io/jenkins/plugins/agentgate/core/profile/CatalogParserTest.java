package io.jenkins.plugins.agentgate.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogParserTest {

    static final String FULL = """
            apiVersion: agentgate/v1
            classes:
              delivery: team-delivery
            templates:
              - id: changelog
                description: Update the changelog
                classes: [draft]
                promptPattern: "Update CHANGELOG.*"
                pathScope: ["CHANGELOG.md", "docs/**"]
            profiles:
              - id: team-delivery
                version: 3
                description: Delivery for the payments team
                image:
                  allowed: ["registry.example.com/agents/*"]
                  requireDigest: true
                  default: registry.example.com/agents/codex@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                network:
                  mode: allowlist
                  allow: ["api.openai.com", "*.npmjs.org:443"]
                  deny: ["evil.npmjs.org:*"]
                filesystem:
                  workspace: read-write
                  protectedPaths: [.git, Jenkinsfile, deploy]
                  extraMounts: [/opt/toolchains]
                tools: [git, npm]
                credentials:
                  allowed: [openai-key]
                  maxTtl: 20m
                  injection: [file]
                  requireFileWhenOutlasting: true
                limits:
                  cpus: 1.5
                  memory: 2g
                  pids: 128
                  timeout: 45m
                  maxOutput: 5m
                approval:
                  mode: dual
                  approvers: {users: [alice, bob], groups: [release-managers, sre]}
                  distinctGroups: true
                  expiry: 4h
                  windows:
                    - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00", zone: Europe/Berlin}
                  blackouts:
                    - {from: "2026-12-24T00:00", to: "2026-12-27T00:00", zone: Europe/Berlin, reason: holidays}
                  allowAdminBypass: false
                rollback: required
                evidence: {keepPrompt: true, requireSignature: true}
            """;

    @Test
    void readsEveryField() throws Exception {
        ProfileCatalog c = CatalogParser.parse("catalog.yaml", FULL);
        SandboxProfile p = c.profileFor(ExecutionClass.DELIVERY).orElseThrow();
        assertThat(p.id()).isEqualTo("team-delivery");
        assertThat(p.version()).isEqualTo(3);
        assertThat(p.image().allowed()).containsExactly("registry.example.com/agents/*");
        assertThat(p.image().requireDigest()).isTrue();
        assertThat(p.image().defaultImage()).startsWith("registry.example.com/agents/codex@sha256:");
        assertThat(p.network().mode()).isEqualTo(NetworkMode.ALLOWLIST);
        assertThat(p.network().allow()).containsExactly("*.npmjs.org:443", "api.openai.com:443");
        assertThat(p.network().deny()).containsExactly("evil.npmjs.org:*");
        assertThat(p.filesystem().workspace()).isEqualTo(WorkspaceAccess.READ_WRITE);
        assertThat(p.filesystem().protectedPaths()).containsExactly(".git", "Jenkinsfile", "deploy");
        assertThat(p.filesystem().extraMounts()).containsExactly("/opt/toolchains");
        assertThat(p.tools().allowed()).containsExactly("git", "npm");
        assertThat(p.credentials().allowed()).containsExactly("openai-key");
        assertThat(p.credentials().maxTtl()).isEqualTo(Duration.ofMinutes(20));
        assertThat(p.credentials().injection()).containsExactly(InjectionMode.FILE);
        assertThat(p.credentials().requireFileWhenOutlasting()).isTrue();
        assertThat(p.limits()).isEqualTo(new ResourceLimits(1.5, 2L << 30, 128, Duration.ofMinutes(45), 5L << 20));
        assertThat(p.approval().mode()).isEqualTo(ApprovalMode.DUAL);
        assertThat(p.approval().approvers().users()).containsExactly("alice", "bob");
        assertThat(p.approval().approvers().groups()).containsExactly("release-managers", "sre");
        assertThat(p.approval().distinctGroups()).isTrue();
        assertThat(p.approval().expiry()).isEqualTo(Duration.ofHours(4));
        assertThat(p.approval().windows()).containsExactly(new TimeWindow(
                List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY),
                LocalTime.of(9, 0), LocalTime.of(17, 0), ZoneId.of("Europe/Berlin")));
        assertThat(p.approval().blackouts()).hasSize(1);
        assertThat(p.approval().blackouts().get(0).reason()).isEqualTo("holidays");
        assertThat(p.rollback()).isEqualTo(RollbackExpectation.REQUIRED);
        assertThat(p.evidence()).isEqualTo(new EvidencePolicy(true, true));
        assertThat(c.templates()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("changelog");
            assertThat(t.classes()).containsExactly(ExecutionClass.DRAFT);
            assertThat(t.pathScope()).containsExactly("CHANGELOG.md", "docs/**");
        });
    }

    @Test
    void keepsBuiltInsAndTheirMappingForClassesTheFileDoesNotMap() throws Exception {
        ProfileCatalog c = CatalogParser.parse("catalog.yaml", FULL);
        assertThat(c.profileFor(ExecutionClass.DRAFT).orElseThrow().id()).isEqualTo(DefaultCatalog.DRAFT);
        assertThat(c.profileFor(ExecutionClass.PRIVILEGED).orElseThrow().id()).isEqualTo(DefaultCatalog.PRIVILEGED);
        assertThat(c.find(DefaultCatalog.DELIVERY)).isPresent();
    }

    @Test
    void omittedFieldsTakeTheDocumentedDefaults() throws Exception {
        ProfileCatalog c = CatalogParser.parse("min.yaml", "profiles:\n  - id: minimal\n");
        SandboxProfile p = c.find("minimal").orElseThrow();
        assertThat(p.version()).isEqualTo(1);
        assertThat(p.network()).isEqualTo(NetworkPolicy.closed());
        assertThat(p.filesystem()).isEqualTo(DefaultCatalog.defaultFilesystem());
        assertThat(p.filesystem().protectedPaths()).contains(".git", "Jenkinsfile", ".ci", ".github", ".jenkins");
        assertThat(p.tools().allowed()).isEmpty();
        assertThat(p.credentials()).isEqualTo(DefaultCatalog.noCredentials());
        assertThat(p.limits()).isEqualTo(DefaultCatalog.defaultLimits());
        assertThat(p.approval()).isEqualTo(ApprovalRule.none());
        assertThat(p.rollback()).isEqualTo(RollbackExpectation.BEST_EFFORT);
        assertThat(p.evidence()).isEqualTo(new EvidencePolicy(false, false));
    }

    @Test
    void reportsEveryProblemAtOnceWithFileLineFieldValueAndExpectation() {
        String yaml = """
                profiles:
                  - id: Bad_Id
                    network:
                      mode: open
                      allow: ["*.com", "api.example.com:99999"]
                    limits:
                      memory: lots
                      cpus: -1
                      timeout: soon
                    colour: blue
                    filesystem:
                      workspace: write-anything
                      extraMounts: [relative/path, /opt/../etc]
                classes:
                  draft: nowhere
                """;
        assertThatThrownBy(() -> CatalogParser.parse("bad.yaml", yaml))
                .isInstanceOfSatisfying(CatalogException.class, e -> {
                    List<String> lines = e.problems().stream().map(ConfigProblem::format).toList();
                    assertThat(lines).contains(
                            "bad.yaml:2: profiles[0].id: 'Bad_Id' is not valid; expected " + Values.ID_FORM,
                            "bad.yaml:4: profiles[0].network.mode: 'open' is not valid; expected none or allowlist",
                            "bad.yaml:7: profiles[0].limits.memory: 'lots' is not valid; expected " + Values.MEMORY_FORM,
                            "bad.yaml:8: profiles[0].limits.cpus: '-1' is not valid; expected a positive number of CPUs such as 0.5 or 2",
                            "bad.yaml:9: profiles[0].limits.timeout: 'soon' is not valid; expected " + Values.DURATION_FORM,
                            "bad.yaml:12: profiles[0].filesystem.workspace: 'write-anything' is not valid; expected read-only or read-write",
                            "bad.yaml:15: classes.draft: 'nowhere' is not valid; expected the id of a profile in this catalog or a built-in one (draft-default, delivery-default, privileged-default, Bad_Id)");
                    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("bad.yaml:5: profiles[0].network.allow[0]: '*.com' is not valid"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("bad.yaml:5: profiles[0].network.allow[1]: 'api.example.com:99999'"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("bad.yaml:10: profiles[0].colour: 'colour' is not valid; expected a known key: "));
                    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("bad.yaml:13: profiles[0].filesystem.extraMounts[0]: 'relative/path'"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("bad.yaml:13: profiles[0].filesystem.extraMounts[1]: '/opt/../etc'"));
                    assertThat(e.getMessage()).contains(e.problems().size() + " problem(s)");
                });
    }

    @Test
    void unknownTopLevelKeyIsAnErrorNotIgnored() {
        assertThatThrownBy(() -> CatalogParser.parse("c.yaml", "profile:\n  - id: x\n"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.line()).isEqualTo(1);
                            assertThat(p.field()).isEqualTo("profile");
                            assertThat(p.expected()).contains("profiles");
                        }));
    }

    @Test
    void syntaxErrorsCarryTheirLine() {
        assertThatThrownBy(() -> CatalogParser.parse("s.yaml", "profiles:\n  - id: a\n   bad: [\n"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.field()).isEqualTo("(syntax)");
                            assertThat(p.line()).isGreaterThan(1);
                        }));
    }

    @Test
    void duplicateKeysAndDuplicateProfileIdsAreReported() {
        String yaml = """
                profiles:
                  - id: a
                    version: 1
                    version: 2
                  - id: a
                """;
        assertThatThrownBy(() -> CatalogParser.parse("d.yaml", yaml))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::format)
                        .anySatisfy(l -> assertThat(l).startsWith("d.yaml:4: profiles[0].version: 'version' is not valid; expected each key only once"))
                        .anySatisfy(l -> assertThat(l).startsWith("d.yaml:5: profiles[1].id: 'a' is not valid; expected a profile id not already used (first defined at line 2)")));
    }

    @Test
    void wrongShapesAreReportedNotThrown() {
        String yaml = """
                profiles:
                  - id: a
                    tools: git
                    image: docker.io/x
                    approval:
                      mode: owner
                      distinctGroups: true
                      windows:
                        - {days: [funday], from: "25:00"}
                """;
        assertThatThrownBy(() -> CatalogParser.parse("w.yaml", yaml))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::format)
                        .anySatisfy(l -> assertThat(l).isEqualTo("w.yaml:3: profiles[0].tools: 'git' is not valid; expected a list"))
                        .anySatisfy(l -> assertThat(l).isEqualTo("w.yaml:4: profiles[0].image: 'docker.io/x' is not valid; expected a mapping of keys to values"))
                        .anySatisfy(l -> assertThat(l).startsWith("w.yaml:7: profiles[0].approval.distinctGroups: 'true' is not valid; expected distinctGroups only with mode dual"))
                        .anySatisfy(l -> assertThat(l).startsWith("w.yaml:9: profiles[0].approval.windows[0].days[0]: 'funday'"))
                        .anySatisfy(l -> assertThat(l).startsWith("w.yaml:9: profiles[0].approval.windows[0].from: '25:00'"))
                        .anySatisfy(l -> assertThat(l).startsWith("w.yaml:9: profiles[0].approval.windows[0].to: is missing")));
    }

    @Test
    void emptyFileIsAClearError() {
        assertThatThrownBy(() -> CatalogParser.parse("e.yaml", "# nothing\n"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems().get(0).format())
                        .startsWith("e.yaml:1: (file): '' is not valid; expected a catalog with at least one of"));
    }

    @Test
    void wrongApiVersionIsReported() {
        assertThatThrownBy(() -> CatalogParser.parse("v.yaml", "apiVersion: agentgate/v9\n"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems().get(0).format())
                        .isEqualTo("v.yaml:1: apiVersion: 'agentgate/v9' is not valid; expected agentgate/v1"));
    }
}
