package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The admins' catalog: profiles, which profile each execution class runs under, and pre-approved templates.
 *
 * @param source where it came from (a file path, "built-in", "Jenkins global configuration")
 */
public record ProfileCatalog(String source, List<SandboxProfile> profiles, Map<ExecutionClass, String> classes,
                             List<TaskTemplate> templates) {

    public ProfileCatalog {
        Objects.requireNonNull(source, "source");
        profiles = List.copyOf(profiles);
        Map<ExecutionClass, String> m = new EnumMap<>(ExecutionClass.class);
        m.putAll(classes);
        classes = Map.copyOf(m);
        templates = templates == null ? List.of() : List.copyOf(templates);
        Map<String, SandboxProfile> seen = new LinkedHashMap<>();
        for (SandboxProfile p : profiles) {
            if (seen.put(p.id(), p) != null) {
                throw new IllegalArgumentException("profile id '" + p.id() + "' is defined twice in " + source);
            }
        }
        for (Map.Entry<ExecutionClass, String> e : classes.entrySet()) {
            if (!seen.containsKey(e.getValue())) {
                throw new IllegalArgumentException("class " + e.getKey().id() + " maps to profile '" + e.getValue()
                        + "', which " + source + " does not define");
            }
        }
    }

    public Optional<SandboxProfile> find(String id) {
        return profiles.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The profile the admins chose for a class; empty when the class is not mapped (runs of it are denied). */
    public Optional<SandboxProfile> profileFor(ExecutionClass executionClass) {
        String id = classes.get(executionClass);
        return id == null ? Optional.empty() : find(id);
    }
}
