package io.jenkins.plugins.agentgate.core.evidence;

import java.nio.file.Path;

/**
 * A finished bundle on disk.
 *
 * <pre>
 * DIR/evidence.json        the record
 * DIR/patch.diff           forward patch (git workspaces with changes)
 * DIR/revert.diff          rollback patch (git workspaces with changes)
 * DIR/snapshot.zip         pre-run snapshot archive (non-git workspaces)
 * DIR/artifacts/...        copies of the final artifacts
 * DIR/envelope.dsse.json   DSSE envelope of the in-toto statement; written last
 * </pre>
 *
 * @param dir          the bundle directory ({@code EVIDENCE_ROOT/RUN_ID})
 * @param record       what evidence.json holds
 * @param completeness {@code record.completeness()}: act on {@link Completeness#runMustFail()}
 */
public record EvidenceBundle(Path dir, EvidenceRecord record, Completeness completeness) {
    public static final String RECORD = "evidence.json";
    public static final String ENVELOPE = "envelope.dsse.json";
    public static final String PATCH = "patch.diff";
    public static final String REVERT_PATCH = "revert.diff";
    public static final String SNAPSHOT = "snapshot.zip";
    public static final String ARTIFACTS = "artifacts";
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://agentgate.jenkins.io/evidence/v1";

    public boolean signed() {
        return record.signing().signed();
    }
}
