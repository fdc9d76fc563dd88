package io.jenkins.plugins.agentgate.cli;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One {@code --credential ID=SOURCE}: where the CLI reads a credential's value. Holds no value; the value is read
 * only when the broker resolves the id after the policy granted it.
 *
 * @param id       credential id as the profile names it
 * @param kind     file or env
 * @param location the file path or the environment variable name
 */
public record CredentialSpec(String id, Kind kind, String location) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final String FORM = "ID=file:PATH or ID=env:NAME";

    /** Where the value comes from. */
    public enum Kind { FILE, ENV }

    /**
     * Parses {@code ID=file:PATH} or {@code ID=env:NAME}.
     *
     * @throws IllegalArgumentException naming the option, the value and the expected form
     */
    public static CredentialSpec parse(String text) {
        String t = text == null ? "" : text;
        int eq = t.indexOf('=');
        if (eq <= 0) {
            throw bad(t, "no ID before '='; expected " + FORM);
        }
        String id = t.substring(0, eq);
        String source = t.substring(eq + 1);
        if (!ID.matcher(id).matches()) {
            throw bad(t, "credential id '" + id + "' is not valid; expected letters, digits, '.', '_' or '-'"
                    + " (starting with a letter or digit, at most 128)");
        }
        if (source.startsWith("file:")) {
            String path = source.substring("file:".length());
            if (path.isEmpty()) {
                throw bad(t, "the file path is empty; expected " + id + "=file:PATH");
            }
            try {
                Path.of(path);
            } catch (java.nio.file.InvalidPathException e) {
                throw bad(t, "'" + path + "' is not a valid path; expected " + id + "=file:PATH");
            }
            return new CredentialSpec(id, Kind.FILE, path);
        }
        if (source.startsWith("env:")) {
            String name = source.substring("env:".length());
            if (!ENV_NAME.matcher(name).matches()) {
                throw bad(t, "'" + name + "' is not an environment variable name; expected " + id
                        + "=env:NAME with NAME made of letters, digits and '_'");
            }
            return new CredentialSpec(id, Kind.ENV, name);
        }
        // Never echo what follows '=' for an unknown kind: a user may have pasted the secret itself.
        throw bad(id + "=…", "the source is neither file:PATH nor env:NAME (the value itself is never accepted on a"
                + " command line, where other users can read it); expected " + FORM);
    }

    private static IllegalArgumentException bad(String shown, String why) {
        return new IllegalArgumentException("--credential '" + shown + "': " + why);
    }

    @Override
    public String toString() {
        return id + "=" + kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + location;
    }
}
