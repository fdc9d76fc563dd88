import io.jenkins.plugins.agentgate.core.evidence.CaptureLimits;
import io.jenkins.plugins.agentgate.core.evidence.CaptureResult;
import io.jenkins.plugins.agentgate.core.evidence.WorkspaceCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Evidence capture benchmark (run by bench/evidence-capture.sh). For each scenario it builds a git
 * workspace, then per iteration: WorkspaceCapture.before(), the "agent" rewrites N files, then times
 * after() against the baseline `git diff --numstat` + `sha256sum <changed files>` on the same state.
 */
public class CaptureBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "/tmp/agentgate-bench");
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        System.out.println("| workspace files | changed files | changed bytes | after() wall median ms | baseline wall median ms | wall ratio | after() CPU ms/iter | baseline CPU ms/iter | CPU ratio | before() wall median ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        scenario(root.resolve("ws-1k"), 1_000, 20, 100, iterations);
        scenario(root.resolve("ws-10k"), 10_000, 20, 100, iterations);
        scenario(root.resolve("ws-10k-big"), 10_000, 20, 1 << 20, iterations);
        scenario(root.resolve("ws-10k-200"), 10_000, 200, 100, iterations);
    }

    static void scenario(Path ws, int files, int changed, int bytesPerChange, int iterations) throws Exception {
        makeRepo(ws, files);
        List<String> changedPaths = new ArrayList<>();
        for (int i = 0; i < changed; i++) {
            changedPaths.add(path(i * (files / changed)));
        }
        long[] after = new long[iterations];
        long[] base = new long[iterations];
        long[] before = new long[iterations];
        long cpuAfter = 0;
        long cpuBase = 0;
        int warmup = 3;
        for (int it = -warmup; it < iterations; it++) {
            Path out = Files.createTempDirectory(ws.getParent(), "out");
            Path scratch = out.resolve(".scratch");
            long t0 = System.nanoTime();
            WorkspaceCapture.Snapshot snap = WorkspaceCapture.before(ws, out, scratch, CaptureLimits.defaults());
            long t1 = System.nanoTime();
            byte[] payload = payload(bytesPerChange, it);
            for (String p : changedPaths) {
                Files.write(ws.resolve(p), payload);
            }
            long c2 = childrenCpuMillis();
            long m2 = THREADS.getCurrentThreadCpuTime();
            long t2 = System.nanoTime();
            CaptureResult r = snap.after();
            long t3 = System.nanoTime();
            long c3 = childrenCpuMillis();
            long m3 = THREADS.getCurrentThreadCpuTime();
            // Baseline, same state: what a shell script would do to learn the same facts.
            List<String> argv = new ArrayList<>(List.of("sh", "-c", "git diff --numstat >/dev/null && sha256sum \"$@\" >/dev/null", "sh"));
            argv.addAll(changedPaths);
            exec(ws, argv);
            long t4 = System.nanoTime();
            long c4 = childrenCpuMillis();
            if (r.workspace().summary().filesChanged() != changed) {
                throw new IllegalStateException("expected " + changed + " changes, got " + r.workspace().summary());
            }
            if (it >= 0) {
                before[it] = t1 - t0;
                after[it] = t3 - t2;
                base[it] = t4 - t3;
                cpuAfter += (c3 - c2) + (m3 - m2) / 1_000_000;
                cpuBase += c4 - c3;
            }
            exec(ws, List.of("git", "checkout", "-q", "--", "."));
            exec(ws, List.of("git", "update-index", "-q", "--refresh"));
            deleteTree(out);
        }
        double a = median(after), b = median(base), bf = median(before);
        double ca = (double) cpuAfter / iterations, cb = (double) cpuBase / iterations;
        System.out.printf("| %,d | %d | %,d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx | %.1f |%n", files, changed,
                (long) changed * bytesPerChange, a, b, a / b, ca, cb, ca / cb, bf);
    }

    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

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
