package io.jenkins.plugins.agentgate.core.sandbox;

import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.ResourceLimits;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link SandboxSpec} from a policy plan: the only way a plan becomes a container. */
public final class SandboxSpecs {
    /** User the agent runs as when the workspace belongs to root (we never run the agent as root). */
    public static final int FALLBACK_UID = 1000;

    private final MountValidator mounts;

    public SandboxSpecs(MountValidator mounts) {
        this.mounts = mounts;
    }

    public SandboxSpecs() {
        this(new MountValidator());
    }

    /**
     * @param plan       the policy engine's effective plan
     * @param workspace  host directory mounted at {@link SandboxSpec#WORKSPACE}
     * @param promptFile host file with the task text, mounted read-only at {@link SandboxSpec#TASK_FILE}
     * @param runId      run id (container name and labels)
     * @param command    the agent's command
     * @param network    the network an egress component attached, or null for none
     * @param now        creation time
     * @throws SandboxException when the plan cannot be run safely (names what and why)
     */
    public SandboxSpec fromPlan(RunPlan plan, Path workspace, Path promptFile, String runId, List<String> command,
                                SandboxNetwork network, Instant now) throws SandboxException {
        return fromPlan(plan, workspace, promptFile, runId, command, network, null, now);
    }

    /**
     * As {@link #fromPlan(RunPlan, Path, Path, String, List, SandboxNetwork, Instant)}, with the tool gateway's
     * channel: allowed whatever the network mode (it is not a way out); its
     * mounts are checked like the network's (read-only, no symlink, outside the workspace, never an engine socket).
     *
     * @param tools the tool gateway's channel, or null
     */
    public SandboxSpec fromPlan(RunPlan plan, Path workspace, Path promptFile, String runId, List<String> command,
                                SandboxNetwork network, ToolChannel tools, Instant now) throws SandboxException {
        SandboxProfile p = plan.effective();
        SandboxNetwork net = network == null ? SandboxNetwork.none() : network;
        if (p.network().mode() == NetworkMode.ALLOWLIST && net.isNone()) {
            throw new SandboxException("profile " + p.id() + " allows network destinations " + p.network().allow()
                    + ", but no egress proxy is attached to enforce them, so the run is refused; expected a profile with"
                    + " network mode none, or an egress provider (GovernedRun.builder(...).egress(new ProxyEgressProvider()))");
        }
        if (p.network().mode() == NetworkMode.NONE && !net.isNone()) {
            throw new SandboxException("profile " + p.id() + " allows no network, but network '" + net.dockerNetwork()
                    + (net.isProxied() ? "' with an egress relay" : "'") + " was attached; expected none");
        }
        Path ws = mounts.workspace(workspace);
        List<Mount> all = new ArrayList<>();
        all.add(new Mount(ws, SandboxSpec.WORKSPACE, p.filesystem().workspace() == WorkspaceAccess.READ_ONLY));
        if (p.filesystem().workspace() == WorkspaceAccess.READ_WRITE) {
            all.addAll(mounts.protectedPaths(ws, p.filesystem().protectedPaths()));
        }
        for (String extra : p.filesystem().extraMounts()) {
            all.add(mounts.extra(extra));
        }
        all.add(mounts.taskFile(promptFile));
        if (!net.mounts().isEmpty()) {
            List<Mount> checked = new ArrayList<>();
            for (Mount m : net.mounts()) {
                checked.add(mounts.network(m, ws));
            }
            net = net.withMounts(checked);
        }
        if (tools != null) {
            List<Mount> checked = new ArrayList<>();
            for (Mount m : tools.mounts()) {
                checked.add(mounts.network(m, ws));
            }
            try {
                net = net.withTools(tools.withMounts(checked, mounts.network(tools.relay(), ws)));
            } catch (IllegalArgumentException e) {
                throw new SandboxException(e.getMessage(), e);
            }
        }

        int[] user = user(ws);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/tmp");
        env.put(SandboxSpec.TASK_FILE_ENV, SandboxSpec.TASK_FILE);
        env.put("AGENTGATE_RUN_ID", runId);
        env.put("AGENTGATE_WORKSPACE", SandboxSpec.WORKSPACE);
        env.put("AGENTGATE_SECRETS_DIR", SandboxSpec.SECRETS_DIR);
        env.put("AGENTGATE_TOOLS", String.join(",", p.tools().allowed()));
        ResourceLimits l = p.limits();
        try {
            return new SandboxSpec(runId, p.id(), plan.image(), command, user[0], user[1], all, env, Map.of(), net,
                    l.cpus(), l.memoryBytes(), l.pids(), l.timeout(), l.maxOutputBytes(), now);
        } catch (IllegalArgumentException e) {
            throw new SandboxException(e.getMessage(), e);
        }
    }

    /** The workspace owner, so that files the agent writes stay the owner's; never root. */
    static int[] user(Path ws) {
        try {
            int uid = (Integer) Files.getAttribute(ws, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int gid = (Integer) Files.getAttribute(ws, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            if (uid > 0) {
                return new int[] {uid, gid > 0 ? gid : uid};
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall through to the fallback user
        }
        return new int[] {FALLBACK_UID, FALLBACK_UID};
    }
}
