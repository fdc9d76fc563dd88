package io.jenkins.plugins.agentgate.core.profile;

import java.util.Collection;
import java.util.List;

/** Set-like lists: sorted and without duplicates, so that order in YAML never changes meaning or hashes. */
final class Lists {
    private Lists() {}

    static List<String> sortedDistinct(Collection<String> values) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        // Fast path (every policy decision rebuilds profiles from already-canonical lists).
        String previous = null;
        boolean canonical = true;
        for (String v : values) {
            if (previous != null && previous.compareTo(v) >= 0) {
                canonical = false;
                break;
            }
            previous = v;
        }
        return canonical ? List.copyOf(values) : values.stream().distinct().sorted().toList();
    }
}
