package io.jenkins.plugins.agentgate.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tool gateway tests need besides the engine: the MCP test kit from npm (examples/mcp, installed into
 * target/mcp-node: the reference servers the gateway starts as connectors), the image with node and the in-sandbox MCP
 * client ({@code examples/build-image.sh --mcp}), and the SDK test server of the core tests (its compiled classes).
 * Under CI (CI=true) anything missing fails; locally the tests are skipped with the reason.
 */
final class McpKit {
    static final String IMAGE = "agentgate-test/mcp:2";
    static final String TEST_SERVER = "io.jenkins.plugins.agentgate.core.gateway.TestMcpServer";
    private static volatile Path kit;

    private McpKit() {}

    static synchronized Path require() {
        DockerEngine.require();
        if (kit != null) {
            return kit;
        }
        Path root = DockerEngine.repoRoot();
        try {
            DockerEngine.Result i = DockerEngine.docker(Map.of(), "bash", root.resolve("examples/mcp/install.sh").toString());
            if (i.exitCode() != 0) {
                missing("the MCP test kit could not be installed from npm: " + i.stderr().strip());
            }
            Path dir = Path.of(i.stdout().strip());
            if (DockerEngine.docker(Map.of(), "docker", "image", "inspect", "--format", "{{.Id}}", IMAGE).exitCode() != 0) {
                DockerEngine.Result b = DockerEngine.docker(Map.of(), "bash", root.resolve("examples/build-image.sh").toString(), IMAGE,
                        "--test", "--mcp");
                if (b.exitCode() != 0) {
                    fail("building " + IMAGE + " failed: " + b.stderr());
                }
            }
            if (!Files.isRegularFile(testClasses().resolve(TEST_SERVER.replace('.', '/') + ".class"))) {
                missing("the core test classes (" + testClasses() + ") have no " + TEST_SERVER + "; build core's tests first "
                        + "(./mvnw -B -o test-compile -pl core)");
            }
            kit = dir;
            return dir;
        } catch (IOException e) {
            missing("node, npm or bash is missing: " + e.getMessage());
            return null;
        }
    }

    private static void missing(String problem) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but " + problem);
        }
        Assumptions.abort("skipped: " + problem);
    }

    static Path testClasses() {
        return DockerEngine.repoRoot().resolve("core/target/test-classes");
    }

    /** The SDK test server (core's tests) as a stdio connector command: this JVM's java and classpath. */
    static List<String> testServerCommand() {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp", testClasses() + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                TEST_SERVER));
        return c;
    }

    /** An npm reference server of the kit as a stdio connector command. */
    static List<String> npmServer(Path kit, String pkg, String... args) {
        List<String> c = new ArrayList<>(List.of("node", kit.resolve("node_modules/@modelcontextprotocol/" + pkg + "/dist/index.js").toString()));
        c.addAll(List.of(args));
        return c;
    }
}
