package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real relay binary with several {@code --listen PORT --socket PATH} pairs in one process (egress proxy and
 * tool gateway): each port reaches its own socket, the pairs share one bounded loop, and bad pairings are refused.
 */
class RelayPairsTest {
    @TempDir
    Path tmp;

    final List<Process> relays = new ArrayList<>();
    final List<UnixEcho> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : relays) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (UnixEcho s : servers) {
            s.close();
        }
    }

    /** A Unix socket server that answers each connection with its name and the line it read, then closes. */
    final class UnixEcho implements AutoCloseable {
        final String name;
        final Path path;
        final ServerSocketChannel server;
        final Thread thread;

        UnixEcho(String name) throws IOException {
            this.name = name;
            this.path = tmp.resolve(name + ".sock");
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path), 128);
            this.thread = new Thread(this::serve, "unix-echo-" + name);
            thread.setDaemon(true);
            thread.start();
            servers.add(this);
        }

        private void serve() {
            while (server.isOpen()) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                try (c) {
                    InputStream in = Channels.newInputStream(c);
                    StringBuilder line = new StringBuilder();
                    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                        line.append((char) b);
                    }
                    c.write(ByteBuffer.wrap((name + ":" + line + "\n").getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // that client went away (a probe); serve the next one
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
        }
    }

    Path relayBinary() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("relay"));
        Path bin = dir.resolve(RelayBinary.FILE_NAME);
        return Files.exists(bin) ? bin : RelayBinary.bundled().installInto(dir);
    }

    /** {@code n} distinct free loopback ports (held open together while chosen, so none repeats). */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /**
     * In command mode the relay loop detaches into a grandchild (re-parented, not ours to wait for): end the ones this
     * test started, found by their arguments, which name this test's own temporary directory.
     */
    @AfterEach
    void stopDetachedRelays() throws IOException {
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline;
                try {
                    cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // gone
                }
                if (cmdline.startsWith(tmp.resolve("relay").toString()) && cmdline.contains(tmp.toString() + "/")) {
                    ProcessHandle.of(Long.parseLong(proc.getFileName().toString())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    Process relay(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(relayBinary().toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        relays.add(p);
        return p;
    }

    static void awaitListening(int port) throws Exception {
        for (int i = 0; i < 500; i++) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("relay does not listen on " + port + " after 5 s");
    }

    static String ask(int port, String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }

    @Test
    void eachPortReachesItsOwnSocket() throws Exception {
        UnixEcho egress = new UnixEcho("egress");
        UnixEcho gateway = new UnixEcho("gateway");
        int[] ports = freePorts(2);
        int p1 = ports[0];
        int p2 = ports[1];
        relay("--listen", Integer.toString(p1), "--socket", egress.path.toString(),
                "--listen", Integer.toString(p2), "--socket", gateway.path.toString());
        awaitListening(p1);
        awaitListening(p2);

        for (int i = 0; i < 20; i++) {
            assertThat(ask(p1, "a" + i)).isEqualTo("egress:a" + i);
            assertThat(ask(p2, "b" + i)).isEqualTo("gateway:b" + i);
        }
    }

    @Test
    void pairsServeConcurrentClientsIndependently() throws Exception {
        UnixEcho egress = new UnixEcho("egress");
        UnixEcho gateway = new UnixEcho("gateway");
        int[] ports = freePorts(2);
        int p1 = ports[0];
        int p2 = ports[1];
        relay("--listen", Integer.toString(p1), "--socket", egress.path.toString(),
                "--listen", Integer.toString(p2), "--socket", gateway.path.toString());
        awaitListening(p1);
        awaitListening(p2);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                Callable<Boolean> c = () -> n % 2 == 0 ? ask(p1, "x" + n).equals("egress:x" + n)
                        : ask(p2, "y" + n).equals("gateway:y" + n);
                results.add(pool.submit(c));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingSocketRefusesOnlyItsOwnPort() throws Exception {
        UnixEcho gateway = new UnixEcho("gateway");
        int[] ports = freePorts(2);
        int p1 = ports[0];
        int p2 = ports[1];
        Process relay = relay("--listen", Integer.toString(p1), "--socket", tmp.resolve("absent.sock").toString(),
                "--listen", Integer.toString(p2), "--socket", gateway.path.toString());
        awaitListening(p2);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), p1)) {
            s.setSoTimeout(5_000);
            assertThat(s.getInputStream().read()).as("a client of the absent socket is closed at once").isEqualTo(-1);
        }
        assertThat(ask(p2, "still")).isEqualTo("gateway:still");
        assertThat(relay.isAlive()).isTrue();
    }

    @Test
    void runsTheCommandAfterBindingEveryPort() throws Exception {
        UnixEcho egress = new UnixEcho("egress");
        UnixEcho gateway = new UnixEcho("gateway");
        int[] ports = freePorts(2);
        int p1 = ports[0];
        int p2 = ports[1];
        // The command only starts once both ports are bound; it proves it by reaching both through the relay.
        String script = "exec 3<>/dev/tcp/127.0.0.1/" + p1 + "; echo one >&3; read -r a <&3; "
                + "exec 4<>/dev/tcp/127.0.0.1/" + p2 + "; echo two >&4; read -r b <&4; echo \"$a $b\"; exit 7";
        // stderr to a file: the detached relay keeps its stderr, which must not hold the command's stdout pipe open
        Process p = new ProcessBuilder(relayBinary().toString(), "--listen", Integer.toString(p1), "--socket", egress.path.toString(),
                "--listen", Integer.toString(p2), "--socket", gateway.path.toString(), "--", "bash", "-c", script)
                .redirectError(tmp.resolve("stderr.txt").toFile()).start();
        relays.add(p);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(out).isEqualTo("egress:one gateway:two");
        assertThat(p.exitValue()).as("the command's own exit status").isEqualTo(7);
    }

    @Test
    void refusesBadPairings() throws Exception {
        String sock = tmp.resolve("s.sock").toString();
        int[] ports = freePorts(2);
        String port = Integer.toString(ports[0]);
        String other = Integer.toString(ports[1]);
        List<List<String>> bad = List.of(
                List.of(),
                List.of("--listen", port),
                List.of("--socket", sock),
                List.of("--socket", sock, "--listen", port),
                List.of("--listen", port, "--listen", other, "--socket", sock, "--socket", sock),
                List.of("--listen", port, "--socket", sock, "--listen", port, "--socket", sock),
                List.of("--listen", port, "--socket", sock, "--listen", other),
                List.of("--listen", "0", "--socket", sock),
                List.of("--listen", "65536", "--socket", sock),
                List.of("--listen", "", "--socket", sock),
                List.of("--listen", port, "--socket", ""),
                List.of("--listen", port, "--socket", sock, "--"));
        for (List<String> args : bad) {
            Process p = relay(args.toArray(String[]::new));
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("%s ends", args).isTrue();
            assertThat(p.exitValue()).as("exit status of %s", args).isEqualTo(64);
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).contains("usage:");
        }
    }

    @Test
    void acceptsAtMostFourPairs() throws Exception {
        String sock = tmp.resolve("s.sock").toString();
        List<String> args = new ArrayList<>();
        for (int p : freePorts(5)) {
            args.addAll(List.of("--listen", Integer.toString(p), "--socket", sock));
        }
        Process five = relay(args.toArray(String[]::new));
        assertThat(five.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(five.exitValue()).isEqualTo(64);

        UnixEcho echo = new UnixEcho("four");
        List<String> four = new ArrayList<>();
        int[] ports = freePorts(4);
        for (int p : ports) {
            four.addAll(List.of("--listen", Integer.toString(p), "--socket", echo.path.toString()));
        }
        relay(four.toArray(String[]::new));
        for (int p : ports) {
            awaitListening(p);
            assertThat(ask(p, "p" + p)).isEqualTo("four:p" + p);
        }
    }
}
