package io.jenkins.plugins.agentgate.core.egress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a sandbox needs to reach its egress proxy, and nothing else: the container keeps {@code --network none};
 * the proxy's socket directory and the relay are bind-mounted read-only; the relay becomes the entrypoint,
 * listens on the container's own loopback, and then runs the agent's command; proxy variables point at it.
 *
 * @param mounts        bind mounts to add (source on the host, target in the container)
 * @param entrypoint    the container entrypoint ({@code --entrypoint})
 * @param commandPrefix arguments to put before the agent's command
 * @param environment   variables to set in the container (no secrets)
 * @param relaySha256   SHA-256 of the relay binary, for the evidence
 */
public record SandboxEgress(List<Mount> mounts, String entrypoint, List<String> commandPrefix,
                            Map<String, String> environment, String relaySha256) {

    /** Where the socket directory and the relay appear inside the container. */
    public static final String CONTAINER_DIR = "/.agentgate/egress";
    public static final String CONTAINER_RELAY = "/.agentgate/egress-relay";

    public SandboxEgress {
        mounts = List.copyOf(mounts);
        commandPrefix = List.copyOf(commandPrefix);
        environment = Map.copyOf(environment);
    }

    /**
     * A read-only bind mount.
     *
     * @param source host path (no commas, quotes or line breaks: it goes into a {@code --mount} value)
     * @param target absolute path in the container
     */
    public record Mount(Path source, String target) {
        public Mount {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            String s = source.toString();
            if (!source.isAbsolute() || s.matches(".*[,\"'\\n\\r=].*")) {
                throw new IllegalArgumentException("egress mount source '" + s
                        + "' must be an absolute path without commas, quotes, '=' or line breaks");
            }
        }

        /** The value for {@code docker run --mount}. */
        public String dockerMountValue() {
            return "type=bind,source=" + source + ",target=" + target + ",readonly";
        }
    }

    /** The docker run options to add before the image: {@code --mount} for each mount, then {@code --entrypoint}. */
    public List<String> dockerOptions() {
        List<String> out = new ArrayList<>();
        for (Mount m : mounts) {
            out.add("--mount");
            out.add(m.dockerMountValue());
        }
        out.add("--entrypoint");
        out.add(entrypoint);
        return List.copyOf(out);
    }

    /** The arguments after the image: the relay's arguments, then the agent's full command. */
    public List<String> command(List<String> agentCommand) {
        if (agentCommand.isEmpty()) {
            throw new IllegalArgumentException("agent command is empty; expected the full command to run"
                    + " (the image's own entrypoint is replaced by the egress relay)");
        }
        List<String> out = new ArrayList<>(commandPrefix);
        out.addAll(agentCommand);
        return List.copyOf(out);
    }
}
