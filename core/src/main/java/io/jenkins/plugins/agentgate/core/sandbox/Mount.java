package io.jenkins.plugins.agentgate.core.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A bind mount: host {@code source} (a real path, no symlinks left) at container {@code target}. Build
 * them with {@link MountValidator}, which resolves and confines the source; this record refuses every
 * character that could inject an option into {@code --mount type=bind,...} (a CSV list of key=value).
 */
public record Mount(Path source, String target, boolean readOnly) {
    public Mount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        requireSafe("mount source", source.toString());
        requireSafe("mount target", target);
    }

    static void requireSafe(String what, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(what + " '" + path + "' is not absolute; expected an absolute path");
        }
        for (char c : path.toCharArray()) {
            if (c == ',' || c == ':' || c == '"' || c == '\'' || c == '=' || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " '" + path.replaceAll("\\p{Cntrl}", "?")
                        + "' contains '" + (c < 0x20 || c == 0x7f ? "a control character" : String.valueOf(c))
                        + "'; expected a path without ',', ':', '=', quotes or control characters");
            }
        }
    }
}
