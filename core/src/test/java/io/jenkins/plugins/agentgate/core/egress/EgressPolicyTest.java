package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    static final NetworkPolicy POLICY = new NetworkPolicy(NetworkMode.ALLOWLIST,
            List.of("api.example.com", "*.registry.example.org:*", "10.0.0.5:8080", "intranet:80", "[::1]:443"),
            List.of("evil.registry.example.org:*", "api.example.com:8443"));

    @Test
    void namesTheRuleAndThePatternThatDecided() {
        EgressPolicy p = new EgressPolicy(POLICY);
        assertThat(p.decide("api.example.com", 443)).isEqualTo(new EgressDecision(true, "network.allowlist", "api.example.com:443"));
        assertThat(p.decide("npm.registry.example.org", 8081))
                .isEqualTo(new EgressDecision(true, "network.allowlist", "*.registry.example.org:*"));
        assertThat(p.decide("evil.registry.example.org", 443))
                .isEqualTo(new EgressDecision(false, "network.denylist", "evil.registry.example.org:*"));
        assertThat(p.decide("registry.example.org", 443)).isEqualTo(new EgressDecision(false, "network.not-allowlisted", null));
        assertThat(p.decide("api.example.com", 80).allowed()).isFalse();
        assertThat(p.decide("10.0.0.5", 8080).allowed()).isTrue();
        assertThat(p.decide("10.0.0.6", 8080).allowed()).isFalse();
        assertThat(p.decide("intranet", 80).allowed()).isTrue();
        assertThat(p.decide("[::1]", 443).allowed()).isTrue();
        assertThat(new EgressPolicy(NetworkPolicy.closed()).decide("api.example.com", 443))
                .isEqualTo(new EgressDecision(false, "network.closed", null));
    }

    @Property(tries = 500)
    void agreesWithTheProfilesPermits(@ForAll("hosts") String host, @ForAll("ports") int port) {
        assertThat(new EgressPolicy(POLICY).decide(host, port).allowed()).isEqualTo(POLICY.permits(host, port));
    }

    @Provide
    Arbitrary<String> hosts() {
        return Arbitraries.oneOf(
                Arbitraries.of("api.example.com", "API.EXAMPLE.COM.", "registry.example.org", "a.registry.example.org",
                        "evil.registry.example.org", "x.evil.registry.example.org", "10.0.0.5", "10.0.0.6", "intranet",
                        "[::1]", "localhost", "example.com"),
                Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(4)
                        .map(s -> s + ".registry.example.org"));
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.of(80, 443, 8080, 8081, 8443);
    }
}
