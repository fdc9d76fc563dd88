package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostNameTest {
    @Test
    void classifiesNamesAndLiterals() {
        assertThat(HostName.parse("Api.Example.com.")).isEqualTo(new HostName("api.example.com", HostName.Kind.NAME));
        assertThat(HostName.parse("10.0.0.255")).isEqualTo(new HostName("10.0.0.255", HostName.Kind.IPV4));
        assertThat(HostName.parse("[2001:DB8::1]")).isEqualTo(new HostName("[2001:db8::1]", HostName.Kind.IPV6));
        assertThat(HostName.parse("intranet").kind()).isEqualTo(HostName.Kind.NAME);
        assertThat(HostName.parse("1.2.3.4").literalBytes()).containsExactly(1, 2, 3, 4);
        assertThat(HostName.parse("[::1]").literalBytes()).hasSize(16);
    }

    @Test
    void refusesWhatAResolverCouldReadAsSomethingElse() {
        for (String bad : new String[] {"", "256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "0x7f000001", "a..b",
                "a.b-", "x.123", "[1.2.3.4]", "[::1", "a b", "a\u00e9.com", "a".repeat(64) + ".com"}) {
            assertThatThrownBy(() -> HostName.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected");
        }
    }
}
