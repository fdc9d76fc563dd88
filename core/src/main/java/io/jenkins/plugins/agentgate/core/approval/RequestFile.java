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

    /** Where decisions on a request file go unless told otherwise: {@code NAME.ledger.json} next to {@code NAME.json}. */
    public static Path defaultLedger(Path requestFile) {
        String name = requestFile.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return requestFile.resolveSibling(base + ".ledger.json");
    }
}
