package io.jenkins.plugins.agentgate.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountValidatorTest {
    @TempDir
    Path tmp;

    @Test
    void protectedPathsThatExistAreMountedReadOnlyOnTop() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve(".git"));
        Files.writeString(ws.resolve("Jenkinsfile"), "pipeline {}");
        MountValidator v = new MountValidator(List.of());
        Path real = v.workspace(ws);
        List<Mount> m = v.protectedPaths(real, List.of(".git", "Jenkinsfile", ".github"));
        assertThat(m).containsExactly(new Mount(real.resolve(".git"), "/workspace/.git", true),
                new Mount(real.resolve("Jenkinsfile"), "/workspace/Jenkinsfile", true));
    }

    @Test
    void aProtectedPathThatIsASymlinkIsRefused() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(ws.resolve(".git"), outside);
        MountValidator v = new MountValidator(List.of());
        assertThatThrownBy(() -> v.protectedPaths(v.workspace(ws), List.of(".git")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("is a symlink");
    }

    @Test
    void protectedPathsMayNotClimbOutOfTheWorkspace() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        MountValidator v = new MountValidator(List.of());
        assertThatThrownBy(() -> v.protectedPaths(v.workspace(ws), List.of("../etc")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("not inside the workspace");
    }

    @Test
    void workspaceThroughASymlinkResolvesToItsTarget() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThat(new MountValidator(List.of()).workspace(link)).isEqualTo(real.toRealPath());
    }

    @Test
    void workspaceMayNotBeRootNorExposeTheEngineSocket() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path sock = ws.resolve("run/docker.sock");
        Files.createDirectories(sock.getParent());
        try (ServerSocketChannel ch = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
            MountValidator v = new MountValidator(List.of(sock));
            assertThatThrownBy(() -> v.workspace(ws)).hasMessageContaining("container engine socket");
            assertThatThrownBy(() -> v.extra(sock.toRealPath().toString())).isInstanceOf(SandboxException.class);
        }
        assertThatThrownBy(() -> new MountValidator(List.of()).workspace(Path.of("/"))).hasMessageContaining("root directory");
    }

    @Test
    void extraMountsMayNotGoThroughSymlinks() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("tools"));
        Path link = Files.createSymbolicLink(tmp.resolve("tools-link"), real);
        MountValidator v = new MountValidator(List.of());
        assertThat(v.extra(real.toRealPath().toString())).isEqualTo(new Mount(real.toRealPath(), real.toRealPath().toString(), true));
        assertThatThrownBy(() -> v.extra(link.toString())).hasMessageContaining("resolves through a symlink");
        assertThatThrownBy(() -> v.extra("relative/path")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> v.extra("/proc")).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> v.extra(tmp.resolve("missing").toString())).hasMessageContaining("does not exist");
    }

    @Test
    void pathsWithOptionCharactersAreRefused() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("a,readonly=false"));
        assertThatThrownBy(() -> new MountValidator(List.of()).workspace(ws))
                .isInstanceOf(SandboxException.class).hasMessageContaining("','");
        Path colon = Files.createDirectories(tmp.resolve("b:c"));
        assertThatThrownBy(() -> new MountValidator(List.of()).workspace(colon)).hasMessageContaining("':'");
    }
}
