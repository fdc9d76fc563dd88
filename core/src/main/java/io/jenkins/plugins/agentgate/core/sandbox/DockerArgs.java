package io.jenkins.plugins.agentgate.core.sandbox;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Pure translation of a {@link SandboxSpec} into docker client argv. Nothing here touches the system, so
 * every hardening flag is unit-tested. What is never emitted: {@code --privileged}, {@code --cap-add},
 * {@code --device}, {@code --network host}, {@code --pid/--ipc/--uts host}, a docker socket mount, an
 * environment value.
 */
public final class DockerArgs {
    /** Time a finished run may keep its container before the reaper treats it as orphaned. */
    public static final Duration REAP_GRACE = Duration.ofMinutes(2);
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    private final String docker;

    /** @param docker the client executable, e.g. {@code docker} or {@code /usr/bin/docker} */
    public DockerArgs(String docker) {
        if (docker == null || docker.isBlank() || docker.startsWith("-")) {
            throw new IllegalArgumentException("docker executable '" + docker + "' is not valid; expected a program name or path");
        }
        this.docker = docker;
    }

    public String docker() {
        return docker;
    }

    /** {@code docker create ...}: the hardened container, not started. {@code imageId} is the resolved id to pin. */
    public List<String> create(SandboxSpec s, String imageId) {
        List<String> a = new ArrayList<>(List.of(docker, "create",
                "--name", s.containerName(),
                "--pull", "never",
                "--init",
                "--read-only",
                "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges",
                "--network", s.network().dockerNetwork(),
                "--ipc", "private",
                "--user", s.uid() + ":" + s.gid(),
                "--pids-limit", Integer.toString(s.pids()),
                "--memory", Long.toString(s.memoryBytes()),
                "--memory-swap", Long.toString(s.memoryBytes()),
                "--cpus", String.format(Locale.ROOT, "%.3f", s.cpus()),
                // Output reaches us through the attach stream; the engine keeps no log file an output flood could fill.
                "--log-driver", "none",
                // mode 1777 stated, not assumed: the agent runs as a non-root user and must be able to write /tmp.
                "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=64m,mode=1777",
                "--tmpfs", SandboxSpec.SECRETS_DIR + ":rw,noexec,nosuid,nodev,size=1m,mode=0700,uid=" + s.uid() + ",gid=" + s.gid(),
                "--workdir", SandboxSpec.WORKSPACE,
                "--label", Labels.RUN_ID + "=" + s.runId(),
                "--label", Labels.PROFILE + "=" + s.profileId(),
                "--label", Labels.CREATED + "=" + s.createdAt().truncatedTo(ChronoUnit.SECONDS),
                "--label", Labels.DEADLINE + "=" + s.createdAt().plus(s.timeout()).plus(REAP_GRACE).getEpochSecond()));
        for (Mount m : s.mounts()) {
            a.add("--mount");
            a.add(mountSpec(m));
        }
        for (Mount m : s.network().containerMounts()) {
            a.add("--mount");
            a.add(mountSpec(m));
        }
        String entrypoint = s.network().containerEntrypoint();
        if (entrypoint != null) {
            Mount.requireSafe("entrypoint", entrypoint);
            a.add("--entrypoint");
            a.add(entrypoint);
        }
        for (String name : s.clientEnvironment().keySet()) {
            a.add("-e");
            a.add(name); // the value travels in the client's environment, never on this command line
        }
        if (!imageId.startsWith("sha256:") || !pinned(imageId)) {
            throw new IllegalArgumentException("image id '" + imageId + "' is not valid; expected sha256:<64 hex digits>");
        }
        a.add(imageId);
        a.addAll(s.network().command(s.command()));
        return List.copyOf(a);
    }

    /** The {@code --mount} value; characters that could add options were refused by {@link Mount}. */
    static String mountSpec(Mount m) {
        Mount.requireSafe("mount source", m.source().toString());
        Mount.requireSafe("mount target", m.target());
        return "type=bind,source=" + m.source() + ",target=" + m.target() + (m.readOnly() ? ",readonly" : "")
                + ",bind-propagation=rprivate";
    }

    public List<String> start(String container) {
        return List.of(docker, "start", "--attach", id(container));
    }

    /** {@code docker exec -i --user U:G CONTAINER ARGV...}: stdin carries data (e.g. a secret), argv never does. */
    public List<String> exec(String container, int uid, int gid, List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("exec argv is empty; expected a program and its arguments");
        }
        List<String> a = new ArrayList<>(List.of(docker, "exec", "-i", "--user", uid + ":" + gid, id(container)));
        a.addAll(argv);
        return List.copyOf(a);
    }

    public List<String> removeForce(List<String> containers) {
        List<String> a = new ArrayList<>(List.of(docker, "rm", "--force", "--volumes"));
        containers.forEach(c -> a.add(id(c)));
        return List.copyOf(a);
    }

    /** Status, exit code, OOM flag: {@code running 0 false}. */
    public List<String> state(String container) {
        return List.of(docker, "container", "inspect", "--format",
                "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}", id(container));
    }

    /** Image id and repo digests of a local image: {@code sha256:... ["name@sha256:..."]}. */
    public List<String> imageInspect(String image) {
        if (image.startsWith("-")) {
            throw new IllegalArgumentException("image '" + image + "' starts with '-'; expected an image reference");
        }
        return List.of(docker, "image", "inspect", "--format", "{{.Id}} {{json .RepoDigests}}", "--", image);
    }

    public List<String> serverVersion() {
        return List.of(docker, "version", "--format", "{{.Server.Version}}");
    }

    /** Every Agent Gate container with its deadline label: {@code ID<TAB>DEADLINE}. */
    public List<String> listManaged() {
        return List.of(docker, "ps", "--all", "--no-trunc", "--filter", "label=" + Labels.RUN_ID,
                "--format", "{{.ID}}\t{{.Label \"" + Labels.DEADLINE + "\"}}");
    }

    private static boolean pinned(String imageId) {
        return imageId.matches("sha256:[a-f0-9]{64}");
    }

    private static String id(String container) {
        if (!CONTAINER_ID.matcher(container).matches()) {
            throw new IllegalArgumentException("container '" + container + "' is not a valid id or name");
        }
        return container;
    }
}
