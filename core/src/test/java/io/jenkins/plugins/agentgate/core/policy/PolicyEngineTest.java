package io.jenkins.plugins.agentgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
    static final String DIGEST = "@sha256:" + "ab".repeat(32);
    static final String CATALOG = """
            classes: {delivery: team, draft: docs}
            profiles:
              - id: team
                image: {allowed: ["registry.example.com/agents/*"], default: registry.example.com/agents/codex:1}
                network: {mode: allowlist, allow: ["api.openai.com", "*.npmjs.org"], deny: ["evil.npmjs.org"]}
                filesystem: {workspace: read-write, extraMounts: [/opt/tools]}
                tools: [git, npm]
                credentials: {allowed: [openai-key, npm-token], maxTtl: 20m, injection: [env, file]}
                limits: {cpus: 2, memory: 2g, pids: 256, timeout: 30m, maxOutput: 10m}
                approval: {mode: owner, approvers: {users: [alice]}}
                rollback: required
              - id: team-narrow
                image: {allowed: ["registry.example.com/agents/codex*"]}
                network: {mode: allowlist, allow: ["api.openai.com"], deny: ["evil.npmjs.org"]}
                tools: [git]
                credentials: {allowed: [openai-key], maxTtl: 10m, injection: [file]}
                limits: {cpus: 1, memory: 1g, pids: 64, timeout: 10m, maxOutput: 1m}
              - id: team-wide
                image: {allowed: ["*"]}
                network: {mode: allowlist, allow: ["*.openai.com"]}
                tools: [git, curl]
              - id: docs
                network: {mode: none}
                image: {allowed: ["*"]}
                credentials: {allowed: [], maxTtl: 5m, injection: [env], requireFileWhenOutlasting: true}
            """;

    final PolicyEngine engine = new PolicyEngine();

    ProfileCatalog catalog() throws Exception {
        return CatalogParser.parse("test.yaml", CATALOG);
    }

    PolicyResult decide(RunRequest r) throws Exception {
        return engine.decide(catalog(), r);
    }

    static RunRequest.Builder delivery() {
        return RunRequest.builder(ExecutionClass.DELIVERY).requester("carol");
    }

    @Test
    void plainRequestInheritsTheClassProfile() throws Exception {
        PolicyResult r = decide(delivery().build());
        assertThat(r.allowed()).isTrue();
        RunPlan p = r.plan();
        assertThat(p.image()).isEqualTo("registry.example.com/agents/codex:1");
        assertThat(p.effective().tools().allowed()).containsExactly("git", "npm");
        assertThat(p.effective().network().allow()).containsExactly("*.npmjs.org:443", "api.openai.com:443");
        assertThat(p.classProfile().id()).isEqualTo("team");
        assertThat(p.classProfile().hash()).startsWith("sha256:").hasSize(71);
        assertThat(p.policyHash()).startsWith("sha256:");
        assertThat(p.requester()).isEqualTo("carol");
        assertThat(r.decisions()).allSatisfy(d -> assertThat(d.verdict()).isEqualTo(Verdict.ALLOW));
    }

    @Test
    void narrowingRequestIsGrantedExactly() throws Exception {
        PolicyResult r = decide(delivery()
                .tools(List.of("git"))
                .network(List.of("registry.npmjs.org"))
                .mounts(List.of("/opt/tools/jdk"))
                .workspace(WorkspaceAccess.READ_ONLY)
                .timeout(Duration.ofMinutes(5)).cpus(0.5).memoryBytes(512L << 20).pids(32).maxOutputBytes(1024L)
                .credential(new CredentialRequest("openai-key", Duration.ofMinutes(5), InjectionMode.FILE))
                .build());
        assertThat(r.denials()).isEmpty();
        var e = r.plan().effective();
        assertThat(e.tools().allowed()).containsExactly("git");
        assertThat(e.network().allow()).containsExactly("registry.npmjs.org:443");
        assertThat(e.network().deny()).containsExactly("evil.npmjs.org:443");
        assertThat(e.filesystem().extraMounts()).containsExactly("/opt/tools/jdk");
        assertThat(e.filesystem().workspace()).isEqualTo(WorkspaceAccess.READ_ONLY);
        assertThat(e.limits().timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(e.limits().cpus()).isEqualTo(0.5);
        assertThat(e.limits().pids()).isEqualTo(32);
        assertThat(r.plan().credentials()).containsExactly(new CredentialGrant("openai-key", Duration.ofMinutes(5), InjectionMode.FILE));
        assertThat(r.plan().policyHash()).isNotEqualTo(r.plan().classProfile().hash());
    }

    @Test
    void emptyNetworkRequestClosesTheNetwork() throws Exception {
        PolicyResult r = decide(delivery().network(List.of()).build());
        assertThat(r.plan().effective().network().mode()).isEqualTo(NetworkMode.NONE);
    }

    @Test
    void everyWideningIsADenialNamingItsRule() throws Exception {
        PolicyResult r = decide(delivery()
                .image("docker.io/library/ubuntu:latest")
                .tools(List.of("git", "curl"))
                .network(List.of("evil.npmjs.org", "api.openai.com:80", "github.com", "10.0.0.1"))
                .mounts(List.of("/etc", "/opt/toolsX", "/opt/tools/../../etc"))
                .timeout(Duration.ofHours(2)).cpus(4.0).memoryBytes(8L << 30).pids(100000).maxOutputBytes(1L << 40)
                .credential(CredentialRequest.of("aws-root"))
                .credential(new CredentialRequest("openai-key", Duration.ofHours(1), null))
                .build());
        assertThat(r.allowed()).isFalse();
        assertThat(r.plan()).isNull();
        Map<String, List<String>> denied = r.denials().stream().collect(java.util.stream.Collectors.groupingBy(
                Decision::ruleId, java.util.stream.Collectors.mapping(Decision::requested, java.util.stream.Collectors.toList())));
        assertThat(denied).containsEntry(Rules.IMAGE_ALLOWLIST, List.of("docker.io/library/ubuntu:latest"))
                .containsEntry(Rules.TOOL_ALLOWLIST, List.of("curl"))
                .containsEntry(Rules.NETWORK_DENYLIST, List.of("evil.npmjs.org"))
                .containsEntry(Rules.NETWORK_ALLOWLIST, List.of("api.openai.com:80", "github.com", "10.0.0.1"))
                .containsEntry(Rules.MOUNT_ALLOWLIST, List.of("/etc", "/opt/toolsX", "/opt/tools/../../etc"))
                .containsEntry(Rules.LIMIT_TIMEOUT, List.of("2h"))
                .containsEntry(Rules.LIMIT_CPUS, List.of("4.0"))
                .containsEntry(Rules.LIMIT_MEMORY, List.of(String.valueOf(8L << 30)))
                .containsEntry(Rules.LIMIT_PIDS, List.of("100000"))
                .containsEntry(Rules.LIMIT_OUTPUT, List.of(String.valueOf(1L << 40)))
                .containsEntry(Rules.CREDENTIAL_ALLOWLIST, List.of("aws-root"))
                .containsEntry(Rules.CREDENTIAL_TTL, List.of("openai-key"));
        assertThat(r.denials()).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
        assertThat(r.denials().stream().filter(d -> d.ruleId().equals(Rules.TOOL_ALLOWLIST)).findFirst().orElseThrow().format())
                .isEqualTo("DENY tool 'curl' [tool.allowlist]: not declared; the profile allows [git, npm]");
    }

    @Test
    void workspaceCannotBeWidened() throws Exception {
        String ro = "classes: {draft: ro}\nprofiles:\n  - id: ro\n    filesystem: {workspace: read-only}\n    image: {allowed: ['*'], default: busybox}\n";
        PolicyResult r = engine.decide(CatalogParser.parse("ro.yaml", ro),
                RunRequest.builder(ExecutionClass.DRAFT).workspace(WorkspaceAccess.READ_WRITE).build());
        assertThat(r.denials()).extracting(Decision::ruleId).containsExactly(Rules.WORKSPACE_ACCESS);
    }

    @Test
    void imageRulesValidityAndDigest() throws Exception {
        assertThat(decide(delivery().image("--privileged").build()).denials()).extracting(Decision::ruleId)
                .containsExactly(Rules.IMAGE_VALID);
        assertThat(decide(delivery().image("registry.example.com/agents/x y").build()).denials()).extracting(Decision::ruleId)
                .containsExactly(Rules.IMAGE_VALID);
        PolicyResult noImage = engine.decide(DefaultCatalog.get(), RunRequest.builder(ExecutionClass.DRAFT).build());
        assertThat(noImage.denials()).extracting(Decision::ruleId).containsExactly(Rules.IMAGE_REQUIRED);
        PolicyResult unpinned = engine.decide(DefaultCatalog.get(), RunRequest.builder(ExecutionClass.PRIVILEGED).image("busybox:1").build());
        assertThat(unpinned.denials()).extracting(Decision::ruleId).containsExactly(Rules.IMAGE_DIGEST);
        PolicyResult pinned = engine.decide(DefaultCatalog.get(), RunRequest.builder(ExecutionClass.PRIVILEGED).image("busybox" + DIGEST).build());
        assertThat(pinned.allowed()).isTrue();
    }

    @Test
    void aNarrowerNamedProfileIsAcceptedButKeepsTheClassGovernance() throws Exception {
        PolicyResult r = decide(delivery().profileId("team-narrow").build());
        assertThat(r.denials()).isEmpty();
        assertThat(r.plan().effective().id()).isEqualTo("team-narrow");
        assertThat(r.plan().classProfile().id()).isEqualTo("team");
        assertThat(r.plan().effective().approval().approvers().users()).containsExactly("alice");
        assertThat(r.plan().effective().rollback()).isEqualTo(catalog().find("team").orElseThrow().rollback());
    }

    @Test
    void aWiderNamedProfileIsDeniedWithEveryReason() throws Exception {
        PolicyResult r = decide(delivery().profileId("team-wide").image("registry.example.com/agents/codex:1").build());
        assertThat(r.denials()).singleElement().satisfies(d -> {
            assertThat(d.ruleId()).isEqualTo(Rules.PROFILE_NARROWER);
            assertThat(d.reason()).contains("image pattern '*'", "tool 'curl'", "destination '*.openai.com:443'");
        });
        assertThat(decide(delivery().profileId("nope").build()).denials()).extracting(Decision::ruleId)
                .containsExactly(Rules.PROFILE_KNOWN);
    }

    @Test
    void unmappedClassIsDenied() throws Exception {
        ProfileCatalog c = new ProfileCatalog("x", List.of(), Map.of(), List.of());
        assertThat(engine.decide(c, RunRequest.builder(ExecutionClass.DRAFT).build()).denials())
                .extracting(Decision::ruleId).containsExactly(Rules.CLASS_MAPPED);
    }

    @Test
    void credentialInjectionRules() throws Exception {
        String yaml = """
                classes: {delivery: c}
                profiles:
                  - id: c
                    image: {allowed: ['*'], default: busybox}
                    credentials: {allowed: [k], maxTtl: 10m, injection: [env, file], requireFileWhenOutlasting: true}
                    limits: {timeout: 30m}
                """;
        ProfileCatalog c = CatalogParser.parse("c.yaml", yaml);
        PolicyResult envShort = engine.decide(c, RunRequest.builder(ExecutionClass.DELIVERY)
                .credential(new CredentialRequest("k", Duration.ofMinutes(5), InjectionMode.ENV)).build());
        assertThat(envShort.denials()).extracting(Decision::ruleId).containsExactly(Rules.CREDENTIAL_FILE_WHEN_OUTLASTING);
        PolicyResult defaulted = engine.decide(c, RunRequest.builder(ExecutionClass.DELIVERY).credential(CredentialRequest.of("k")).build());
        assertThat(defaulted.plan().credentials()).containsExactly(new CredentialGrant("k", Duration.ofMinutes(10), InjectionMode.FILE));
        PolicyResult outlived = engine.decide(c, RunRequest.builder(ExecutionClass.DELIVERY).timeout(Duration.ofMinutes(5))
                .credential(new CredentialRequest("k", null, InjectionMode.ENV)).build());
        assertThat(outlived.denials()).isEmpty();
    }

    @Test
    void decisionIsDeterministic() throws Exception {
        RunRequest req = delivery().tools(List.of("npm", "git")).build();
        assertThat(decide(req)).isEqualTo(decide(req));
    }
}
