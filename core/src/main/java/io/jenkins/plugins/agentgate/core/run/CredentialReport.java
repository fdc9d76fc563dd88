package io.jenkins.plugins.agentgate.core.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import java.io.OutputStream;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a run's credential binding leaves for the evidence: the lease records (never values) and the problems met
 * at revocation, plus the masking function for any further string that leaves the process. The masker works
 * until {@link GovernedRun#execute} returns (the evidence recorder runs before that); afterwards it forgets the
 * values and returns its input unchanged — every string of the {@link RunOutcome} is masked already.
 *
 * @param leases   one record per lease, in the order issued, with status and revocation
 * @param problems masked problems met while injecting or revoking (e.g. a file that could not be removed)
 * @param masker   masks leased values and their encodings in a string
 * @param streamMasker wraps a byte stream so that leased values (and their encodings) are masked in what passes
 *                 through it (the evidence's patches: an agent may write a value it was given into a file);
 *                 closing the wrapper flushes what it held back and closes the stream it wraps
 */
public record CredentialReport(List<LeaseRecord> leases, List<String> problems, @JsonIgnore UnaryOperator<String> masker,
                               @JsonIgnore UnaryOperator<OutputStream> streamMasker) {
    /** No credentials in this run. */
    public static final CredentialReport NONE = new CredentialReport(List.of(), List.of(), UnaryOperator.identity());

    public CredentialReport {
        leases = List.copyOf(leases);
        problems = List.copyOf(problems);
        masker = masker == null ? UnaryOperator.identity() : masker;
        streamMasker = streamMasker == null ? UnaryOperator.identity() : streamMasker;
    }

    /** Without a stream masker (nothing leased, or nothing that could appear in a byte stream). */
    public CredentialReport(List<LeaseRecord> leases, List<String> problems, UnaryOperator<String> masker) {
        this(leases, problems, masker, null);
    }

    /** Masks every leased value (and its encodings) in {@code text}; null stays null. */
    public String mask(String text) {
        return text == null ? null : masker.apply(text);
    }

    @Override
    public String toString() {
        return "CredentialReport[leases=" + leases + ", problems=" + problems + "]";
    }
}
