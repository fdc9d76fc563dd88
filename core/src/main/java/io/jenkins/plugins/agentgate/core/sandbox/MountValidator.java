package io.jenkins.plugins.agentgate.core.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves host paths into safe {@link Mount}s. Every source is resolved with {@link Path#toRealPath} and
 * checked after resolution, so a symlink cannot lead a mount out of the workspace or onto a path the admin
 * did not allow; a source that is, or contains, the container engine's socket is refused.
 */
public final class MountValidator {
    /** Engine sockets a sandbox must never reach, even read-only (a read-only bind still lets a client connect). */
    public static final List<Path> ENGINE_SOCKETS = List.of(Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock"),
            Path.of("/run/containerd/containerd.sock"), Path.of("/var/run/docker/containerd/containerd.sock"),
            Path.of("/run/podman/podman.sock"));
    private static final List<String> RESERVED_TARGETS = List.of(SandboxSpec.WORKSPACE, "/run/agentgate", "/proc", "/sys", "/dev");

    private final List<Path> forbidden;

    public MountValidator() {
        this(ENGINE_SOCKETS);
    }

    /** @param forbidden host paths no mount source may be or contain (engine sockets); missing ones are ignored */
    public MountValidator(List<Path> forbidden) {
        List<Path> real = new ArrayList<>();
        for (Path p : forbidden) {
            real.add(p.toAbsolutePath().normalize());
            try {
                real.add(p.toRealPath());
            } catch (IOException e) {
                // not present on this host
            }
        }
        this.forbidden = List.copyOf(real);
    }

    /** The workspace directory, resolved; mounted at {@link SandboxSpec#WORKSPACE}. */
    public Path workspace(Path workspace) throws SandboxException {
        Path real = real(workspace, "workspace");
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new SandboxException("workspace '" + workspace + "' is not a directory; expected the directory the agent works in");
        }
        if (real.getNameCount() == 0) {
            throw new SandboxException("workspace '" + workspace + "' is the root directory; expected a project directory");
        }
        refuseForbidden("workspace", workspace, real);
        safeChars("workspace", real);
        return real;
    }

    /**
     * Protected paths that exist, each as a read-only mount over the workspace. A protected path that is a
     * symlink is refused: the agent could replace the link itself, and its target is not the path the admin named.
     */
    public List<Mount> protectedPaths(Path workspaceReal, List<String> relative) throws SandboxException {
        List<Mount> mounts = new ArrayList<>();
        for (String rel : relative) {
            Path rp = Path.of(rel);
            Path p = workspaceReal.resolve(rp).normalize();
            if (rp.isAbsolute() || !p.startsWith(workspaceReal) || p.equals(workspaceReal)) {
                throw new SandboxException("protected path '" + rel + "' is not inside the workspace; expected a workspace-relative path");
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue; // nothing to protect yet; creating it shows up in the evidence diff
            }
            if (Files.isSymbolicLink(p)) {
                throw new SandboxException("protected path '" + rel + "' is a symlink in workspace " + workspaceReal
                        + "; expected a regular file or directory (a link could be replaced, and its target escapes the rule)");
            }
            Path real = real(p, "protected path");
            if (!real.startsWith(workspaceReal)) {
                throw new SandboxException("protected path '" + rel + "' resolves to '" + real + "', outside the workspace");
            }
            safeChars("protected path", real);
            mounts.add(new Mount(real, SandboxSpec.WORKSPACE + "/" + workspaceReal.relativize(real), true));
        }
        return mounts;
    }

    /** An extra read-only mount the policy granted; mounted at the same path. No symlink may appear in it. */
    public Mount extra(String granted) throws SandboxException {
        Path p = Path.of(granted);
        if (!p.isAbsolute() || !p.normalize().equals(p)) {
            throw new SandboxException("extra mount '" + granted + "' is not an absolute normalized path");
        }
        Path real = real(p, "extra mount");
        if (!real.equals(p)) {
            throw new SandboxException("extra mount '" + granted + "' resolves through a symlink to '" + real
                    + "'; expected a path without symlinks, as the admin's allowlist names it");
        }
        if (real.getNameCount() == 0) {
            throw new SandboxException("extra mount '/' is refused; expected a specific directory");
        }
        for (String reserved : RESERVED_TARGETS) {
            Path r = Path.of(reserved);
            if (real.startsWith(r) || r.startsWith(real)) {
                throw new SandboxException("extra mount '" + granted + "' overlaps the sandbox's own path " + reserved
                        + "; expected a path outside " + RESERVED_TARGETS);
            }
        }
        refuseForbidden("extra mount", p, real);
        safeChars("extra mount", real);
        return new Mount(real, real.toString(), true);
    }

    /**
     * A mount the attached network needs (the egress proxy's socket directory, the relay): read-only, its source
     * an absolute path without symlinks, neither inside nor around the workspace (the agent must not be able to
     * replace what it runs through), not the root, and never an engine socket.
     */
    public Mount network(Mount m, Path workspaceReal) throws SandboxException {
        Path p = m.source();
        if (!p.isAbsolute() || !p.normalize().equals(p)) {
            throw new SandboxException("network mount '" + p + "' is not an absolute normalized path");
        }
        Path real = real(p, "network mount");
        if (!real.equals(p)) {
            throw new SandboxException("network mount '" + p + "' resolves through a symlink to '" + real
                    + "'; expected a path without symlinks");
        }
        if (real.getNameCount() == 0) {
            throw new SandboxException("network mount '/' is refused; expected the egress proxy's own directory or relay");
        }
        if (real.startsWith(workspaceReal) || workspaceReal.startsWith(real)) {
            throw new SandboxException("network mount '" + p + "' overlaps the workspace " + workspaceReal
                    + "; expected a path outside it (the agent could replace it)");
        }
        if (!m.readOnly()) {
            throw new SandboxException("network mount '" + p + "' is read-write; expected read-only");
        }
        refuseForbidden("network mount", p, real);
        safeChars("network mount", real);
        return new Mount(real, m.target(), true);
    }

    /** The task prompt, a regular file, mounted read-only at {@link SandboxSpec#TASK_FILE}. */
    public Mount taskFile(Path promptFile) throws SandboxException {
        Path real = real(promptFile, "task file");
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new SandboxException("task file '" + promptFile + "' is not a regular file");
        }
        safeChars("task file", real);
        return new Mount(real, SandboxSpec.TASK_FILE, true);
    }

    private void refuseForbidden(String what, Path given, Path real) throws SandboxException {
        for (Path f : forbidden) {
            if (f.startsWith(real)) {
                throw new SandboxException(what + " '" + given + "' is or contains " + f
                        + " (a container engine socket); expected a path that does not expose the engine");
            }
        }
        if (Files.exists(real) && !Files.isDirectory(real) && !Files.isRegularFile(real)) {
            throw new SandboxException(what + " '" + given + "' is a socket, device or pipe; expected a file or directory");
        }
    }

    private static Path real(Path p, String what) throws SandboxException {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new SandboxException(what + " '" + p + "' does not exist or cannot be resolved (" + e.getMessage() + ")");
        }
    }

    private static void safeChars(String what, Path real) throws SandboxException {
        try {
            Mount.requireSafe(what, real.toString());
        } catch (IllegalArgumentException e) {
            throw new SandboxException(e.getMessage());
        }
    }
}
