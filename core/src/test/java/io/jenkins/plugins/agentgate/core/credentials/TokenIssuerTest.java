package io.jenkins.plugins.agentgate.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
    private static final String ISS = "https://jenkins.test/agentgate";
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00.700Z");

    static String pem(KeyPair kp, boolean withPublic) {
        Base64.Encoder e = Base64.getMimeEncoder(64, "\n".getBytes());
        String s = "-----BEGIN PRIVATE KEY-----\n" + e.encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        if (withPublic) {
            s += "-----BEGIN PUBLIC KEY-----\n" + e.encodeToString(kp.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        }
        return s;
    }

    static KeyPair generate(String alg) throws Exception {
        if (alg.equals("ES256")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        }
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "EdDSA"})
    void mintedTokenVerifiesAgainstTheJwksAndCarriesTheRunClaims(String alg) throws Exception {
        SigningKey key = SigningKey.fromPem(pem(generate(alg), true), "key.pem");
        assertThat(key.algorithm()).isEqualTo(alg);
        MutableClock clock = new MutableClock(T0);
        TokenIssuer issuer = new TokenIssuer(ISS, key, clock);
        MintedToken t = issuer.mint("run-7", "deploy:staging", Duration.ofMinutes(5));

        TokenVerifier verifier = new TokenVerifier(key.jwksJson(), ISS, "deploy:staging", clock, Duration.ZERO);
        JWTClaimsSet c = verifier.verify(t.serialized());
        assertThat(c.getIssuer()).isEqualTo(ISS);
        assertThat(c.getSubject()).isEqualTo("run-7");
        assertThat(c.getAudience()).containsExactly("deploy:staging");
        assertThat(c.getJWTID()).isEqualTo(t.tokenId());
        assertThat(c.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(c.getNotBeforeTime()).isEqualTo(c.getIssueTime());
        // exp rounded down: never beyond the TTL
        assertThat(c.getExpirationTime().toInstant()).isEqualTo(Instant.parse("2026-11-27T10:05:00Z"))
                .isBeforeOrEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(t.toString()).doesNotContain(t.serialized()).contains("token=****");

        JsonNode jwks = new ObjectMapper().readTree(key.jwksJson());
        JsonNode k = jwks.get("keys").get(0);
        assertThat(k.get("kid").asText()).isEqualTo(key.keyId());
        assertThat(k.get("alg").asText()).isEqualTo(alg);
        assertThat(k.get("use").asText()).isEqualTo("sig");
        assertThat(k.has("d")).as("no private part in the JWKS").isFalse();
    }

    @Test
    void tokenFailsOnceExpiredForAnotherAudienceAndWithAnotherKey() throws Exception {
        SigningKey key = SigningKey.fromPem(pem(generate("ES256"), true), "key.pem");
        MutableClock clock = new MutableClock(T0);
        MintedToken t = new TokenIssuer(ISS, key, clock).mint("run-7", "deploy:staging", Duration.ofSeconds(60));
        TokenVerifier ok = new TokenVerifier(key.jwksJson(), ISS, "deploy:staging", clock, Duration.ZERO);
        ok.verify(t.serialized());

        clock.advance(Duration.ofSeconds(60));
        assertThatThrownBy(() -> ok.verify(t.serialized())).isInstanceOf(TokenVerifier.TokenRejectedException.class)
                .hasMessageContaining("Expired");

        MutableClock fresh = new MutableClock(T0);
        assertThatThrownBy(() -> new TokenVerifier(key.jwksJson(), ISS, "deploy:prod", fresh, Duration.ZERO).verify(t.serialized()))
                .hasMessageContaining("aud");
        assertThatThrownBy(() -> new TokenVerifier(key.jwksJson(), "https://other", "deploy:staging", fresh, Duration.ZERO)
                .verify(t.serialized())).hasMessageContaining("iss");
        for (String alg : List.of("ES256", "EdDSA")) {
            SigningKey other = SigningKey.fromPem(pem(generate(alg), true), "other.pem");
            assertThatThrownBy(() -> new TokenVerifier(other.jwksJson(), ISS, "deploy:staging", fresh, Duration.ZERO)
                    .verify(t.serialized())).as(alg).isInstanceOf(TokenVerifier.TokenRejectedException.class);
        }
        // tampered payload: signature no longer matches
        String[] parts = t.serialized().split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1])).replace("run-7", "run-8").getBytes()) + "." + parts[2];
        assertThatThrownBy(() -> ok.verify(forged)).isInstanceOf(TokenVerifier.TokenRejectedException.class);
    }

    @Test
    void tokenIdsAreUnique() throws Exception {
        TokenIssuer issuer = new TokenIssuer(ISS, SigningKey.fromPem(pem(generate("EdDSA"), false), "k"), new MutableClock(T0));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ids.add(issuer.mint("run", "aud", Duration.ofMinutes(1)).tokenId());
        }
        assertThat(ids).hasSize(200);
    }

    @Test
    void ed25519PublicKeyIsDerivedWhenTheBlockIsMissingAndEcNeedsIt() throws Exception {
        KeyPair ed = generate("EdDSA");
        assertThat(SigningKey.fromPem(pem(ed, false), "k").keyId()).isEqualTo(SigningKey.fromPem(pem(ed, true), "k").keyId());
        assertThatThrownBy(() -> SigningKey.fromPem(pem(generate("ES256"), false), "ec.pem"))
                .hasMessageContaining("ec.pem").hasMessageContaining("PUBLIC KEY").hasMessageContaining("openssl pkey");
    }

    @Test
    void mismatchedPublicKeyAndUnsupportedKeysAreClearErrors() throws Exception {
        KeyPair a = generate("ES256");
        KeyPair b = generate("ES256");
        String mixed = pem(a, false) + pem(b, true).substring(pem(b, true).indexOf("-----BEGIN PUBLIC KEY"));
        assertThatThrownBy(() -> SigningKey.fromPem(mixed, "mixed.pem")).hasMessageContaining("mixed.pem")
                .hasMessageContaining("does not belong");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThatThrownBy(() -> SigningKey.fromPem(pem(rsa.generateKeyPair(), true), "rsa.pem"))
                .hasMessageContaining("rsa.pem").hasMessageContaining("expected EC P-256 or Ed25519");
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        assertThatThrownBy(() -> SigningKey.fromPem(pem(p384.generateKeyPair(), true), "p384.pem"))
                .hasMessageContaining("P-256");
        assertThatThrownBy(() -> SigningKey.fromPem("nothing here", "empty.pem"))
                .hasMessageContaining("empty.pem").hasMessageContaining("BEGIN PRIVATE KEY");
        assertThatThrownBy(() -> SigningKey.fromPem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----", "sec1.pem"))
                .hasMessageContaining("openssl pkcs8");
    }

    @Test
    void leasedTokenIsMaskedAndExpiresWithTheLease() throws Exception {
        SigningKey key = SigningKey.fromPem(pem(generate("ES256"), true), "key.pem");
        MutableClock clock = new MutableClock(T0);
        LeaseBroker b = new LeaseBroker("run-9", new MapSecretSource(Map.of()), clock);
        TokenIssuer issuer = new TokenIssuer(ISS, key, clock);
        Lease l = b.leaseToken(new CredentialGrant("cloud-token", Duration.ofMinutes(2), InjectionMode.ENV), issuer, "sts.cloud.test");
        String jwt = b.secretEnvironment().get("CLOUD_TOKEN");
        assertThat(b.masker().mask("Authorization: Bearer " + jwt)).isEqualTo("Authorization: Bearer ****");
        LeaseRecord r = b.records().get(0);
        assertThat(r.scope()).isEqualTo("sts.cloud.test");
        assertThat(r.tokenId()).isNotBlank();
        JWTClaimsSet c = new TokenVerifier(key.jwksJson(), ISS, "sts.cloud.test", clock, Duration.ZERO).verify(jwt);
        assertThat(c.getExpirationTime().toInstant()).isBeforeOrEqualTo(l.expiresAt());
        assertThat(c.getJWTID()).isEqualTo(r.tokenId());
    }
}
