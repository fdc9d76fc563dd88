package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real relay binary, run on the host in the foreground, in front of a real proxy. */
class RelayProcessTest {
    @TempDir
    Path tmp;

    TestUpstream upstream;
    EgressProxy proxy;
    Process relay;
    int relayPort;

    @BeforeEach
    void start() throws Exception {
        upstream = TestUpstream.onLoopback();
        NetworkPolicy policy = new NetworkPolicy(NetworkMode.ALLOWLIST, List.of("api.allowed.test:" + upstream.port()), List.of());
        proxy = EgressProxy.start(new EgressConfig("relay", policy, EgressLimits.forRun(Duration.ofMinutes(1)),
                EgressProxyTest.testResolver(), true, tmp, EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), null));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            relayPort = s.getLocalPort();
        }
        relay = new ProcessBuilder(proxy.runDirectory().resolve("relay/agentgate-egress-relay").toString(),
                "--listen", Integer.toString(relayPort), "--socket", proxy.socketPath().toString())
                .redirectErrorStream(true).start();
        for (int i = 0; i < 200; i++) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), relayPort)) {
                assertThat(probe.isConnected()).isTrue();
                break;
            } catch (java.io.IOException e) {
                Thread.sleep(10);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        relay.destroy();
        relay.waitFor(5, TimeUnit.SECONDS);
        proxy.close();
        upstream.close();
    }

    long relayCpuTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc/" + relay.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    }

    @Test
    void relaysARequestAndDoesNotSpinWhileTheClientLingersAfterTheResponse() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relayPort)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET http://api.allowed.test:" + upstream.port() + "/hello HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith(TestUpstream.HELLO);
            // The client keeps its side open; the relay must simply wait (or close), not busy-loop.
            long before = relayCpuTicks();
            Thread.sleep(1000);
            long used = relayCpuTicks() - before;
            assertThat(used).as("relay CPU ticks (1/100 s) over one idle second").isLessThanOrEqualTo(5);
        }
    }

    @Test
    void refusesClientsAtOnceWhenTheProxyIsGone() throws Exception {
        proxy.close();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relayPort)) {
            s.setSoTimeout(5_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(relay.isAlive()).as("the relay survives a missing proxy").isTrue();
    }
}
