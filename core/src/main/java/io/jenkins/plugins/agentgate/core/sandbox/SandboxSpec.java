package io.jenkins.plugins.agentgate.core.sandbox;

import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything one sandboxed run needs, already validated: built from a policy plan by
 * {@link SandboxSpecs#fromPlan}, turned into docker argv by {@link DockerArgs}. Values of {@link #env} and
 * {@link #secretEnv} never reach a command line: only their names do ({@code -e NAME}).
 *
 * @param runId          lower-case id of the run; names the container and labels it
 * @param profileId      profile the run executes under (label, evidence)
 * @param image          image reference as validated (the runner creates the container from its resolved id)
 * @param command        the agent's command inside the container
 * @param uid            non-root user id the agent runs as
 * @param gid            its group id
 * @param mounts         bind mounts in order: workspace first, then protected paths on top, extras, task file
 * @param env            plain environment for the agent
 * @param secretEnv      secret environment (credential leases); same path as {@code env}, kept apart so that
 *                       evidence and logs can list the names only
 * @param network        the network to join; {@link SandboxNetwork#none()} unless the egress proxy attached one
 * @param cpus           {@code --cpus}
 * @param memoryBytes    {@code --memory} and {@code --memory-swap} (no swap beyond it)
 * @param pids           {@code --pids-limit}
 * @param timeout        wall-clock limit of the agent
 * @param maxOutputBytes bytes of output kept; the rest is counted and reported
 * @param createdAt      creation time (label; the reaper uses it with {@code timeout})
 */
public record SandboxSpec(String runId, String profileId, String image, List<String> command, int uid, int gid,
                          List<Mount> mounts, Map<String, String> env, Map<String, String> secretEnv,
                          SandboxNetwork network, double cpus, long memoryBytes, int pids, Duration timeout,
                          long maxOutputBytes, Instant createdAt) {

    /** Where the workspace appears inside the container. */
    public static final String WORKSPACE = "/workspace";
    /** The task prompt, read-only; its path is in {@link #TASK_FILE_ENV}. */
    public static final String TASK_FILE = "/run/agentgate/task.md";
    public static final String TASK_FILE_ENV = "AGENTGATE_TASK_FILE";
    /** tmpfs (0700, owned by the sandbox user, noexec) where credential files are written through exec. */
    public static final String SECRETS_DIR = "/run/agentgate/secrets";

    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public SandboxSpec {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(network, "network");
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId + "' is not valid; expected lower-case letters, digits and '-'");
        }
        if (profileId == null || !LABEL_VALUE.matcher(profileId).matches()) {
            throw new IllegalArgumentException("profile id '" + profileId + "' is not valid; expected letters, digits, '.', '_', '-'");
        }
        if (!ImageReference.isValid(image)) {
            throw new IllegalArgumentException("image '" + image + "' is not valid; expected " + ImageReference.REFERENCE_FORM);
        }
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty; expected the agent's command and its arguments");
        }
        for (String a : command) {
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command argument contains a NUL character; expected plain text");
            }
        }
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("sandbox user " + uid + ":" + gid + " is refused; expected a non-root uid and gid (> 0)");
        }
        mounts = List.copyOf(mounts);
        env = Map.copyOf(new LinkedHashMap<>(env));
        secretEnv = Map.copyOf(new LinkedHashMap<>(secretEnv));
        Set<String> names = new HashSet<>();
        for (Map<String, String> m : List.of(env, secretEnv, network.containerEnvironment())) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                if (!ENV_NAME.matcher(e.getKey()).matches()) {
                    throw new IllegalArgumentException("environment name '" + e.getKey()
                            + "' is not valid; expected letters, digits and '_', not starting with a digit");
                }
                if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("environment variable " + e.getKey() + " has no value or a NUL character");
                }
                if (!names.add(e.getKey())) {
                    throw new IllegalArgumentException("environment variable " + e.getKey() + " is set twice; expected each name once");
                }
            }
        }
        if (!(cpus > 0) || memoryBytes < (6L << 20) || pids <= 0 || timeout.isNegative() || timeout.isZero() || maxOutputBytes < 0) {
            throw new IllegalArgumentException("limits cpus=" + cpus + " memory=" + memoryBytes + " pids=" + pids + " timeout=" + timeout
                    + " maxOutputBytes=" + maxOutputBytes + " are not valid; expected positive values (memory at least 6m)");
        }
    }

    /** The container's name: {@code agentgate-<runId>}. */
    public String containerName() {
        return "agentgate-" + runId;
    }

    /** All environment the docker client must carry (values), for {@code -e NAME} on its argv. */
    public Map<String, String> clientEnvironment() {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putAll(network.containerEnvironment());
        all.putAll(secretEnv);
        return all;
    }

    public SandboxSpec withSecretEnv(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(secretEnv);
        m.putAll(more);
        return new SandboxSpec(runId, profileId, image, command, uid, gid, mounts, env, m, network, cpus, memoryBytes, pids,
                timeout, maxOutputBytes, createdAt);
    }

    public SandboxSpec withEnv(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(env);
        m.putAll(more);
        return new SandboxSpec(runId, profileId, image, command, uid, gid, mounts, m, secretEnv, network, cpus, memoryBytes, pids,
                timeout, maxOutputBytes, createdAt);
    }

    public SandboxSpec withNetwork(SandboxNetwork n) {
        return new SandboxSpec(runId, profileId, image, command, uid, gid, mounts, env, secretEnv, n, cpus, memoryBytes, pids,
                timeout, maxOutputBytes, createdAt);
    }

    public SandboxSpec withImage(String resolved) {
        return new SandboxSpec(runId, profileId, resolved, command, uid, gid, mounts, env, secretEnv, network, cpus, memoryBytes,
                pids, timeout, maxOutputBytes, createdAt);
    }

    @Override
    public String toString() {
        // Values stay out: secretEnv values are credentials.
        return "SandboxSpec[run=" + runId + ", profile=" + profileId + ", image=" + image + ", command=" + command
                + ", user=" + uid + ":" + gid + ", mounts=" + mounts + ", env=" + env.keySet() + ", secretEnv=" + secretEnv.keySet()
                + ", network=" + network.dockerNetwork() + (network.hasTools() ? " + tool gateway" : "") + "]";
    }

    /** For tests and assertions: the host paths this spec mounts. */
    public List<Path> mountSources() {
        return mounts.stream().map(Mount::source).toList();
    }
}
