package io.jenkins.plugins.agentgate.core.egress;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One run's egress proxy: the sandbox's only way out. The sandbox-facing Unix socket, in a fresh per-run
 * directory bind-mounted into the container, belongs to the egress pump (a child process, the relay binary in
 * {@code --pump} mode): the relay inside hands it each agent connection's descriptor. For every connection the
 * pump opens a connection to this proxy's own, host-only socket and forwards the request head; the proxy decides
 * it by the plan's network policy, resolves, and either tells the pump which address to connect a CONNECT tunnel
 * to (the pump then moves the tunnel's bytes with splice(2), within the byte budget the proxy grants it, and
 * reports the counts) or serves the connection itself through the pump (plain HTTP, refusals). Every attempt is
 * recorded here; see docs/egress.md.
 *
 * <p>Threads: one watchdog (idle and total timeouts), one owning the pump process, and a bounded pool: one thread
 * accepting and at most two per open connection, all named {@code agentgate-egress-<runId>-…}. {@link #close()}
 * cuts every connection, stops the pump, ends every thread and deletes the directory; it is idempotent, and a JVM
 * shutdown hook calls it if the owner cannot. The pump dies with the JVM in any case (its stdin closes, and
 * PR_SET_PDEATHSIG).
 */
public final class EgressProxy implements AutoCloseable {
    static final String SOCKET_DIR = "sock";
    static final String SOCKET_NAME = "proxy.sock";
    static final String LOCK_NAME = "owner.lock";
    /** The proxy's own socket, host-only (in the 0700 run directory, never mounted): only the pump connects. */
    static final String DECIDE_SOCKET_NAME = "decide.sock";
    /** Bytes of the run's budget granted to a pumped tunnel at a time (unused grants return when it ends). */
    static final long GRANT_BYTES = 8L << 20;
    private static final long PUMP_START_SECONDS = 10;
    private static final int MAX_DENIED_DESTINATIONS = 100;
    /**
     * Run directories of the proxies open in this JVM. The reaper must not even open their lock files: POSIX
     * drops all of a process's locks on a file when any descriptor of it is closed.
     */
    private static final Set<Path> LIVE_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
    private static final int UNIX_PATH_MAX = 107;

    final EgressConfig config;
    final EgressPolicy policy;
    final String threadPrefix;
    private final Path runDirectory;
    private final Path socketPath;
    private final Path decideSocket;
    private final SandboxEgress sandbox;
    private final ServerSocketChannel server;
    private final Process pump;
    private final Thread pumpOwner;
    /** Held while the proxy lives; the OS drops it when the process dies, which is how the reaper tells. */
    private final java.nio.channels.FileChannel ownerLock;
    private final ThreadPoolExecutor workers;
    private final Thread watchdog;
    private final Thread shutdownHook;
    private final Semaphore connectionSlots;
    private final Set<ProxyConnection> active = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long deadlineNanos;
    private volatile boolean expired;

    // Run totals.
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicLong budgetUsed = new AtomicLong();
    private volatile boolean budgetExhausted;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong allowed = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final List<EgressRecord> records = new ArrayList<>();
    private final Set<String> deniedDestinations = new TreeSet<>();

    private EgressProxy(EgressConfig config) throws IOException {
        this.config = config;
        this.policy = new EgressPolicy(config.network());
        this.threadPrefix = "agentgate-egress-" + config.runId() + "-";
        this.connectionSlots = new Semaphore(config.limits().maxConnections());
        this.deadlineNanos = System.nanoTime() + config.limits().totalTimeout().toNanos();

        Files.createDirectories(config.baseDirectory());
        // 0700: no other host user can reach the socket; the container mounts the inner directory directly.
        this.runDirectory = Files.createTempDirectory(config.baseDirectory(), "agentgate-egress-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel ch = null;
        java.nio.channels.FileChannel lock = null;
        PumpStart started = null;
        try {
            lock = java.nio.channels.FileChannel.open(runDirectory.resolve(LOCK_NAME),
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            lock.lock();
            this.ownerLock = lock;
            LIVE_IN_THIS_JVM.add(runDirectory.toRealPath());
            Path socketDir = Files.createDirectory(runDirectory.resolve(SOCKET_DIR));
            // The sandbox user (any uid) must traverse it, not list it.
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx--x--x"));
            this.socketPath = socketDir.resolve(SOCKET_NAME);
            if (socketPath.toString().getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX) {
                throw new IOException("egress socket path '" + socketPath + "' is longer than " + UNIX_PATH_MAX
                        + " bytes; expected a shorter base directory than '" + config.baseDirectory() + "'");
            }
            Path relayDir = Files.createDirectory(runDirectory.resolve("relay"));
            Files.setPosixFilePermissions(relayDir, PosixFilePermissions.fromString("rwx--x--x"));
            Path relay = config.relay().installInto(relayDir);

            this.decideSocket = runDirectory.resolve(DECIDE_SOCKET_NAME);
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(decideSocket), 128);
            this.server = ch;
            // The pump binds the sandbox-facing socket (mode 0666: the sandbox user is not the host user).
            started = startPump(relay);
            this.pump = started.process();
            this.pumpOwner = started.owner();

            String proxyUrl = "http://127.0.0.1:" + config.relayPort();
            String noProxy = "localhost,127.0.0.1,::1";
            this.sandbox = new SandboxEgress(
                    List.of(new SandboxEgress.Mount(socketDir, SandboxEgress.CONTAINER_DIR),
                            new SandboxEgress.Mount(relay, SandboxEgress.CONTAINER_RELAY)),
                    SandboxEgress.CONTAINER_RELAY,
                    List.of("--listen", Integer.toString(config.relayPort()),
                            "--socket", SandboxEgress.CONTAINER_DIR + "/" + SOCKET_NAME, "--pass-fd", "--"),
                    java.util.Map.of("HTTP_PROXY", proxyUrl, "HTTPS_PROXY", proxyUrl, "ALL_PROXY", proxyUrl,
                            "http_proxy", proxyUrl, "https_proxy", proxyUrl, "all_proxy", proxyUrl,
                            "NO_PROXY", noProxy, "no_proxy", noProxy,
                            // Node's built-in fetch ignores the variables above unless told (Node >= 24).
                            "NODE_USE_ENV_PROXY", "1"),
                    config.relay().sha256());
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                stopPump(started.process(), started.owner());
            }
            if (ch != null) {
                ch.close();
            }
            if (lock != null) {
                lock.close();
            }
            LIVE_IN_THIS_JVM.remove(runDirectory.toRealPath());
            deleteTree(runDirectory);
            throw e;
        }

        AtomicInteger workerNumber = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadPrefix + "worker-" + workerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // One accepting thread plus two per connection at most; the semaphore keeps us below the pool's maximum.
        this.workers = new ThreadPoolExecutor(0, 2 * config.limits().maxConnections() + 2, 10, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
        this.watchdog = new Thread(this::watchLoop, threadPrefix + "watchdog");
        this.watchdog.setDaemon(true);
        this.shutdownHook = new Thread(this::close, threadPrefix + "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        watchdog.start();
        workers.execute(this::lead);
    }

    private record PumpStart(Process process, Thread owner) {}

    /**
     * Starts the egress pump from a thread of its own that lives exactly as long as the pump: PR_SET_PDEATHSIG
     * fires when the <em>thread</em> that started a process ends, so a short-lived caller thread must not start it.
     * Fails clearly when the pump cannot run (for example a relay binary of another architecture).
     */
    private PumpStart startPump(Path relay) throws IOException {
        EgressLimits l = config.limits();
        List<String> command = List.of(relay.toString(), "--pump", "--socket", socketPath.toString(),
                "--proxy", decideSocket.toString(),
                "--max-conn", Integer.toString(Math.min(4096, 2 * l.maxConnections() + 16)),
                "--head-max", Integer.toString(l.maxHeadBytes()),
                "--idle-ms", Long.toString(Math.max(1, l.idleTimeout().toMillis())),
                "--connect-ms", Long.toString(Math.max(1, l.connectTimeout().toMillis())));
        Path log = runDirectory.resolve("pump.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        java.util.concurrent.CompletableFuture<Process> ready = new java.util.concurrent.CompletableFuture<>();
        Thread owner = new Thread(() -> {
            Process p;
            try {
                p = pb.start();
            } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
                return;
            }
            try {
                byte[] line = new byte[6];
                int n = p.getInputStream().readNBytes(line, 0, line.length);
                if (n == 6 && new String(line, StandardCharsets.US_ASCII).equals("READY\n")) {
                    ready.complete(p);
                } else {
                    p.destroyForcibly();
                    ready.completeExceptionally(new IOException("the pump exited before it was ready"));
                }
            } catch (IOException e) {
                p.destroyForcibly();
                ready.completeExceptionally(e);
            }
            while (p.isAlive()) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    // keep owning the pump until it has exited (close() ends it)
                }
            }
        }, threadPrefix + "pump");
        owner.setDaemon(true);
        owner.start();
        try {
            return new PumpStart(ready.get(PUMP_START_SECONDS, TimeUnit.SECONDS), owner);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            ready.thenAccept(Process::destroyForcibly);
            String why = e instanceof java.util.concurrent.ExecutionException ? e.getCause().getMessage()
                    : "not ready within " + PUMP_START_SECONDS + " s";
            throw new IOException("the egress pump (" + relay + " --pump, from " + config.relay().origin()
                    + ") did not start: " + why + "; " + pumpLog(log)
                    + "; expected the relay binary built for this machine's architecture (core/src/main/c/build-relay.sh)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ready.thenAccept(Process::destroyForcibly);
            throw new java.io.InterruptedIOException("interrupted while starting the egress pump");
        }
    }

    private static String pumpLog(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "it wrote nothing" : "it wrote: " + (text.length() > 500 ? text.substring(0, 500) : text);
        } catch (IOException e) {
            return "no log";
        }
    }

    /** Closes the pump's stdin (it exits on EOF, closing every connection it holds), then makes sure it is gone. */
    private static void stopPump(Process p, Thread owner) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(3, TimeUnit.SECONDS);
            }
            owner.join(3000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the proxy for one run. The caller must close it when the sandbox stops, whatever the outcome
     * (try-with-resources around the container's whole life).
     */
    public static EgressProxy start(EgressConfig config) throws IOException {
        return new EgressProxy(config);
    }

    /** The per-run directory (mode 0700) holding the socket directory and the relay copy. */
    public Path runDirectory() {
        return runDirectory;
    }

    /**
     * The sandbox-facing Unix socket on the host (the pump's): the relay passes connections to it; a client that
     * connects and writes a request directly is served too (its connection is the byte stream).
     */
    public Path socketPath() {
        return socketPath;
    }

    /** The docker wiring for the sandbox of this run. */
    public SandboxEgress sandbox() {
        return sandbox;
    }

    /** The pump's process id (tests). */
    long pumpPid() {
        return pump.pid();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Every attempt so far, in the order the attempts were made (records are appended when an attempt ends,
     * so a short later attempt may finish before a long earlier one).
     */
    public List<EgressRecord> records() {
        synchronized (records) {
            return records.stream().sorted(java.util.Comparator.comparingLong(EgressRecord::sequence)).toList();
        }
    }

    public EgressSummary summary() {
        // one lock for every counter, so a summary never shows an attempt counted but its record not yet kept
        synchronized (records) {
            return new EgressSummary(attempts.get(), allowed.get(), unauthorized.get(), failed.get(), bytesUp.get(),
                    bytesDown.get(), budgetExhausted, expired, dropped.get(), List.copyOf(deniedDestinations));
        }
    }

    /** Stops accepting, cuts every open connection, ends every thread and deletes the run directory. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (ProxyConnection c : active) {
            c.cut(EndReason.PROXY_CLOSED);
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
            watchdog.interrupt();
            watchdog.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopPump(pump, pumpOwner);
        try {
            LIVE_IN_THIS_JVM.remove(runDirectory.toRealPath());
            ownerLock.close(); // releases the lock
        } catch (IOException e) {
            // the directory goes anyway
        }
        deleteTree(runDirectory);
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    /**
     * Leader/follower accepting: the thread that accepts a connection hands the accepting to another pool
     * thread and serves the connection itself, so no thread handoff sits between accept and serve.
     */
    private void lead() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int seq = sequence.incrementAndGet();
            Instant start = Instant.now();
            // Past the byte budget or the total time, connections still get served (bounded by the slots) so
            // that the refusal names the destination and reaches the client.
            if (!connectionSlots.tryAcquire()) {
                refuse(client, seq, start, EgressRules.LIMIT_CONNECTIONS,
                        "the run already has " + config.limits().maxConnections() + " open connections");
                continue;
            }
            ProxyConnection c = new ProxyConnection(this, client, seq, start);
            active.add(c);
            try {
                workers.execute(this::lead);
            } catch (RuntimeException e) { // the pool is shut down: the proxy is closing
                c.cut(EndReason.PROXY_CLOSED);
                c.finishRefused(EgressRules.LIMIT_CONNECTIONS, "the proxy is stopping");
                return;
            }
            c.serve();
            return;
        }
    }

    /** Refuses without reading the request, from the accepting thread: a short non-blocking write, then close. */
    private void refuse(SocketChannel client, int seq, Instant start, String rule, String detail) {
        try (client) {
            client.configureBlocking(false);
            client.write(ByteBuffer.wrap(ProxyConnection.relayed(ProxyConnection.response("429 Too Many Requests", rule, detail))));
        } catch (IOException e) {
            // the client is gone; the attempt is recorded all the same
        }
        record(new EgressRecord(seq, start, "", "", 0, EgressVerdict.DENIED, rule, null, null, 0, 0,
                java.time.Duration.between(start, Instant.now()).toMillis(), EndReason.REFUSED, detail));
    }

    private void watchLoop() {
        long idleNanos = config.limits().idleTimeout().toNanos();
        long tickMillis = Math.max(10, Math.min(250, Math.min(config.limits().idleTimeout().toMillis(),
                config.limits().totalTimeout().toMillis()) / 4));
        while (!closed.get()) {
            long now = System.nanoTime();
            if (!expired && now - deadlineNanos >= 0) {
                expired = true;
            }
            for (ProxyConnection c : active) {
                if (expired && c.startNanos() - deadlineNanos < 0) {
                    c.cut(EndReason.TOTAL_TIMEOUT);
                } else if (!c.idleWatchedByPump() && now - c.lastActivityNanos() >= idleNanos) {
                    c.cut(EndReason.IDLE_TIMEOUT);
                }
            }
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Takes {@code n} bytes from the run's budget; false (and the budget marked spent) when it would overflow. */
    boolean takeBudget(long n) {
        long after = budgetUsed.addAndGet(n);
        if (after > config.limits().maxBytes()) {
            budgetExhausted = true;
            return false;
        }
        return true;
    }

    /**
     * Grants a pumped tunnel up to {@link #GRANT_BYTES} of the run's budget, charged at once (so concurrent tunnels
     * and plain HTTP share one budget and never exceed it together); 0, and the budget marked spent, when none is
     * left. What a tunnel does not use comes back through {@link #returnBudget}.
     */
    long grantBudget() {
        long max = config.limits().maxBytes();
        while (true) {
            long used = budgetUsed.get();
            long left = max - used;
            if (left <= 0) {
                budgetExhausted = true;
                return 0;
            }
            long g = Math.min(left, GRANT_BYTES);
            if (budgetUsed.compareAndSet(used, used + g)) {
                return g;
            }
        }
    }

    void returnBudget(long n) {
        if (n > 0) {
            budgetUsed.addAndGet(-n);
        }
    }

    boolean isBudgetExhausted() {
        return budgetExhausted;
    }

    boolean isExpired() {
        return expired;
    }

    boolean isClosed() {
        return closed.get();
    }

    void submit(Runnable task) {
        workers.execute(task);
    }

    void release(ProxyConnection c) {
        if (active.remove(c)) {
            connectionSlots.release();
        }
    }

    void record(EgressRecord r) {
        synchronized (records) {
            attempts.incrementAndGet();
            switch (r.verdict()) {
                case ALLOWED -> allowed.incrementAndGet();
                case DENIED -> unauthorized.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
            }
            bytesUp.addAndGet(r.bytesUp());
            bytesDown.addAndGet(r.bytesDown());
            if (r.verdict() == EgressVerdict.DENIED && !r.host().isEmpty()
                    && deniedDestinations.size() < MAX_DENIED_DESTINATIONS) {
                deniedDestinations.add(r.host() + ":" + r.port());
            }
            if (records.size() < config.limits().maxRecords()) {
                records.add(r);
            } else {
                dropped.incrementAndGet();
            }
        }
        if (config.listener() != null) {
            try {
                config.listener().accept(r);
            } catch (RuntimeException e) {
                // a progress printer must not break the proxy
            }
        }
    }

    /**
     * Removes per-run directories that a process left behind when it died without closing its proxy (killed,
     * power loss): those older than {@code olderThan} whose owner lock is free (the OS released it when the
     * owner died). A live proxy's directory — in this or another process — is never touched, and is not probed. Call it before starting a run, as the sandbox reaper does for containers.
     *
     * @return how many directories were removed
     */
    public static int reapStale(Path baseDirectory, java.time.Duration olderThan) throws IOException {
        if (!Files.isDirectory(baseDirectory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> dirs = Files.newDirectoryStream(baseDirectory, "agentgate-egress-*")) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        || Files.getLastModifiedTime(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(cutoff)
                        || LIVE_IN_THIS_JVM.contains(dir.toRealPath(java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        || ownerAlive(dir.resolve(LOCK_NAME))) {
                    continue;
                }
                deleteTree(dir);
                removed++;
            }
        }
        return removed;
    }

    private static boolean ownerAlive(Path lockFile) {
        if (!Files.isRegularFile(lockFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false; // never completed its start: garbage
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            java.nio.channels.FileLock l = ch.tryLock();
            if (l == null) {
                return true; // held by another live process
            }
            l.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // held by this process (not registered: leave it)
        } catch (IOException e) {
            return true; // cannot tell: leave it
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort; a leftover directory holds no listener and no secret
        }
    }
}
