package io.jenkins.plugins.agentgate.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.Rules;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** From the admin's profile to a lease: only what the policy grants can be leased, for no longer than it allows. */
class CredentialPolicyToLeaseTest {
    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: delivery-creds
                credentials:
                  allowed: [github-token, deploy.key]
                  maxTtl: 10m
                  injection: [env, file]
                  requireFileWhenOutlasting: true
                limits:
                  timeout: 5m
            classes:
              delivery: delivery-creds
            """;

    private final ProfileCatalog catalog = parse();

    private static ProfileCatalog parse() {
        try {
            return CatalogParser.parse("catalog.yaml", CATALOG);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private PolicyResult decide(CredentialRequest... creds) {
        RunRequest.Builder b = RunRequest.builder(ExecutionClass.DELIVERY).image("busybox:local");
        for (CredentialRequest c : creds) {
            b.credential(c);
        }
        return new PolicyEngine().decide(catalog, b.build());
    }

    @Test
    void aCredentialOutsideTheProfileIsADenialNamingTheRule() {
        PolicyResult r = decide(CredentialRequest.of("github-token"), CredentialRequest.of("prod-db-password"));
        assertThat(r.allowed()).isFalse();
        assertThat(r.denials()).singleElement().satisfies(d -> {
            assertThat(d.ruleId()).isEqualTo(Rules.CREDENTIAL_ALLOWLIST);
            assertThat(d.requested()).isEqualTo("prod-db-password");
            assertThat(d.format()).contains("DENY credential 'prod-db-password' [credential.allowlist]")
                    .contains("github-token");
        });
    }

    @Test
    void aTtlBeyondTheProfileMaximumIsDenied() {
        PolicyResult r = decide(new CredentialRequest("github-token", Duration.ofMinutes(11), InjectionMode.FILE));
        assertThat(r.denials()).extracting(Decision::ruleId).containsExactly(Rules.CREDENTIAL_TTL);
    }

    @Test
    void envModeForALeaseShorterThanTheRunIsDeniedWhenTheProfileRequiresFiles() {
        PolicyResult r = decide(new CredentialRequest("github-token", Duration.ofMinutes(1), InjectionMode.ENV));
        assertThat(r.denials()).extracting(Decision::ruleId).containsExactly(Rules.CREDENTIAL_FILE_WHEN_OUTLASTING);
    }

    @Test
    void grantsOfAnAllowedPlanBecomeLeasesWithTheGrantedTtlAndMode() throws Exception {
        PolicyResult r = decide(new CredentialRequest("deploy.key", Duration.ofMinutes(2), InjectionMode.FILE),
                new CredentialRequest("github-token", null, InjectionMode.ENV));
        assertThat(r.allowed()).as(r.decisions().toString()).isTrue();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
        LeaseBroker broker = new LeaseBroker("run-1", new MapSecretSource(Map.of(
                "deploy.key", "deploy-key-bytes-0001", "github-token", "ghp_tokentokentoken")), clock);
        broker.leaseAll(r.plan().credentials());
        assertThat(broker.records()).extracting(LeaseRecord::credentialId, LeaseRecord::ttl, LeaseRecord::mode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deploy.key", Duration.ofMinutes(2), InjectionMode.FILE),
                        org.assertj.core.groups.Tuple.tuple("github-token", Duration.ofMinutes(10), InjectionMode.ENV));
    }
}
