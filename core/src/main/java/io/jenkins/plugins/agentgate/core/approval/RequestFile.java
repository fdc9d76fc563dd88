package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The approval request file {@code agentgate run} writes when approval is missing and {@code agentgate approve}
 * reads (format in docs/approvals.md):
 * <pre>{"apiVersion": "agentgate/v1", "kind": "ApprovalRequest", "digest": "sha256:…", "request": {…}}</pre>
 * The digest is written for people and checked on reading: a file whose request no longer hashes to it was edited.
 */
public final class RequestFile {
    public static final String KIND = "ApprovalRequest";
    static final long MAX_BYTES = 1 << 20;

    /** The on-disk form. */
    public record Form(String apiVersion, String kind, String digest, ApprovalRequest request) {}

    private RequestFile() {}

    public static void write(Path file, ApprovalRequest request) throws IOException {
        JsonFiles.writeAtomically(file, new Form(CatalogParser.API_VERSION, KIND, request.digest(), request));
    }

    public static ApprovalRequest read(Path file) throws IOException {
        Form f = JsonFiles.read(file, Form.class, MAX_BYTES, "an approval request file");
        if (!CatalogParser.API_VERSION.equals(f.apiVersion())) {
            throw JsonFiles.problem(file, 0, "apiVersion", String.valueOf(f.apiVersion()), CatalogParser.API_VERSION);
        }
        if (!KIND.equals(f.kind())) {
            throw JsonFiles.problem(file, 0, "kind", String.valueOf(f.kind()), KIND);
        }
        if (f.request() == null) {
            throw JsonFiles.problem(file, 0, "request", null, "the request object");
        }
        String actual = f.request().digest();
        if (!actual.equals(f.digest())) {
            throw JsonFiles.problem(file, 0, "digest", String.valueOf(f.digest()),
                    "the digest of the request in the file (" + actual + "); the file was changed after it was written");
        }
        return f.request();
    }

    /**
     * Where decisions on a request file go unless told otherwise: {@code X.json} for {@code X.request.json}, else
     * {@code NAME.ledger.json} next to {@code NAME.json}. The inverse of {@link #forLedger}.
     */
    public static Path defaultLedger(Path requestFile) {
        String name = requestFile.getFileName().toString();
        if (name.endsWith(".request.json")) {
            return requestFile.resolveSibling(name.substring(0, name.length() - ".request.json".length()) + ".json");
        }
        return requestFile.resolveSibling(strip(name) + ".ledger.json");
    }

    /**
     * Where a run given {@code --approvals LEDGER} leaves its request, so that {@code agentgate approve} on it appends
     * to that same ledger by default: {@code X.json} for {@code X.ledger.json}, else {@code NAME.request.json} next to
     * {@code NAME.json}.
     */
    public static Path forLedger(Path ledgerFile) {
        String name = ledgerFile.getFileName().toString();
        if (name.endsWith(".ledger.json")) {
            return ledgerFile.resolveSibling(name.substring(0, name.length() - ".ledger.json".length()) + ".json");
        }
        return ledgerFile.resolveSibling(strip(name) + ".request.json");
    }

    private static String strip(String name) {
        return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
    }
}
