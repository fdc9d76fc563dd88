package io.jenkins.plugins.agentgate.core.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code git} binary with a fixed environment: no pager, no system or global config, no
 * prompts, no optional locks, C locale, paths never quoted, symlinks stored as links (never followed), no
 * hooks, fsmonitor or external diff. The caller chooses GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE.
 */
final class GitCli {
    /** Options that make every git call behave the same whatever the user's or repository's settings. */
    private static final List<String> FIXED = List.of(
            "-c", "core.quotepath=off",
            "-c", "core.symlinks=true",
            "-c", "core.fsmonitor=false",
            "-c", "core.hooksPath=/dev/null",
            "-c", "core.autocrlf=false",
            "-c", "core.safecrlf=false",
            "-c", "core.attributesFile=/dev/null",
            "-c", "core.excludesFile=/dev/null",
            "-c", "safe.directory=*",
            "-c", "diff.noprefix=false",
            "-c", "diff.mnemonicprefix=false",
            "-c", "gc.auto=0",
            // Capture objects live in a private, short-lived store: skip compressing them.
            "-c", "core.looseCompression=0",
            "-c", "maintenance.auto=false");
    private static final long TIMEOUT_SECONDS = 600;

    private final String executable;
    private final Path workingDir;
    private final Map<String, String> env;

    GitCli(String executable, Path workingDir, Path home, Map<String, String> gitEnv) {
        this.executable = executable;
        this.workingDir = workingDir;
        java.util.HashMap<String, String> e = new java.util.HashMap<>();
        String path = System.getenv("PATH");
        e.put("PATH", path == null ? "/usr/bin:/bin" : path);
        e.put("HOME", home.toString());
        e.put("XDG_CONFIG_HOME", home.toString());
        e.put("GIT_CONFIG_NOSYSTEM", "1");
        e.put("GIT_CONFIG_GLOBAL", "/dev/null");
        e.put("GIT_ATTR_NOSYSTEM", "1");
        e.put("GIT_TERMINAL_PROMPT", "0");
        e.put("GIT_PAGER", "cat");
        e.put("PAGER", "cat");
        e.put("GIT_OPTIONAL_LOCKS", "0");
        e.put("GIT_NO_REPLACE_OBJECTS", "1");
        e.put("GIT_ADVICE", "0");
        e.put("LC_ALL", "C");
        e.putAll(gitEnv);
        this.env = Map.copyOf(e);
    }

    GitCli with(Map<String, String> moreEnv) {
        java.util.HashMap<String, String> e = new java.util.HashMap<>(env);
        e.putAll(moreEnv);
        return new GitCli(executable, workingDir, Path.of(env.get("HOME")), e);
    }

    /** Runs git and returns stdout; a non-zero exit is an exception carrying git's stderr. */
    byte[] run(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = exec(List.of(args), out, true);
        if (code != 0) {
            throw new CaptureException("git " + String.join(" ", args) + " failed (exit " + code + ")");
        }
        return out.toByteArray();
    }

    /** Runs git and returns its exit code and stdout, without failing on a non-zero exit. */
    Result tryRun(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = exec(List.of(args), out, false);
        return new Result(code, out.toString(StandardCharsets.UTF_8));
    }

    /**
     * A written patch: bytes (-1 when over the cap, file deleted), its SHA-256, the split-off raw/numstat header, and
     * whether the mask replaced anything in it.
     */
    record FileOut(long bytes, String sha256, byte[] header, boolean masked) {}

    /** The two patches of {@link #runPatchPair}: each written file (or -1 bytes when over the cap) and the first's header. */
    record PatchPair(FileOut first, FileOut second) {}

    /**
     * Runs {@code git diff-tree --stdin} on "A B\nB A\n" (one process for both directions) with output
     * options that put a {@code -z} raw/numstat part before each patch, and writes the A-to-B patch to
     * {@code first} and the B-to-A patch to {@code second}, each capped at {@code cap} bytes and hashed
     * while it streams. The first raw/numstat part is returned as the first's header.
     */
    PatchPair runPatchPair(String a, String b, Path first, Path second, long cap,
                           java.util.function.UnaryOperator<OutputStream> mask, String... args) throws IOException {
        return finishPatchPair(startPatchPair(args), a, b, first, second, cap, mask);
    }

    /**
     * Starts {@code git diff-tree --stdin} with these options before the trees to compare exist, so that its
     * start-up overlaps the caller's work; {@link #finishPatchPair} gives it the trees. Objects written into
     * a new pack meanwhile are found: git looks for new packs when an object is missing.
     */
    Running startPatchPair(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("diff-tree", "--stdin"));
        argv.addAll(List.of(args));
        Path errFile = Path.of(errFile() + "-patches"); // its own: it may run alongside a started process
        return new Running(List.copyOf(argv), spawn(argv, errFile, true), errFile);
    }

    /** {@link #runPatchPair} on a process from {@link #startPatchPair}; the process is ended in any case. */
    PatchPair finishPatchPair(Running started, String a, String b, Path first, Path second, long cap,
                              java.util.function.UnaryOperator<OutputStream> mask) throws IOException {
        byte[] input = (a + " " + b + "\n" + b + " " + a + "\n").getBytes(StandardCharsets.US_ASCII);
        List<String> argv = started.args;
        try (PatchSink one = new PatchSink(first, cap, mask); PatchSink two = new PatchSink(second, cap, mask)) {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            PatchPairSplitter split = new PatchPairSplitter(a + " " + b + "\n", b + " " + a + "\n", header,
                    one.stream(), two.stream(), two::overflowed);
            int code = collect(argv, started.process, started.errFile, split, true, input);
            if (code != 0 && !two.overflowed()) {
                throw new CaptureException("git " + String.join(" ", argv) + " failed (exit " + code + ")");
            }
            if (!split.complete()) {
                throw new CaptureException("git " + String.join(" ", argv) + " printed no second diff; expected one per input line");
            }
            return new PatchPair(one.finish(header.toByteArray()), two.finish(new byte[0]));
        } finally {
            started.abandon(); // a no-op once it has exited
        }
    }

    /**
     * A capped, hashed temporary file that is renamed onto its target when complete. What git writes passes the
     * mask first (the run's credential masker, or identity); the cap, the hash and the file see the masked bytes.
     */
    private static final class PatchSink implements java.io.Closeable {
        private final Path target;
        private final Path tmp;
        private final java.security.MessageDigest md = io.jenkins.plugins.agentgate.core.json.Digests.sha256();
        private final OutputStream file;
        private final CappedOutputStream capped;
        private final CountingOutputStream raw;

        PatchSink(Path target, long cap, java.util.function.UnaryOperator<OutputStream> mask) throws IOException {
            this.target = target;
            this.tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            this.file = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
            this.capped = new CappedOutputStream(new java.security.DigestOutputStream(file, md), cap);
            this.raw = new CountingOutputStream(mask.apply(capped)); // closing the mask closes capped: a no-op
        }

        OutputStream stream() {
            return raw;
        }

        boolean overflowed() {
            return capped.overflowed;
        }

        FileOut finish(byte[] header) throws IOException {
            raw.close(); // the mask hands over what it held back (a possible start of a value)
            file.close();
            if (capped.overflowed) {
                return new FileOut(-1, null, header, false);
            }
            AtomicFiles.rename(tmp, target); // durable with the whole bundle, before its commit
            // A mask ("****") is shorter than any value it replaces, so fewer bytes came out than went in.
            return new FileOut(capped.count, java.util.HexFormat.of().formatHex(md.digest()), header, capped.count != raw.count);
        }

        @Override
        public void close() throws IOException {
            try {
                file.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Splits {@code diff-tree --stdin -z --raw --numstat -p} output for two tree pairs: the first pair's
     * header line is dropped, its raw/numstat part (up to the empty NUL record) goes to {@code header}, its
     * patch to {@code first}; the second pair's header line (looked for at line starts only: no patch line
     * can be two ids and a space — hunk lines start with ' ', '+', '-', '\\' or '@', and base85 has no
     * space) ends the first patch; its raw/numstat part is dropped and its patch goes to {@code second}.
     */
    static final class PatchPairSplitter extends OutputStream {
        private final byte[] firstLine;
        private final byte[] marker;
        private final OutputStream header;
        private final OutputStream first;
        private final OutputStream second;
        private final java.util.function.BooleanSupplier secondFull;
        private int state; // 0 first header line, 1 first raw, 2 first patch, 3 second raw, 4 second patch
        private int matched;
        private boolean atLineStart = true;
        private boolean lastWasNul;

        /** {@code secondFull}: whether the second patch is over its cap (then git is stopped: nothing more is kept). */
        PatchPairSplitter(String firstLine, String secondLine, OutputStream header, OutputStream first, OutputStream second,
                          java.util.function.BooleanSupplier secondFull) {
            this.firstLine = firstLine.getBytes(StandardCharsets.US_ASCII);
            this.marker = secondLine.getBytes(StandardCharsets.US_ASCII);
            this.header = header;
            this.first = first;
            this.second = second;
            this.secondFull = secondFull;
        }

        boolean complete() {
            return state >= 3;
        }

        boolean saturated() {
            return secondFull.getAsBoolean();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (i < end) {
                switch (state) {
                    case 0 -> {
                        byte c = b[i++];
                        if (matched >= firstLine.length || c != firstLine[matched]) {
                            throw new CaptureException("git diff-tree --stdin printed an unexpected first line");
                        }
                        if (++matched == firstLine.length) {
                            matched = 0;
                            state = 1;
                        }
                    }
                    case 1, 3 -> {
                        byte c = b[i++];
                        if (c == 0 && lastWasNul) {
                            lastWasNul = false;
                            state++;
                        } else {
                            lastWasNul = c == 0;
                            if (state == 1) {
                                header.write(c);
                            }
                        }
                    }
                    case 2 -> i = firstPatch(b, i, end);
                    default -> {
                        second.write(b, i, end - i);
                        i = end;
                    }
                }
            }
        }

        /** Writes the first patch in runs, diverting at the second pair's header line. */
        private int firstPatch(byte[] b, int i, int end) throws IOException {
            int run = i;
            while (i < end) {
                byte c = b[i];
                if (matched > 0 || atLineStart) {
                    if (c == marker[matched]) {
                        if (matched == 0) {
                            first.write(b, run, i - run);
                        }
                        i++;
                        if (++matched == marker.length) {
                            matched = 0;
                            state = 3;
                            return i;
                        }
                        run = i;
                        continue;
                    }
                    if (matched > 0) {
                        first.write(marker, 0, matched); // not the marker after all
                        matched = 0;
                        run = i;
                    }
                }
                atLineStart = c == '\n';
                i++;
            }
            first.write(b, run, i - run);
            return i;
        }
    }

    record Result(int exitCode, String stdout) {}

    private int exec(List<String> args, OutputStream out, boolean failWithStderr) throws IOException {
        return exec(args, out, failWithStderr, null);
    }

    /** A git process started by {@link #start}: the caller does other work, then collects its stdout. */
    final class Running {
        private final List<String> args;
        private final Process process;
        private final Path errFile;

        private Running(List<String> args, Process process, Path errFile) {
            this.args = args;
            this.process = process;
            this.errFile = errFile;
        }

        /** Waits for git and returns stdout; a non-zero exit is an exception carrying git's stderr. */
        byte[] finish() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = collect(args, process, errFile, out, true, null);
            if (code != 0) {
                throw new CaptureException("git " + String.join(" ", args) + " failed (exit " + code + ")");
            }
            return out.toByteArray();
        }

        /** Ends the process without reading its output (the caller no longer needs it). */
        void abandon() {
            process.destroyForcibly();
        }
    }

    /**
     * Starts git (stdin from /dev/null, stderr to this thread's reused file) and returns at once, so that
     * the JVM's own work overlaps git's. Its output must be small enough to wait in the pipe (a few KiB),
     * since nothing reads it until {@link Running#finish}.
     */
    Running start(String... args) throws IOException {
        List<String> a = List.of(args);
        // Its own stderr file: git calls made while it runs would otherwise truncate it.
        Path errFile = Path.of(errFile() + "-started");
        return new Running(a, spawn(a, errFile, false), errFile);
    }

    private Path errFile() {
        // stderr goes to a file in the capture's private HOME, reused call after call (truncated on each
        // redirect): creating and deleting a temporary file per call costs more than many git calls' work.
        return Path.of(env.get("HOME")).resolve("git-stderr-" + Thread.currentThread().getId());
    }

    private Process spawn(List<String> args, Path errFile, boolean withStdin) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(executable);
        argv.addAll(FIXED);
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workingDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        if (!withStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        pb.redirectError(errFile.toFile());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new CaptureException("cannot start '" + executable + "' (" + e.getMessage()
                    + "); expected a git executable on PATH", e);
        }
    }

    private int exec(List<String> args, OutputStream out, boolean failWithStderr, byte[] stdin) throws IOException {
        Path errFile = errFile();
        return collect(args, spawn(args, errFile, stdin != null), errFile, out, failWithStderr, stdin);
    }

    private int collect(List<String> args, Process p, Path errFile, OutputStream out, boolean failWithStderr,
                        byte[] stdin) throws IOException {
        try (InputStream in = p.getInputStream()) {
            if (stdin != null) {
                // Small input (a few lines): it fits the pipe, so writing before reading cannot block.
                try (OutputStream w = p.getOutputStream()) {
                    w.write(stdin);
                }
            }
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (overflowed(out)) {
                    p.destroyForcibly();
                    break;
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CaptureException("git " + String.join(" ", args) + " did not finish within "
                        + TIMEOUT_SECONDS + " s");
            }
            int code = p.exitValue();
            if (failWithStderr && code != 0 && !overflowed(out)) {
                String err = Files.readString(errFile, StandardCharsets.UTF_8).strip();
                if (!err.isEmpty()) {
                    throw new CaptureException("git " + String.join(" ", args) + " failed (exit " + code + "): "
                            + (err.length() > 2000 ? err.substring(0, 2000) + "..." : err));
                }
            }
            return code;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while running git " + String.join(" ", args), e);
        }
    }

    private static boolean overflowed(OutputStream out) {
        if (out instanceof PatchPairSplitter s) {
            return s.saturated();
        }
        return out instanceof CappedOutputStream c && c.overflowed;
    }

    /** Counts what passes to {@code delegate}, and closes it on close. */
    static final class CountingOutputStream extends OutputStream {
        private final OutputStream delegate;
        long count;

        CountingOutputStream(OutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            delegate.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /** Counts bytes and stops writing once a cap is passed, so an enormous diff cannot fill the disk. */
    static final class CappedOutputStream extends OutputStream {
        private final OutputStream delegate;
        private final long cap;
        long count;
        boolean overflowed;

        CappedOutputStream(OutputStream delegate, long cap) {
            this.delegate = delegate;
            this.cap = cap;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (overflowed) {
                return;
            }
            if (count + len > cap) {
                overflowed = true;
                return;
            }
            delegate.write(b, off, len);
            count += len;
        }
    }
}
