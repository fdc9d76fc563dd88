package io.jenkins.plugins.agentgate.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class LeaseBrokerTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final MapSecretSource source = new MapSecretSource(Map.of(
            "github-token", "ghp_0123456789abcdef",
            "deploy.key", "-----deploy-key-material-----",
            "npm-token", "npm_ABCDEFGHIJKLMNOP",
            "short", "abc"));

    private LeaseBroker broker() {
        return new LeaseBroker("run-42", source, clock);
    }

    @Test
    void leaseRecordsEverythingButTheValue() throws Exception {
        LeaseBroker b = broker();
        b.leaseAll(List.of(new CredentialGrant("github-token", Duration.ofMinutes(10), InjectionMode.ENV),
                new CredentialGrant("deploy.key", Duration.ofMinutes(5), InjectionMode.FILE)));
        List<LeaseRecord> records = b.records();
        assertThat(records).hasSize(2);
        LeaseRecord env = records.get(0);
        assertThat(env.credentialId()).isEqualTo("github-token");
        assertThat(env.scope()).isEqualTo("run:run-42");
        assertThat(env.mode()).isEqualTo(InjectionMode.ENV);
        assertThat(env.target()).isEqualTo("GITHUB_TOKEN");
        assertThat(env.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(env.issuedAt()).isEqualTo(T0);
        assertThat(env.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(env.fingerprint()).matches("hmac-sha256:[0-9a-f]{32}");
        assertThat(env.status()).isEqualTo(LeaseStatus.ACTIVE);
        assertThat(env.revoked()).isFalse();
        assertThat(records.get(1).target()).isEqualTo("/run/agentgate/secrets/deploy.key");
        assertThat(records.toString() + b.leaseAll(List.of()).toString()).doesNotContain("ghp_0123456789abcdef")
                .doesNotContain("deploy-key-material");
        assertThat(b.secretEnvironment()).containsExactly(Map.entry("GITHUB_TOKEN", "ghp_0123456789abcdef"));
        assertThat(b.plainEnvironment()).containsExactly(Map.entry("DEPLOY_KEY_FILE", "/run/agentgate/secrets/deploy.key"));
        assertThat(b.masker().mask("token ghp_0123456789abcdef")).isEqualTo("token ****");
    }

    @Test
    void fingerprintsMatchWithinARunAndDifferAcrossRuns() throws Exception {
        MapSecretSource same = new MapSecretSource(Map.of("a", "same-value-123", "b", "same-value-123", "c", "other-value-123"));
        LeaseBroker one = new LeaseBroker("r1", same, clock);
        one.leaseAll(List.of(grant("a"), grant("b"), grant("c")));
        LeaseBroker two = new LeaseBroker("r2", same, clock);
        two.leaseAll(List.of(grant("a")));
        List<LeaseRecord> r = one.records();
        assertThat(r.get(0).fingerprint()).isEqualTo(r.get(1).fingerprint()).isNotEqualTo(r.get(2).fingerprint());
        assertThat(two.records().get(0).fingerprint()).isNotEqualTo(r.get(0).fingerprint());
    }

    private static CredentialGrant grant(String id) {
        return new CredentialGrant(id, Duration.ofMinutes(1), InjectionMode.ENV);
    }

    @Test
    void fileSecretIsWrittenAfterStartAndRemovedWhenItsTtlRunsOut() throws Exception {
        LeaseBroker b = broker();
        b.leaseAll(List.of(new CredentialGrant("deploy.key", Duration.ofSeconds(30), InjectionMode.FILE),
                new CredentialGrant("npm-token", Duration.ofMinutes(10), InjectionMode.FILE)));
        RecordingFileChannel files = new RecordingFileChannel();
        b.injectFiles(files, null);
        assertThat(new String(files.files.get("/run/agentgate/secrets/deploy.key"), StandardCharsets.UTF_8))
                .isEqualTo("-----deploy-key-material-----");
        clock.advance(Duration.ofSeconds(29));
        assertThat(b.expireDue()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.expireDue()).containsExactly("deploy.key");
        assertThat(files.files).containsOnlyKeys("/run/agentgate/secrets/npm-token");
        LeaseRecord expired = b.records().get(0);
        assertThat(expired.status()).isEqualTo(LeaseStatus.EXPIRED);
        assertThat(expired.fileRemovedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(b.expireDue()).isEmpty();
    }

    @Test
    void revokeAllRemovesFilesWipesValuesAndIsIdempotent() throws Exception {
        LeaseBroker b = broker();
        List<Lease> leases = b.leaseAll(List.of(new CredentialGrant("deploy.key", Duration.ofMinutes(5), InjectionMode.FILE),
                new CredentialGrant("github-token", Duration.ofMinutes(5), InjectionMode.ENV)));
        RecordingFileChannel files = new RecordingFileChannel();
        b.injectFiles(files, null);
        clock.advance(Duration.ofSeconds(7));
        assertThat(b.revokeAll("step end")).isEmpty();
        assertThat(files.files).isEmpty();
        assertThat(leases).allSatisfy(l -> assertThat(l.value.wiped()).isTrue());
        assertThat(b.records()).allSatisfy(r -> {
            assertThat(r.revoked()).isTrue();
            assertThat(r.status()).isEqualTo(LeaseStatus.REVOKED);
            assertThat(r.revokedAt()).isEqualTo(T0.plusSeconds(7));
            assertThat(r.revokeReason()).isEqualTo("step end");
        });
        assertThat(b.secretEnvironment()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.revokeAll("again")).isEmpty();
        assertThat(b.records().get(0).revokedAt()).isEqualTo(T0.plusSeconds(7));
        assertThat(files.log).containsExactly("write /run/agentgate/secrets/deploy.key", "remove /run/agentgate/secrets/deploy.key");
        // A revoked value stays masked until close: evidence written after revocation is still clean.
        assertThat(b.masker().mask("ghp_0123456789abcdef")).isEqualTo("****");
        b.close();
        assertThat(b.masker().patternCount()).isZero();
    }

    @Test
    void revokeReportsFilesItCouldNotRemoveButStillRevokes() throws Exception {
        LeaseBroker b = broker();
        b.leaseAll(List.of(new CredentialGrant("deploy.key", Duration.ofMinutes(5), InjectionMode.FILE)));
        RecordingFileChannel files = new RecordingFileChannel();
        b.injectFiles(files, null);
        files.failRemovals = true;
        assertThat(b.revokeAll("step failed")).singleElement().asString()
                .contains("deploy.key").contains("container is gone");
        assertThat(b.records().get(0).revoked()).isTrue();
    }

    @Test
    void leaseAllIsAllOrNothingAndNamesTheFailingCredential() {
        LeaseBroker b = broker();
        assertThatThrownBy(() -> b.leaseAll(List.of(grant("github-token"), grant("missing"))))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("'missing'");
        assertThat(b.records()).singleElement().satisfies(r -> assertThat(r.revoked()).isTrue());
        assertThat(b.secretEnvironment()).isEmpty();
    }

    @Test
    void refusesSecretsTooShortToMaskReservedNamesAndClashes() {
        assertThatThrownBy(() -> broker().lease(grant("short")))
                .hasMessageContaining("'short' is 3 bytes long").hasMessageContaining("at least 8");
        MapSecretSource s = new MapSecretSource(Map.of("path", "0123456789", "ld_preload", "0123456789",
                "a-b", "0123456789", "a_b", "9876543210"));
        assertThatThrownBy(() -> new LeaseBroker("r", s, clock).lease(grant("path")))
                .hasMessageContaining("PATH").hasMessageContaining("reserved");
        assertThatThrownBy(() -> new LeaseBroker("r", s, clock).lease(grant("ld_preload")))
                .hasMessageContaining("LD_PRELOAD");
        LeaseBroker b = new LeaseBroker("r", s, clock);
        assertThatThrownBy(() -> b.leaseAll(List.of(grant("a-b"), grant("a_b"))))
                .hasMessageContaining("A_B").hasMessageContaining("'a-b'");
        assertThatThrownBy(() -> broker().lease(new CredentialGrant("../etc/passwd", Duration.ofMinutes(1), InjectionMode.FILE)))
                .hasMessageContaining("'../etc/passwd'").hasMessageContaining("expected letters");
    }

    @Test
    void binaryValuesMustUseFileInjection() throws Exception {
        io.jenkins.plugins.agentgate.core.port.SecretSource binary = new io.jenkins.plugins.agentgate.core.port.SecretSource() {
            @Override
            public io.jenkins.plugins.agentgate.core.port.SecretValue resolve(String id) {
                return io.jenkins.plugins.agentgate.core.port.SecretValue.ofOwned(new byte[] {1, 2, 0, 3, (byte) 0xff, 5, 6, 7, 8});
            }

            @Override
            public java.util.Set<String> ids() {
                return java.util.Set.of("blob");
            }
        };
        assertThatThrownBy(() -> new LeaseBroker("r", binary, clock).lease(grant("blob")))
                .hasMessageContaining("'blob'").hasMessageContaining("file injection");
        new LeaseBroker("r", binary, clock).lease(new CredentialGrant("blob", Duration.ofMinutes(1), InjectionMode.FILE));
    }

    @Test
    void secretFilePathsStayInsideTheSecretTmpfs() {
        for (String bad : List.of("/etc/passwd", "/run/agentgate/secrets/../x", "/run/agentgate/secrets/", "/run/agentgate/secrets/a/b",
                "/run/agentgate/secrets/.hidden", "/run/agentgate/secretsX/a")) {
            assertThatThrownBy(() -> LeaseBroker.checkSecretPath(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        LeaseBroker.checkSecretPath("/run/agentgate/secrets/deploy.key");
    }

    @Test
    void anAlreadyExpiredFileLeaseIsNeverWritten() throws Exception {
        LeaseBroker b = broker();
        b.lease(new CredentialGrant("deploy.key", Duration.ofSeconds(1), InjectionMode.FILE));
        clock.advance(Duration.ofSeconds(2));
        RecordingFileChannel files = new RecordingFileChannel();
        b.injectFiles(files, null);
        assertThat(files.log).isEmpty();
        assertThat(b.records().get(0).status()).isEqualTo(LeaseStatus.EXPIRED);
    }

    @Test
    void schedulerRemovesTheFileAtExpiryWithoutAnyoneCallingExpireDue() throws Exception {
        LeaseBroker b = new LeaseBroker("run-s", source, java.time.Clock.systemUTC());
        b.lease(new CredentialGrant("deploy.key", Duration.ofMillis(300), InjectionMode.FILE));
        RecordingFileChannel files = new RecordingFileChannel();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            b.injectFiles(files, scheduler);
            assertThat(files.files).hasSize(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && !files.files.isEmpty()) {
                Thread.sleep(20);
            }
            assertThat(files.files).isEmpty();
            assertThat(b.records().get(0).status()).isEqualTo(LeaseStatus.EXPIRED);
        } finally {
            scheduler.shutdownNow();
            b.close();
        }
    }
}
