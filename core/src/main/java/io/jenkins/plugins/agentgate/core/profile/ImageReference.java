package io.jenkins.plugins.agentgate.core.profile;

import java.util.regex.Pattern;

/**
 * Container image references, checked before they go anywhere near a command line: a reference that does
 * not match the registry grammar (e.g. one starting with '-', or holding spaces) is refused.
 */
public final class ImageReference {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)";
    private static final Pattern REFERENCE = Pattern.compile(
            DOMAIN + "?" + COMPONENT + "(?:/" + COMPONENT + ")*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    private static final Pattern DIGEST = Pattern.compile(".*@sha256:[a-f0-9]{64}");
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9*][A-Za-z0-9._/:@*-]{0,254}");

    public static final String REFERENCE_FORM = "an image reference such as registry.example.com/agents/codex:1.2 "
            + "or name@sha256:<64 hex digits>";
    public static final String PATTERN_FORM = "an image pattern of letters, digits, '.', '_', '-', '/', ':', '@' and '*', "
            + "not starting with '-'";

    private ImageReference() {}

    public static boolean isValid(String ref) {
        return ref != null && ref.length() <= 512 && REFERENCE.matcher(ref).matches();
    }

    public static boolean isPinned(String ref) {
        return ref != null && DIGEST.matcher(ref).matches();
    }

    public static String requireValidPattern(String pattern) {
        if (!GLOB.matcher(pattern).matches()) {
            throw new IllegalArgumentException("image pattern '" + pattern + "' is not valid; expected " + PATTERN_FORM);
        }
        return pattern;
    }

    /** Glob match over the whole reference: {@code *} matches any run of characters, including '/'. */
    public static boolean matches(String pattern, String ref) {
        // Iterative glob matching with backtracking to the last '*': linear in practice, no regex compilation.
        int p = 0;
        int r = 0;
        int star = -1;
        int mark = 0;
        while (r < ref.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = r;
            } else if (p < pattern.length() && pattern.charAt(p) == ref.charAt(r)) {
                p++;
                r++;
            } else if (star >= 0) {
                p = star + 1;
                r = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
