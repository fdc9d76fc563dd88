package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Capture for workspaces that are not git work trees: a manifest of every path (type, size, times,
 * inode, mode, and SHA-256 for files that fit the snapshot budget) and a zip of the pre-run content as the
 * rollback reference. After the run only paths whose stat data changed are read.
 */
final class ManifestCapture {
    /** One path of the manifest. */
    record Entry(FileStat stat, String sha256, String target) {}

    private ManifestCapture() {}

    static WorkspaceCapture.Snapshot before(Path ws, Path outputDir, CaptureLimits limits) throws IOException {
        List<String> reasons = new ArrayList<>();
        TreeMap<String, Entry> manifest = new TreeMap<>();
        boolean walkTruncated = walk(ws, limits.maxFiles(), (rel, p, stat) -> manifest.put(rel, new Entry(stat, null,
                stat.type() == FileStat.LINK ? Files.readSymbolicLink(p).toString() : null)));
        if (walkTruncated) {
            reasons.add("the workspace has more than " + limits.maxFiles() + " paths (limit maxFiles); later paths "
                    + "are not in the manifest or the snapshot");
        }
        Path zip = outputDir.resolve(EvidenceBundle.SNAPSHOT);
        Path tmp = Files.createTempFile(outputDir, ".snapshot.", ".tmp");
        long stored = 0;
        boolean snapshotTruncated = walkTruncated;
        try {
            try (OutputStream fout = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(fout)) {
                byte[] buf = new byte[64 * 1024];
                for (Map.Entry<String, Entry> e : manifest.entrySet()) {
                    FileStat st = e.getValue().stat();
                    if (st.type() != FileStat.FILE) {
                        continue;
                    }
                    if (stored + st.size() > limits.maxSnapshotBytes()) {
                        if (!snapshotTruncated) {
                            reasons.add("the snapshot archive stopped at " + stored + " bytes (limit maxSnapshotBytes="
                                    + limits.maxSnapshotBytes() + "); later files have no sha256Before and no copy");
                        }
                        snapshotTruncated = true;
                        continue;
                    }
                    MessageDigest md = Digests.sha256();
                    ZipEntry ze = new ZipEntry(e.getKey());
                    ze.setTime(st.mtimeNanos() / 1_000_000);
                    out.putNextEntry(ze);
                    try (InputStream in = Files.newInputStream(ws.resolve(e.getKey()), LinkOption.NOFOLLOW_LINKS)) {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            md.update(buf, 0, n);
                            out.write(buf, 0, n);
                            stored += n;
                        }
                    }
                    out.closeEntry();
                    e.setValue(new Entry(st, HexFormat.of().formatHex(md.digest()), null));
                }
                // Symlinks, modes and hashes: what the zip format cannot carry, for restoring exactly.
                List<Map<String, Object>> listing = new ArrayList<>();
                for (Map.Entry<String, Entry> e : manifest.entrySet()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("path", e.getKey());
                    m.put("type", e.getValue().stat().typeName());
                    m.put("mode", Integer.toOctalString(e.getValue().stat().mode()));
                    m.put("size", e.getValue().stat().size());
                    m.put("sha256", e.getValue().sha256());
                    m.put("symlinkTarget", e.getValue().target());
                    listing.add(m);
                }
                out.putNextEntry(new ZipEntry("MANIFEST.json"));
                out.write(CanonicalJson.bytes(Map.of("truncated", snapshotTruncated, "entries", listing)));
                out.closeEntry();
            }
            AtomicFiles.rename(tmp, zip); // durable with the whole bundle, before its commit
        } finally {
            Files.deleteIfExists(tmp);
        }
        BundleFile snapshot = new BundleFile(EvidenceBundle.SNAPSHOT, Digests.sha256Hex(zip), Files.size(zip));
        boolean complete = !snapshotTruncated;
        return new WorkspaceCapture.Snapshot() {
            @Override
            public String kind() {
                return "manifest";
            }

            @Override
            public CaptureResult after(java.util.function.UnaryOperator<java.io.OutputStream> patchMask) throws IOException {
                // No patch here: the snapshot archive holds the pre-run files, written before the agent ran.
                return ManifestCapture.after(ws, manifest, snapshot, complete, reasons, limits);
            }
        };
    }

    private static CaptureResult after(Path ws, Map<String, Entry> before, BundleFile snapshot, boolean snapshotComplete,
                                       List<String> beforeReasons, CaptureLimits limits) throws IOException {
        List<String> reasons = new ArrayList<>(beforeReasons);
        TreeMap<String, FileChange> changes = new TreeMap<>();
        TreeSet<String> seen = new TreeSet<>();
        long[] hashed = {0};
        boolean[] budgetHit = {false};
        boolean walkTruncated = walk(ws, limits.maxFiles(), (rel, p, st) -> {
            seen.add(rel);
            Entry b = before.get(rel);
            if (st.type() == FileStat.DIR || (b != null && st.sameAs(b.stat()))) {
                return; // unchanged stat: unchanged content, nothing is read
            }
            String target = st.type() == FileStat.LINK ? Files.readSymbolicLink(p).toString() : null;
            String sha = null;
            if (st.type() == FileStat.FILE) {
                if (hashed[0] + st.size() <= limits.maxHashBytes()) {
                    sha = Digests.sha256Hex(p);
                    hashed[0] += st.size();
                } else {
                    budgetHit[0] = true;
                }
            }
            String change;
            if (b == null) {
                change = "added";
            } else if (b.stat().type() != st.type()) {
                change = "type-changed";
            } else if (st.type() == FileStat.LINK) {
                if (target.equals(b.target())) {
                    return;
                }
                change = "modified";
            } else if (st.type() == FileStat.FILE && sha != null && sha.equals(b.sha256())
                    && st.executable() == b.stat().executable()) {
                return; // touched, same content and mode
            } else {
                change = "modified";
            }
            Long sizeBefore = b == null || b.stat().type() != FileStat.FILE ? null : b.stat().size();
            changes.put(rel, new FileChange(rel, change, st.typeName(), null, null, false, sizeBefore,
                    st.type() == FileStat.FILE ? st.size() : null, b == null ? null : b.sha256(), sha, null, null, target));
        });
        if (walkTruncated) {
            reasons.add("the workspace has more than " + limits.maxFiles() + " paths after the run (limit maxFiles); "
                    + "later paths were not compared");
        }
        if (budgetHit[0]) {
            reasons.add("content hashing stopped after " + hashed[0] + " bytes (limit maxHashBytes="
                    + limits.maxHashBytes() + "); later files have no sha256After");
        }
        for (Map.Entry<String, Entry> e : before.entrySet()) {
            if (!seen.contains(e.getKey()) && e.getValue().stat().type() != FileStat.DIR && !walkTruncated) {
                FileStat b = e.getValue().stat();
                changes.put(e.getKey(), new FileChange(e.getKey(), "deleted", b.typeName(), null, null, false,
                        b.type() == FileStat.FILE ? b.size() : null, null, e.getValue().sha256(), null, null, null, null));
            }
        }
        int added = 0, modified = 0, deleted = 0, typeChanged = 0, symlinks = 0;
        List<FileChange> listed = new ArrayList<>();
        for (FileChange c : changes.values()) {
            switch (c.change()) {
                case "added" -> added++;
                case "deleted" -> deleted++;
                case "type-changed" -> typeChanged++;
                default -> modified++;
            }
            if ("symlink".equals(c.type())) {
                symlinks++;
            }
            if (listed.size() < limits.maxFiles()) {
                listed.add(c);
            }
        }
        if (listed.size() < changes.size()) {
            reasons.add(changes.size() + " paths changed; only the first " + listed.size()
                    + " are listed (limit maxFiles=" + limits.maxFiles() + ")");
        }
        DiffSummary summary = new DiffSummary(changes.size(), added, modified, deleted, typeChanged, 0, 0, 0, symlinks);
        Truncation t = new Truncation(!reasons.isEmpty(), changes.size(), listed.size(), hashed[0], reasons);
        WorkspaceEvidence w = new WorkspaceEvidence("manifest", null, null, null, null, null, listed, summary, t, null);
        Rollback rollback = new Rollback("snapshot-archive", null, null, null, snapshot, snapshotComplete,
                snapshotComplete ? null : "the pre-run snapshot archive is truncated (see workspace.truncation)");
        return new CaptureResult(w, rollback, List.of(snapshot));
    }

    @FunctionalInterface
    interface Visitor {
        void visit(String rel, Path path, FileStat stat) throws IOException;
    }

    /** Walks without following symlinks; returns true when it stopped at {@code max} paths. */
    static boolean walk(Path root, int max, Visitor v) throws IOException {
        int[] count = {0};
        boolean[] truncated = {false};
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                return visitFile(dir, attrs);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (count[0] >= max) {
                    truncated[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                count[0]++;
                String rel = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                v.visit(rel, file, FileStat.of(file, attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                throw new CaptureException("cannot read '" + root.relativize(file) + "' in the workspace ("
                        + exc.getMessage() + "); expected every workspace path to be readable by Agent Gate", exc);
            }
        });
        return truncated[0];
    }
}
