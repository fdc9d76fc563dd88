package io.jenkins.plugins.agentgate.core.evidence;

import java.util.Map;
import java.util.TreeMap;

/** The model the pipeline declared and its parameters (e.g. temperature), as declared. */
public record ModelInfo(String id, Map<String, Object> parameters) {
    public ModelInfo {
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
}
