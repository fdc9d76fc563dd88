package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyRequestTest {

    static ProxyRequest parse(String head) {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        return ProxyRequest.parse(b, b.length);
    }

    static String forwarded(ProxyRequest r) {
        return new String(r.forwardHead(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void connectNeedsHostAndPortAndForwardsNothing() {
        ProxyRequest r = parse("CONNECT API.Example.COM:443 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(r.tunnel()).isTrue();
        assertThat(r.host().text()).isEqualTo("api.example.com");
        assertThat(r.port()).isEqualTo(443);
        assertThat(r.forwardHead()).isEmpty();
    }

    @Test
    void connectToAnIpv6Literal() {
        ProxyRequest r = parse("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n");
        assertThat(r.host().text()).isEqualTo("[::1]");
        assertThat(r.host().kind()).isEqualTo(HostName.Kind.IPV6);
        assertThat(r.port()).isEqualTo(8443);
    }

    @Test
    void absoluteUriBecomesOriginFormWithHostFromTheTargetAndConnectionClose() {
        ProxyRequest r = parse("POST http://api.example.com:8080/v1/responses?a=b#frag HTTP/1.1\r\n"
                + "Host: evil.test\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
                + "Connection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
                + "Content-Length: 2\r\nAuthorization: Bearer t\r\n\r\n");
        assertThat(r.tunnel()).isFalse();
        assertThat(r.port()).isEqualTo(8080);
        assertThat(forwarded(r)).isEqualTo("POST /v1/responses?a=b HTTP/1.1\r\nHost: api.example.com:8080\r\n"
                + "Content-Length: 2\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n");
    }

    @Test
    void defaultPortIs80AndAnEmptyPathIsSlash() {
        ProxyRequest r = parse("GET http://api.example.com HTTP/1.0\n\n");
        assertThat(r.port()).isEqualTo(80);
        assertThat(forwarded(r)).startsWith("GET / HTTP/1.0\r\nHost: api.example.com\r\n");
        assertThat(forwarded(parse("GET http://a.example.com?q=1 HTTP/1.1\r\n\r\n"))).startsWith("GET /?q=1 HTTP/1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /relative HTTP/1.1",
        "GET https://api.example.com/ HTTP/1.1",
        "GET ftp://api.example.com/ HTTP/1.1",
        "GET http://user:pw@api.example.com/ HTTP/1.1",
        "GET http://api.example.com:0/ HTTP/1.1",
        "GET http://api.example.com:65536/ HTTP/1.1",
        "GET http://api.example.com:80a/ HTTP/1.1",
        "GET http://2130706433/ HTTP/1.1",
        "GET http://127.1/ HTTP/1.1",
        "GET http://0x7f.0.0.1/ HTTP/1.1",
        "GET http://127.000.000.001/ HTTP/1.1",
        "GET http://a_b.example.com/ HTTP/1.1",
        "GET http://a%2eexample.com/ HTTP/1.1",
        "GET http://-a.example.com/ HTTP/1.1",
        "GET http://[::1/ HTTP/1.1",
        "GET http://[evil.test]/ HTTP/1.1",
        "CONNECT api.example.com HTTP/1.1",
        "CONNECT api.example.com:443 HTTP/2.0",
        "CONNECT  api.example.com:443 HTTP/1.1",
        "GET http://api.example.com/ HTTP/1.1 extra",
        "garbage",
        ""
    })
    void refusesMalformedOrAmbiguousRequestLines(String line) {
        assertThatThrownBy(() -> parse(line + "\r\n\r\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected");
    }

    @Test
    void refusesFoldedAndNamelessHeaders() {
        assertThatThrownBy(() -> parse("GET http://a.example.com/ HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n"))
                .hasMessageContaining("folded");
        assertThatThrownBy(() -> parse("GET http://a.example.com/ HTTP/1.1\r\n: nameless\r\n\r\n"))
                .hasMessageContaining("malformed");
    }

    @Test
    void errorMessagesAreShortAndPrintable() {
        String longTarget = "http://" + "a".repeat(500) + "\u0001.example.com/";
        assertThatThrownBy(() -> parse("GET " + longTarget + " HTTP/1.1\r\n\r\n"))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("\u0001"));
    }

    @Test
    void findsTheEndOfTheHeadAcrossReads() {
        byte[] b = "GET http://a.example.com/ HTTP/1.1\r\nA: b\r\n\r\nBODY".getBytes(StandardCharsets.ISO_8859_1);
        int end = b.length - 4;
        for (int split = 1; split < end; split++) {
            int first = ProxyRequest.headEnd(b, 0, split);
            int found = first >= 0 ? first : ProxyRequest.headEnd(b, split, b.length);
            assertThat(found).as("split at " + split).isEqualTo(end);
        }
        assertThat(ProxyRequest.headEnd("GET / HTTP/1.1\n\nX".getBytes(StandardCharsets.ISO_8859_1), 0, 17)).isEqualTo(16);
    }
}
