package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The local approval ledger: a JSON file of decisions (format in docs/approvals.md),
 * <pre>{"apiVersion": "agentgate/v1", "kind": "ApprovalLedger", "entries": [{…}, …]}</pre>
 * Appends take an exclusive lock on {@code FILE.lock} and replace the file atomically, so two approvers at once
 * lose nothing and a reader never sees half a file. Entries are never edited or removed by Agent Gate.
 */
public final class Ledger {
    public static final String KIND = "ApprovalLedger";
    static final long MAX_BYTES = 4L << 20;

    /** The on-disk form. */
    public record Form(String apiVersion, String kind, List<LedgerEntry> entries) {
        public Form {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /** File locks are held per process, so threads of this process also queue here (plugin: concurrent approvers). */
    private static final Object IN_PROCESS = new Object();

    private Ledger() {}

    /** Every entry of the ledger file; none when the file does not exist yet. */
    public static List<LedgerEntry> read(Path file) throws IOException {
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        Form f = JsonFiles.read(file, Form.class, MAX_BYTES, "an approval ledger file");
        if (!CatalogParser.API_VERSION.equals(f.apiVersion())) {
            throw JsonFiles.problem(file, 0, "apiVersion", String.valueOf(f.apiVersion()), CatalogParser.API_VERSION);
        }
        if (!KIND.equals(f.kind())) {
            throw JsonFiles.problem(file, 0, "kind", String.valueOf(f.kind()), KIND);
        }
        return f.entries();
    }

    /** Appends one decision. */
    public static void append(Path file, LedgerEntry entry) throws IOException {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        Files.createDirectories(file.toAbsolutePath().getParent());
        synchronized (IN_PROCESS) {
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock held = ch.lock(); // released when the channel closes
                List<LedgerEntry> entries = new ArrayList<>(read(file));
                entries.add(entry);
                JsonFiles.writeAtomically(file, new Form(CatalogParser.API_VERSION, KIND, entries));
                held.release();
            }
        }
    }
}
