package io.jenkins.plugins.agentgate.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyHash;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Verifies a bundle offline: the DSSE signature over PAE, every subject digest (and that no file is
 * unaccounted for), that evidence.json is the signed predicate and conforms to the schema, completeness,
 * and optionally that the policy hash still matches the current profile in a catalog.
 */
public final class BundleVerifier {
    private static final ObjectMapper JSON = CanonicalJson.mapper();

    private BundleVerifier() {}

    /**
     * @param bundle    the bundle directory
     * @param pinnedKey the public key the signature must verify with; null verifies with the public key in
     *                  the record (integrity only: anyone can re-sign; a warning says so)
     * @param catalog   the current catalog to compare the policy hash with, or null
     */
    public static VerificationReport verify(Path bundle, PublicKey pinnedKey, ProfileCatalog catalog) {
        List<String> problems = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String runId = null;
        String outcome = null;
        boolean signed = false;
        String keyId = null;
        try {
            if (!Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) {
                problems.add("'" + bundle + "' is not a directory; expected an evidence bundle directory");
                return new VerificationReport(false, problems, checks, warnings, null, null, false, null);
            }
            Path envFile = bundle.resolve(EvidenceBundle.ENVELOPE);
            if (!Files.isRegularFile(envFile, LinkOption.NOFOLLOW_LINKS)) {
                problems.add("no " + EvidenceBundle.ENVELOPE + ": the bundle is incomplete (its writer did not finish)");
                return new VerificationReport(false, problems, checks, warnings, null, null, false, null);
            }
            Dsse.Envelope env;
            try {
                env = JSON.readValue(Files.readAllBytes(envFile), Dsse.Envelope.class);
            } catch (IOException e) {
                problems.add(EvidenceBundle.ENVELOPE + " is not a DSSE envelope: " + firstLine(e));
                return new VerificationReport(false, problems, checks, warnings, null, null, false, null);
            }
            if (!Dsse.PAYLOAD_TYPE.equals(env.payloadType())) {
                problems.add("payloadType is '" + env.payloadType() + "'; expected '" + Dsse.PAYLOAD_TYPE + "'");
            }
            byte[] payload;
            JsonNode statement;
            try {
                payload = Base64.getDecoder().decode(env.payload());
                statement = JSON.readTree(payload);
            } catch (IllegalArgumentException | IOException | NullPointerException e) {
                problems.add("the envelope payload is not base64 JSON: " + e.getMessage());
                return new VerificationReport(false, problems, checks, warnings, null, null, false, null);
            }
            JsonNode predicate = statement.path("predicate");
            runId = predicate.path("runId").asText(null);
            outcome = predicate.path("outcome").asText(null);

            // 1. Signature over PAE(payloadType, payload).
            JsonNode signing = predicate.path("signing");
            boolean recordSigned = signing.path("signed").asBoolean(false);
            if (env.signatures().isEmpty()) {
                if (recordSigned) {
                    problems.add("the record says signed but the envelope has no signature (stripped?)");
                } else if (pinnedKey != null) {
                    problems.add("the bundle is unsigned but --key was given; expected a signature by "
                            + PemKeys.keyId(pinnedKey));
                } else if (predicate.path("requirements").path("signatureRequired").asBoolean(true)) {
                    problems.add("the bundle is unsigned but its profile requires a signature");
                } else {
                    warnings.add("UNSIGNED bundle (its profile allows this): integrity of files is checked against "
                            + "the statement, but nothing proves who wrote it");
                }
            } else {
                PublicKey key = pinnedKey;
                if (key == null) {
                    try {
                        key = PemKeys.parsePublicPem(signing.path("publicKey").asText(""));
                        warnings.add("signature checked with the public key inside the bundle (" + PemKeys.keyId(key)
                                + "); pass --key to pin the signer");
                    } catch (IOException e) {
                        problems.add("no --key given and the record carries no usable public key: " + e.getMessage());
                    }
                }
                if (key != null) {
                    String wantedId = PemKeys.keyId(key);
                    byte[] pae = Dsse.pae(env.payloadType(), payload);
                    boolean ok = false;
                    for (Dsse.Sig s : env.signatures()) {
                        try {
                            if (Dsse.verify(key, pae, Base64.getDecoder().decode(s.sig()))) {
                                ok = true;
                                break;
                            }
                        } catch (IllegalArgumentException e) {
                            // not base64: not a valid signature
                        }
                    }
                    if (ok) {
                        signed = true;
                        keyId = wantedId;
                        checks.add("DSSE signature verifies with " + wantedId + " (" + PemKeys.algorithm(key) + ")");
                        if (!wantedId.equals(signing.path("keyId").asText())) {
                            problems.add("the record names signing key " + signing.path("keyId").asText()
                                    + " but the signature is by " + wantedId);
                        }
                    } else {
                        problems.add("no signature in the envelope verifies with key " + wantedId);
                    }
                }
            }

            // 2. Statement shape.
            if (!EvidenceBundle.STATEMENT_TYPE.equals(statement.path("_type").asText())) {
                problems.add("statement _type is '" + statement.path("_type").asText() + "'; expected '"
                        + EvidenceBundle.STATEMENT_TYPE + "'");
            }
            if (!EvidenceBundle.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
                problems.add("predicateType is '" + statement.path("predicateType").asText() + "'; expected '"
                        + EvidenceBundle.PREDICATE_TYPE + "'");
            }

            // 3. Every subject digest, and no unlisted file.
            Map<String, String> subjects = new HashMap<>();
            for (JsonNode s : statement.path("subject")) {
                String name = s.path("name").asText("");
                String digest = s.path("digest").path("sha256").asText("");
                if (subjects.put(name, digest) != null) {
                    problems.add("subject '" + name + "' is listed twice");
                }
                Path f = safeResolve(bundle, name);
                if (f == null) {
                    problems.add("subject name '" + name + "' escapes the bundle; expected a relative path inside it");
                } else if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("subject '" + name + "' is missing from the bundle");
                } else {
                    String actual = Digests.sha256Hex(f);
                    if (!actual.equals(digest)) {
                        problems.add("subject '" + name + "' has sha256 " + actual + "; the statement says " + digest);
                    }
                }
            }
            if (!subjects.containsKey(EvidenceBundle.RECORD)) {
                problems.add("the statement has no subject " + EvidenceBundle.RECORD);
            }
            for (String extra : unlisted(bundle, subjects.keySet())) {
                problems.add("file '" + extra + "' is in the bundle but not a subject of the statement");
            }
            if (problems.stream().noneMatch(p -> p.startsWith("subject") || p.startsWith("file"))) {
                checks.add("all " + subjects.size() + " subject digests match and no file is unaccounted for");
            }

            // 4. evidence.json is the predicate, and conforms to the schema.
            Path recordFile = bundle.resolve(EvidenceBundle.RECORD);
            if (Files.isRegularFile(recordFile, LinkOption.NOFOLLOW_LINKS)) {
                JsonNode record = JSON.readTree(Files.readAllBytes(recordFile));
                if (!record.equals(predicate)) {
                    problems.add(EvidenceBundle.RECORD + " differs from the signed statement's predicate");
                }
                List<String> violations = EvidenceSchema.validate(record);
                if (violations.isEmpty()) {
                    checks.add(EvidenceBundle.RECORD + " conforms to schema " + EvidenceRecord.SCHEMA);
                } else {
                    violations.forEach(v -> problems.add("schema: " + v));
                }
                checkReferences(record, subjects, problems);

                // 5. Completeness, recomputed.
                Optional<EvidenceRecord> typed = typed(record, problems);
                if (typed.isPresent()) {
                    EvidenceRecord r = typed.get();
                    Completeness again = Completeness.assess(r);
                    if (!again.equals(r.completeness())) {
                        problems.add("recorded completeness " + r.completeness() + " does not match the record's "
                                + "content " + again);
                    } else if (again.runMustFail()) {
                        problems.add("evidence is incomplete for a " + r.executionClass().id() + " run (missing: "
                                + String.join(", ", again.missing()) + "); the run must be treated as failed");
                    } else if (!again.complete()) {
                        warnings.add("incomplete evidence (missing: " + String.join(", ", again.missing()) + ")");
                    } else {
                        checks.add("complete: all " + again.required().size() + " fields required for this run are present");
                    }
                    // 6. Policy hash against the current catalog.
                    if (catalog != null) {
                        checkPolicy(r, catalog, env.signatures().isEmpty(), problems, checks);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add("cannot read the bundle: " + firstLine(e));
        }
        return new VerificationReport(problems.isEmpty(), problems, checks, warnings, runId, outcome, signed, keyId);
    }

    /** The files the record points at must be subjects with the same digest. */
    private static void checkReferences(JsonNode record, Map<String, String> subjects, List<String> problems) {
        List<JsonNode> refs = new ArrayList<>();
        refs.add(record.path("workspace").path("patch"));
        refs.add(record.path("rollback").path("revertPatch"));
        refs.add(record.path("rollback").path("snapshotArchive"));
        record.path("artifacts").forEach(refs::add);
        for (JsonNode ref : refs) {
            if (ref.isObject() && ref.hasNonNull("name")) {
                String name = ref.get("name").asText();
                String want = ref.path("sha256").asText();
                if (!want.equals(subjects.get(name))) {
                    problems.add("the record references '" + name + "' with sha256 " + want
                            + " but the statement's subject says " + subjects.get(name));
                }
            }
        }
    }

    private static void checkPolicy(EvidenceRecord r, ProfileCatalog catalog, boolean unsigned, List<String> problems,
                                    List<String> checks) {
        // The catalog holds the admins' class profile; a run narrowed it (e.g. a shorter timeout), so its effective
        // profile's hash (policyHash) cannot be in any catalog: compare the class profile's recorded hash.
        ProfileRef ref = r.classProfile() != null ? r.classProfile()
                : r.profile() == null ? null : new ProfileRef(r.profile().id(), r.profile().version(), r.policyHash());
        if (ref == null) {
            problems.add("the record names no profile, so its policy hash cannot be checked against the catalog");
            return;
        }
        Optional<SandboxProfile> current = catalog.find(ref.id());
        if (current.isEmpty()) {
            problems.add("profile '" + ref.id() + "' is not in catalog " + catalog.source());
            return;
        }
        String now = PolicyHash.of(current.get());
        if (!now.equals(ref.hash())) {
            problems.add("policy hash " + ref.hash() + " of profile '" + ref.id() + "' (version "
                    + ref.version() + ") no longer matches the current profile in " + catalog.source() + " ("
                    + now + ", version " + current.get().version() + ")");
        } else {
            checks.add("policy hash matches the current profile '" + ref.id() + "' in " + catalog.source());
        }
        if (unsigned && current.get().evidence().requireSignature()) {
            problems.add("the bundle is unsigned but profile '" + ref.id() + "' now requires signed evidence");
        }
    }

    private static Optional<EvidenceRecord> typed(JsonNode record, List<String> problems) {
        try {
            return Optional.of(JSON.treeToValue(record, EvidenceRecord.class));
        } catch (IOException | IllegalArgumentException e) {
            problems.add(EvidenceBundle.RECORD + " cannot be read as an evidence record: " + firstLine(e));
            return Optional.empty();
        }
    }

    private static Path safeResolve(Path bundle, String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\")) {
            return null;
        }
        Path p = bundle.resolve(name).normalize();
        if (!p.startsWith(bundle.normalize()) || p.equals(bundle.normalize())) {
            return null;
        }
        // No component may be a symlink: the verifier, too, never reads through links.
        for (Path q = p; q != null && !q.equals(bundle.normalize()); q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                return null;
            }
        }
        return p;
    }

    private static List<String> unlisted(Path bundle, java.util.Set<String> subjects) throws IOException {
        TreeSet<String> extra = new TreeSet<>();
        try (Stream<Path> s = Files.walk(bundle)) {
            s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> {
                String rel = bundle.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                if (!rel.equals(EvidenceBundle.ENVELOPE) && !subjects.contains(rel)) {
                    extra.add(rel);
                }
            });
        }
        return new ArrayList<>(extra);
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
