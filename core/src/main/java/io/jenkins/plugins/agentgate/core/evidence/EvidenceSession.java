package io.jenkins.plugins.agentgate.core.evidence;

import java.util.function.UnaryOperator;

import java.io.OutputStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyHash;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run's evidence, from before the sandbox starts to the signed bundle.
 *
 * <pre>{@code
 * try (EvidenceSession ev = EvidenceSession.start(evidenceRoot, runId, workspace)) {
 *     ev.captureBefore(CaptureLimits.defaults());   // only when the sandbox will start
 *     ... run the sandbox ...
 *     ev.captureAfter();                             // after it stopped (finish() does it if forgotten)
 *     EvidenceBundle b = ev.finish(facts, signerOrNull);
 *     if (b.completeness().runMustFail()) { ... report the run as failed ... }
 * }
 * }</pre>
 *
 * Everything is built in {@code EVIDENCE_ROOT/.staging-RUN_ID-*} and renamed to {@code EVIDENCE_ROOT/RUN_ID}
 * only once the envelope (written last) is in place, so a crash never leaves a bundle that looks complete.
 * The evidence root must lie outside the workspace: the sandbox must never be able to write evidence.
 */
public final class EvidenceSession implements AutoCloseable {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;
    private final String runId;
    private final Path workspace;
    private final Path staging;
    private final Path scratch;
    private WorkspaceCapture.Snapshot before;
    private CaptureResult after;
    private String captureProblem;
    private boolean finished;

    private EvidenceSession(Path root, String runId, Path workspace, Path staging) {
        this.root = root;
        this.runId = runId;
        this.workspace = workspace;
        this.staging = staging;
        this.scratch = staging.resolve(".scratch");
    }

    /**
     * Opens a session.
     *
     * @param evidenceRoot directory holding bundles; created when missing; must be outside {@code workspace}
     * @param runId        the bundle's directory name: letters, digits, '.', '_', '-'; at most 128
     * @param workspace    the run's workspace, or null when there is none
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static EvidenceSession start(Path evidenceRoot, String runId, Path workspace) throws IOException {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId + "' cannot name an evidence bundle; expected 1 to 128 "
                    + "letters, digits, '.', '_' or '-', not starting with '.', '_' or '-'");
        }
        Files.createDirectories(evidenceRoot);
        Path root = evidenceRoot.toRealPath();
        Path ws = null;
        if (workspace != null) {
            ws = workspace.toRealPath();
            if (root.startsWith(ws)) {
                throw new IllegalArgumentException("evidence directory '" + evidenceRoot + "' (" + root + ") is inside the "
                        + "workspace '" + workspace + "'; expected a directory outside the workspace, because the sandbox "
                        + "must never be able to write evidence");
            }
        }
        if (Files.exists(root.resolve(runId), LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(root.resolve(runId).toString(), null,
                    "an evidence bundle for run '" + runId + "' already exists; expected a new run id");
        }
        Path staging = Files.createTempDirectory(root, ".staging-" + runId + "-");
        return new EvidenceSession(root, runId, ws, staging);
    }

    /** Records the pre-run workspace state. A failure is remembered (and recorded by finish) and rethrown. */
    public void captureBefore(CaptureLimits limits) throws IOException {
        if (workspace == null) {
            throw new IllegalStateException("this session has no workspace; pass one to EvidenceSession.start");
        }
        try {
            before = WorkspaceCapture.before(workspace, staging, scratch, limits);
        } catch (IOException | RuntimeException e) {
            captureProblem = "pre-run capture failed: " + e.getMessage();
            throw e;
        }
    }

    /** Captures the post-run state (files touched, diff, patches). A failure is remembered and rethrown. */
    public CaptureResult captureAfter() throws IOException {
        return captureAfter(UnaryOperator.identity());
    }

    /**
     * As {@link #captureAfter()}, with the patches written through {@code patchMask}: the run's credential masker,
     * so that a leased value the agent wrote into a file is never archived (the record says it was masked).
     */
    public CaptureResult captureAfter(UnaryOperator<OutputStream> patchMask) throws IOException {
        if (before == null) {
            throw new IllegalStateException("captureBefore was not called (or failed); nothing to compare against");
        }
        if (after == null) {
            try {
                after = before.after(patchMask);
            } catch (IOException | RuntimeException e) {
                captureProblem = "post-run capture failed: " + e.getMessage();
                throw e;
            }
        }
        return after;
    }

    /**
     * Writes, signs and publishes the bundle; returns it. Works for every outcome: without captures (a
     * policy denial, a missing approval) the workspace is recorded as not captured, with the reason.
     *
     * @param signer the signing key, or null for an unsigned bundle (marked unsigned; the completeness check
     *               fails the run when the profile's evidence.requireSignature is true)
     */
    public EvidenceBundle finish(RunFacts facts, EvidenceSigner signer) throws IOException {
        if (finished) {
            throw new IllegalStateException("the bundle for run '" + runId + "' was already written");
        }
        if (!runId.equals(facts.runId())) {
            throw new IllegalArgumentException("facts.runId '" + facts.runId() + "' differs from the session's run id '"
                    + runId + "'");
        }
        if (before != null && after == null && captureProblem == null) {
            try {
                captureAfter();
            } catch (IOException | RuntimeException e) {
                // recorded as captureProblem
            }
        }
        WorkspaceEvidence ws;
        Rollback rollback;
        List<BundleFile> files = new ArrayList<>();
        if (after != null) {
            ws = after.workspace();
            rollback = after.rollback();
            files.addAll(after.files());
        } else {
            String reason = captureProblem != null ? captureProblem
                    : "not captured: the run ended before the sandbox started (" + facts.outcome() + ")";
            ws = WorkspaceEvidence.notCaptured(reason);
            rollback = Rollback.none(reason);
            // A snapshot made before a failed after-capture is useless without the comparison: drop it.
            Files.deleteIfExists(staging.resolve(EvidenceBundle.SNAPSHOT));
            Files.deleteIfExists(staging.resolve(EvidenceBundle.PATCH));
            Files.deleteIfExists(staging.resolve(EvidenceBundle.REVERT_PATCH));
        }
        List<ArtifactRef> artifacts = copyArtifacts(facts.artifacts());
        for (ArtifactRef a : artifacts) {
            if (a.name() != null) {
                files.add(new BundleFile(a.name(), a.sha256(), a.size()));
            }
        }
        deleteTree(scratch);

        SandboxProfile p = facts.profile();
        Requirements req = p == null ? null : new Requirements(p.rollback().id(), p.evidence().requireSignature(),
                p.evidence().keepPrompt(), facts.approvalsRequired());
        String prompt = facts.prompt();
        boolean keep = p != null && p.evidence().keepPrompt() && prompt != null;
        String policyHash = p == null ? null : PolicyHash.of(p);
        EvidenceRecord record = new EvidenceRecord(EvidenceRecord.SCHEMA, EvidenceRecord.SCHEMA_VERSION, runId,
                facts.executionClass(), p == null ? null : p.ref(policyHash), policyHash,
                facts.classProfile() != null ? facts.classProfile() : p == null ? null : p.ref(policyHash), req,
                new PromptEvidence(prompt == null ? null : Digests.sha256Hex(prompt), keep, keep ? prompt : null),
                facts.model(),
                new Toolchain(facts.imageRef(), facts.imageDigest(), facts.agentgateVersion(), facts.dockerVersion()),
                facts.agentMetadata(), ws, facts.decisions(), facts.runtimeDenials(), unauthorizedAttempts(facts), facts.credentials(),
                facts.egress(), facts.tools(), facts.approvals(), artifacts,
                rollback, facts.startedAt() == null || facts.endedAt() == null ? null
                        : Timings.of(facts.startedAt(), facts.endedAt(), facts.phasesMillis()),
                facts.exitCode(), facts.terminationReason(), facts.outcome(),
                signer == null ? SigningInfo.UNSIGNED : signer.info(), null);
        record = record.withCompleteness(Completeness.assess(record));

        byte[] recordBytes = (CanonicalJson.pretty(record) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(staging.resolve(EvidenceBundle.RECORD), recordBytes, StandardOpenOption.CREATE_NEW);
        files.add(new BundleFile(EvidenceBundle.RECORD, Digests.sha256Hex(recordBytes), recordBytes.length));

        byte[] payload = CanonicalJson.bytes(statement(files, record));
        List<Dsse.Sig> sigs = signer == null ? List.of() : List.of(signer.sign(Dsse.PAYLOAD_TYPE, payload));
        Dsse.Envelope env = new Dsse.Envelope(Base64.getEncoder().encodeToString(payload), Dsse.PAYLOAD_TYPE, sigs);
        Files.write(staging.resolve(EvidenceBundle.ENVELOPE),
                (CanonicalJson.pretty(env) + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);

        // The rename below is the bundle's one commit point: everything it names is made durable first.
        AtomicFiles.syncTree(staging);

        Path dir = root.resolve(runId);
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDir(root);
        finished = true;
        return new EvidenceBundle(dir, record, record.completeness());
    }

    /**
     * Egress denials (from the proxy's totals, so attempts beyond its record limit count too), tool denials (from
     * the gateway's totals, likewise) plus the runtime denials of the agent's own doing: every kind but
     * {@code egress} and {@code tool} (counted already) and {@code approval} (a person's decision, not an attempt by
     * the agent).
     */
    static long unauthorizedAttempts(RunFacts facts) {
        long egress = facts.egress() == null ? 0 : facts.egress().summary().unauthorized();
        long tools = facts.tools() == null ? 0 : facts.tools().summary().denied();
        long others = facts.runtimeDenials().stream()
                .filter(d -> !RuntimeDenial.EGRESS.equals(d.kind()) && !RuntimeDenial.TOOL.equals(d.kind())
                        && !RuntimeDenial.APPROVAL.equals(d.kind())).count();
        return egress + tools + others;
    }

    /**
     * The in-toto statement, keys inserted in sorted order: CanonicalJson keeps an ObjectNode's insertion
     * order, and docs/evidence.md's openssl recipe greps subjects as {"digest":{...},"name":...}.
     */
    static ObjectNode statement(List<BundleFile> files, EvidenceRecord record) {
        ObjectNode st = CanonicalJson.mapper().createObjectNode();
        st.put("_type", EvidenceBundle.STATEMENT_TYPE);
        st.set("predicate", CanonicalJson.mapper().valueToTree(record));
        st.put("predicateType", EvidenceBundle.PREDICATE_TYPE);
        ArrayNode subjects = st.putArray("subject");
        files.stream().sorted(Comparator.comparing(BundleFile::name)).forEach(f -> {
            ObjectNode s = subjects.addObject();
            s.putObject("digest").put("sha256", f.sha256());
            s.put("name", f.name());
        });
        return st;
    }

    private List<ArtifactRef> copyArtifacts(List<Path> paths) throws IOException {
        List<ArtifactRef> out = new ArrayList<>();
        if (paths.isEmpty()) {
            return out;
        }
        Path dir = Files.createDirectories(staging.resolve(EvidenceBundle.ARTIFACTS));
        for (Path a : paths) {
            Path abs = a.toAbsolutePath().normalize();
            String shown = workspace != null && abs.startsWith(workspace) ? workspace.relativize(abs).toString() : abs.toString();
            if (!Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS) || !parentIsReal(abs)) {
                // Recorded without a copy or digest; completeness names it. Symlinks are never followed, also not
                // a symlinked directory on the way (it could lead out of the workspace).
                out.add(new ArtifactRef(shown.replace(java.io.File.separatorChar, '/'), null, null, 0));
                continue;
            }
            String name = EvidenceBundle.ARTIFACTS + "/" + (out.size() + 1) + "-" + abs.getFileName();
            long size;
            try (InputStream in = Files.newInputStream(abs, LinkOption.NOFOLLOW_LINKS)) {
                size = Files.copy(in, staging.resolve(name));
            }
            out.add(new ArtifactRef(shown.replace(java.io.File.separatorChar, '/'), name,
                    Digests.sha256Hex(staging.resolve(name)), size));
        }
        return out;
    }

    private static boolean parentIsReal(Path abs) {
        try {
            return abs.getParent() == null || abs.getParent().toRealPath().equals(abs.getParent());
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes the staging directory of an unfinished session; a finished bundle is never touched. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
