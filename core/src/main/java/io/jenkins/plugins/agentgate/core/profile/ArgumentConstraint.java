package io.jenkins.plugins.agentgate.core.profile;

import java.util.List;

/**
 * What one argument of an MCP tool call may be. Every non-empty part must hold; an argument with a
 * constraint must be present in the call.
 *
 * @param prefix path prefixes (normalised, without '..'); the argument must be a string path under one of them
 * @param values the argument must equal one of these (strings, or the text of a number or boolean)
 */
public record ArgumentConstraint(List<String> prefix, List<String> values) {
    public ArgumentConstraint {
        prefix = Lists.sortedDistinct(prefix);
        values = Lists.sortedDistinct(values);
        if (prefix.isEmpty() && values.isEmpty()) {
            throw new IllegalArgumentException("an argument constraint needs prefix or values");
        }
        for (String p : prefix) {
            if (!p.equals(normalisePath(p)) || p.isEmpty()) {
                throw new IllegalArgumentException("prefix '" + p + "' is not a normalised path; expected " + PREFIX_FORM);
            }
        }
    }

    public static final String PREFIX_FORM = "a path such as docs/ or /srv/docs, without '.', '..' or empty segments, not starting with '~'";

    /**
     * The normalised form of a path argument or prefix: '/'-separated, without empty or '.' segments and
     * without a trailing '/'; "/" for the root, "" for "." itself. Null when the path cannot be judged
     * safely: a '..' segment (may climb out of any prefix), a NUL, or a first segment starting with '~'
     * (servers may expand it to a home directory).
     */
    public static String normalisePath(String path) {
        if (path == null || path.indexOf('\0') >= 0) {
            return null;
        }
        boolean absolute = path.startsWith("/");
        StringBuilder out = new StringBuilder(path.length());
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..") || out.length() == 0 && !absolute && seg.startsWith("~")) {
                return null;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(seg);
        }
        return absolute ? "/" + out : out.toString();
    }

    /** Whether normalised {@code path} is {@code prefix} or below it (segment-wise, never "docsX" under "docs"). */
    public static boolean isUnder(String path, String prefix) {
        if (prefix.equals("/")) {
            return path.startsWith("/");
        }
        return path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/';
    }
}
