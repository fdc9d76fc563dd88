package io.jenkins.plugins.agentgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PolicyHashTest {
    static final String BASE = """
            profiles:
              - id: p
                version: 2
                description: original text
                image: {allowed: ["registry.example.com/*", "busybox:*"], requireDigest: false}
                network: {mode: allowlist, allow: ["api.openai.com", "*.npmjs.org:443"]}
                tools: [git, npm]
                limits: {cpus: 2, memory: 1g, timeout: 30m}
                approval: {mode: owner, approvers: {users: [alice], groups: [release]}}
            """;

    /** Same meaning, written differently: key order, flow vs block style, quoting, comments, spacing, list order, units. */
    static final String SAME = """
            # the same profile, reformatted
            profiles:
            - version: 2
              id: 'p'
              description: "a different description does not change the hash"
              tools:
                - npm   # order of a set is not meaning
                - git
              approval:
                approvers:
                  groups: [ release ]
                  users: ["alice"]
                mode: owner
              limits:
                timeout: PT30M
                memory: 1024m
                cpus: 2.0
              network:
                allow:
                  - "*.npmjs.org"
                  - api.openai.com:443
                mode: "allowlist"
              image:
                requireDigest: false
                allowed: ["busybox:*", 'registry.example.com/*']
            """;

    static SandboxProfile profile(String yaml) throws Exception {
        return CatalogParser.parse("h.yaml", yaml).find("p").orElseThrow();
    }

    @Test
    void formattingDoesNotChangeTheHash() throws Exception {
        assertThat(PolicyHash.of(profile(SAME))).isEqualTo(PolicyHash.of(profile(BASE)));
    }

    @Test
    void hashIsStableAcrossRunsAndShapedLikeADigest() throws Exception {
        String h = PolicyHash.of(profile(BASE));
        assertThat(h).matches("sha256:[0-9a-f]{64}");
        assertThat(PolicyHash.of(profile(BASE))).isEqualTo(h);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "version: 2|version: 3",
            "requireDigest: false|requireDigest: true",
            "\"busybox:*\"|\"busybox:1*\"",
            "api.openai.com\"|api.openai.com:8443\"",
            "tools: [git, npm]|tools: [git]",
            "cpus: 2|cpus: 3",
            "memory: 1g|memory: 2g",
            "timeout: 30m|timeout: 31m",
            "mode: owner|mode: dual",
            "users: [alice]|users: [alice, bob]",
    })
    void everySemanticChangeChangesTheHash(String change) throws Exception {
        String[] fromTo = change.split("\\|");
        String changed = BASE.replace(fromTo[0], fromTo[1]);
        assertThat(changed).isNotEqualTo(BASE);
        assertThat(PolicyHash.of(profile(changed))).isNotEqualTo(PolicyHash.of(profile(BASE)));
    }
}
