package io.jenkins.plugins.agentgate.core.profile;

/**
 * One validation problem of a configuration file.
 *
 * @param file     file name as given by the caller
 * @param line     1-based line, or 0 when the problem concerns the whole file
 * @param field    dotted path of the field, e.g. {@code profiles[1].network.mode}
 * @param value    the offending value as written, or null when the field is missing
 * @param expected what would have been accepted
 */
public record ConfigProblem(String file, int line, String field, String value, String expected) {

    /** {@code file:line: field: 'value' is not valid; expected ...} — the form editors and CI annotate. */
    public String format() {
        String what = value == null ? "is missing" : "'" + value + "' is not valid";
        return file + ":" + line + ": " + field + ": " + what + "; expected " + expected;
    }

    @Override
    public String toString() {
        return format();
    }
}
