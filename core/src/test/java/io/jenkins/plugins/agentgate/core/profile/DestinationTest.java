package io.jenkins.plugins.agentgate.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationTest {

    @ParameterizedTest
    @CsvSource({
            "api.example.com,        api.example.com, 443, true",
            "api.example.com,        api.example.com, 80,  false",
            "api.example.com:*,      api.example.com, 80,  true",
            "*.example.com,          api.example.com, 443, true",
            "*.example.com,          a.b.example.com, 443, true",
            "*.example.com,          example.com,     443, false",
            "*.example.com,          badexample.com,  443, false",
            "*.example.com:8443,     api.example.com, 443, false",
            "10.0.0.1:5000,          10.0.0.1,        5000, true",
            "localhost:8080,         localhost,       8080, true",
            "API.Example.COM,        api.example.com., 443, true",
    })
    void matches(String pattern, String host, int port, boolean expected) {
        assertThat(Destination.parse(pattern).matches(host, port)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "*.com", "a.*.com", "exa mple.com", "-x.com", "host:0", "host:70000", "host:http", "*.1.2.3", "1.2.3", "[::1"})
    void rejectsMalformedPatternsNamingTheValue(String text) {
        assertThatThrownBy(() -> Destination.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("expected host[:port]");
    }

    @ParameterizedTest
    @CsvSource({
            "api.example.com,     *.example.com,     true",
            "api.example.com,     api.example.com:*, true",
            "api.example.com:*,   api.example.com,   false",
            "*.a.example.com,     *.example.com,     true",
            "*.example.com,       *.a.example.com,   false",
            "*.example.com,       api.example.com,   false",
            "example.com,         *.example.com,     false",
            "10.0.0.1,            10.0.0.1:*,        true",
            "10.0.0.1,            *.example.com:*,   false",
    })
    void containment(String inner, String outer, boolean within) {
        assertThat(Destination.parse(inner).isWithin(Destination.parse(outer)))
                .isEqualTo(within);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1", "intranet", "[::1]"})
    void ipLiteralsAndSingleLabelNamesNeverMatchAWildcard(String host) {
        assertThat(Destination.parse("*.example.com:*").matches(host, 443)).isFalse();
    }
}
