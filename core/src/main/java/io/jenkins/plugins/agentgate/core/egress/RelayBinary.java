package io.jenkins.plugins.agentgate.core.egress;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;

/**
 * The static relay program that runs inside the sandbox (source: core/src/main/c/egress-relay.c). The build
 * compiles it for the build machine's architecture into the core jar; a run copies it next to its proxy socket
 * and bind-mounts it read-only. Its SHA-256 belongs in the evidence as part of the toolchain.
 */
public final class RelayBinary {
    static final String RESOURCE_ROOT = "/io/jenkins/plugins/agentgate/core/egress/relay/";
    static final String FILE_NAME = "agentgate-egress-relay";

    private final byte[] bytes;
    private final String origin;
    private final String sha256;

    private RelayBinary(byte[] bytes, String origin) {
        this.bytes = bytes;
        this.origin = origin;
        this.sha256 = Digests.sha256Hex(bytes);
    }

    /**
     * The relay built into this jar for the running JVM's architecture (the containers of a local engine share it).
     *
     * @throws IllegalStateException when this build carries no relay for this architecture
     */
    public static RelayBinary bundled() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String resource = RESOURCE_ROOT + arch + "/" + FILE_NAME;
        try (InputStream in = RelayBinary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the egress relay for architecture '" + arch + "' is not in this build ("
                        + resource + "); expected a core jar built on " + arch
                        + " with gcc and libc6-dev (core/src/main/c/build-relay.sh)");
            }
            return new RelayBinary(in.readAllBytes(), "classpath:" + resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the egress relay " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A relay binary from a file (for example one provisioned on a build agent of another architecture). */
    public static RelayBinary fromFile(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return new RelayBinary(Files.readAllBytes(file), file.toString());
    }

    public String sha256() {
        return sha256;
    }

    public String origin() {
        return origin;
    }

    /**
     * Writes the relay into {@code dir} as an executable, read-only file and returns its path (the egress proxy's own
     * copy; the tool gateway's channel takes one when no egress relay runs).
     */
    public Path installInto(Path dir) throws IOException {
        Path target = dir.resolve(FILE_NAME);
        Files.write(target, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
        return target;
    }
}
