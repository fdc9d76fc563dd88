package io.jenkins.plugins.agentgate.core.profile;

import java.util.Collection;
import java.util.List;

/** Set-like lists: sorted and without duplicates, so that order in YAML never changes meaning or hashes. */
final class Lists {
    private Lists() {}

    static List<String> sortedDistinct(Collection<String> values) {
        return values == null ? List.of() : values.stream().distinct().sorted().toList();
    }
}
