import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Evidence capture benchmark (run by bench/evidence-capture.sh). For each scenario it builds a git
 * workspace, then per iteration and per implementation: WorkspaceCapture.before(), the "agent" rewrites
 * N files, then times after() against the baseline `git diff --numstat` + `sha256sum <changed files>` on
 * the same state. Each implementation is a jar loaded in its own class loader, so that an old and a new
 * build are compared in the same run, iterations interleaved (load drift hits both alike).
 *
 * <p>CPU is counted for the whole process tree: this JVM's CPU time (all its threads: the capture's
 * own, pool threads, JIT and GC) plus the CPU of the child processes it waited for (git, sh; and sh's
 * own children, which sh waited for). The baseline is counted the same way (the JVM's share there is
 * starting sh and reading its output). The "thread" column repeats the older accounting (calling thread
 * plus children) for comparison with earlier tables.
 *
 * <p>Usage: java bench/CaptureBench.java WORKDIR ITERATIONS LABEL=JAR [LABEL=JAR...]
 */
public class CaptureBench {
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** One build of Agent Gate, driven by reflection through its own class loader. */
    static final class Impl {
        final String label;
        final Method before;
        final Object limits;
        final Method after;

        Impl(String label, Path jar) throws Exception {
            this.label = label;
            ClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> wc = Class.forName("io.jenkins.plugins.agentgate.core.evidence.WorkspaceCapture", true, cl);
            Class<?> lc = Class.forName("io.jenkins.plugins.agentgate.core.evidence.CaptureLimits", true, cl);
            this.before = wc.getMethod("before", Path.class, Path.class, Path.class, lc);
            this.limits = lc.getMethod("defaults").invoke(null);
            this.after = Class.forName("io.jenkins.plugins.agentgate.core.evidence.WorkspaceCapture$Snapshot", true, cl)
                    .getMethod("after");
        }

        int changedFiles(Object result) throws Exception {
            Object w = result.getClass().getMethod("workspace").invoke(result);
            Object s = w.getClass().getMethod("summary").invoke(w);
            return (Integer) s.getClass().getMethod("filesChanged").invoke(s);
        }
    }

    /** Per implementation and scenario: samples of each measure. */
    static final class Samples {
        final long[] after, base, before, cpuAfter, cpuBase, cpuAfterThread;

        Samples(int n) {
            after = new long[n];
            base = new long[n];
            before = new long[n];
            cpuAfter = new long[n];
            cpuBase = new long[n];
            cpuAfterThread = new long[n];
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int iterations = Integer.parseInt(args[1]);
        List<Impl> impls = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            impls.add(new Impl(kv[0], Path.of(kv[1])));
        }
        System.out.println("| build | workspace files | changed files | changed bytes | after() wall median ms | baseline wall median ms | wall ratio | after() CPU ms/iter | baseline CPU ms/iter | CPU ratio | after() CPU, thread accounting | before() wall median ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // The first (cheapest) scenario warms up longest: C2 compiles the capture path there, and its
        // background work would otherwise be charged to later scenarios' whole-process CPU.
        scenario(impls, root.resolve("ws-1k"), 1_000, 20, 100, iterations, 30);
        scenario(impls, root.resolve("ws-10k"), 10_000, 20, 100, iterations, 5);
        scenario(impls, root.resolve("ws-10k-big"), 10_000, 20, 1 << 20, iterations, 5);
        scenario(impls, root.resolve("ws-10k-200"), 10_000, 200, 100, iterations, 5);
    }

    static void scenario(List<Impl> impls, Path ws, int files, int changed, int bytesPerChange, int iterations, int warmup)
            throws Exception {
        makeRepo(ws, files);
        List<String> changedPaths = new ArrayList<>();
        for (int i = 0; i < changed; i++) {
            changedPaths.add(path(i * (files / changed)));
        }
        List<Samples> samples = new ArrayList<>();
        for (int k = 0; k < impls.size(); k++) {
            samples.add(new Samples(iterations));
        }
        for (int it = -warmup; it < iterations; it++) {
            for (int j = 0; j < impls.size(); j++) {
                // Alternate which build goes first, so neither always runs on a cache the other warmed.
                int k = Math.floorMod(j + it, impls.size());
                iteration(impls.get(k), ws, changedPaths, changed, bytesPerChange, it, it >= 0 ? samples.get(k) : null);
            }
        }
        for (int k = 0; k < impls.size(); k++) {
            Samples s = samples.get(k);
            double a = median(s.after), b = median(s.base), bf = median(s.before);
            double ca = mean(s.cpuAfter), cb = mean(s.cpuBase), ct = mean(s.cpuAfterThread);
            System.out.printf("| %s | %,d | %d | %,d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx | %.1f | %.1f |%n",
                    impls.get(k).label, files, changed, (long) changed * bytesPerChange, a, b, a / b, ca, cb, ca / cb, ct, bf);
        }
    }

    static void iteration(Impl impl, Path ws, List<String> changedPaths, int changed, int bytesPerChange, int it,
                          Samples into) throws Exception {
        Path out = Files.createTempDirectory(ws.getParent(), "out");
        Path scratch = out.resolve(".scratch");
        long t0 = System.nanoTime();
        Object snap = impl.before.invoke(null, ws, out, scratch, impl.limits);
        long t1 = System.nanoTime();
        byte[] payload = payload(bytesPerChange, it);
        for (String p : changedPaths) {
            Files.write(ws.resolve(p), payload);
        }
        long c2 = childrenCpuMillis();
        long p2 = OS.getProcessCpuTime();
        long m2 = THREADS.getCurrentThreadCpuTime();
        long t2 = System.nanoTime();
        Object r = impl.after.invoke(snap);
        long t3 = System.nanoTime();
        long c3 = childrenCpuMillis();
        long p3 = OS.getProcessCpuTime();
        long m3 = THREADS.getCurrentThreadCpuTime();
        // Baseline, same state: what a shell script would do to learn the same facts.
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "git diff --numstat >/dev/null && sha256sum \"$@\" >/dev/null", "sh"));
        argv.addAll(changedPaths);
        exec(ws, argv);
        long t4 = System.nanoTime();
        long c4 = childrenCpuMillis();
        long p4 = OS.getProcessCpuTime();
        if (impl.changedFiles(r) != changed) {
            throw new IllegalStateException(impl.label + ": expected " + changed + " changes, got " + impl.changedFiles(r));
        }
        if (into != null) {
            into.before[it] = t1 - t0;
            into.after[it] = t3 - t2;
            into.base[it] = t4 - t3;
            into.cpuAfter[it] = (c3 - c2) * 1_000_000 + (p3 - p2);
            into.cpuAfterThread[it] = (c3 - c2) * 1_000_000 + (m3 - m2);
            into.cpuBase[it] = (c4 - c3) * 1_000_000 + (p4 - p3);
        }
        exec(ws, List.of("git", "checkout", "-q", "--", "."));
        exec(ws, List.of("git", "update-index", "-q", "--refresh"));
        deleteTree(out);
    }

    /** User + system CPU of this JVM's waited-for children (git, sh, sha256sum), from /proc/self/stat, in ms. */
    static long childrenCpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after ')': state=0 ... utime=11 stime=12 cutime=13 cstime=14 (clock ticks)
        long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks * 1000 / 100;
    }

    static byte[] payload(int size, int it) {
        byte[] line = ("changed by iteration " + it + " of the benchmark, line of text\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = line[i % line.length];
        }
        return out;
    }

    static String path(int i) {
        return "src/d" + (i / 100) + "/f" + i + ".txt";
    }

    static void makeRepo(Path ws, int files) throws Exception {
        deleteTree(ws);
        Files.createDirectories(ws);
        for (int i = 0; i < files; i++) {
            Path p = ws.resolve(path(i));
            Files.createDirectories(p.getParent());
            Files.writeString(p, ("file " + i + "\n").repeat(1 + i % 50));
        }
        exec(ws, List.of("git", "init", "-q"));
        exec(ws, List.of("git", "add", "-A"));
        exec(ws, List.of("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "init"));
    }

    static void exec(Path dir, List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_PAGER", "cat");
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(argv + " failed");
        }
    }

    static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    static double mean(long[] ns) {
        return Arrays.stream(ns).average().orElse(0) / 1e6;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
