package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/agentgate's AppCDS archive: the first {@code run} after a build records it under its pid, a later start
 * adopts it once that process is gone, and the runs after that map it. Uses the real launcher and JVM on a small
 * stand-in jar (the real one is only built after the tests).
 */
class LauncherCdsTest {
    @TempDir
    Path home;
    Path target;
    Path jar;

    @BeforeEach
    void layout() throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of("..", "bin", "agentgate"), bin.resolve("agentgate"));
        bin.resolve("agentgate").toFile().setExecutable(true);
        target = Files.createDirectories(home.resolve("cli/target"));
        Path src = Files.createDirectories(home.resolve("src"));
        Files.writeString(src.resolve("Main.java"), "public class Main { public static void main(String[] a) { System.out.println(\"ok \" + a.length); } }");
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.toString(), src.resolve("Main.java").toString())).isZero();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Main");
        jar = target.resolve("agentgate.jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, m)) {
            j.putNextEntry(new JarEntry("Main.class"));
            j.write(Files.readAllBytes(src.resolve("Main.class")));
            j.closeEntry();
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
    }

    @Test
    void theFirstRunRecordsTheArchiveTheNextAdoptsAndTheOneAfterMaps() throws Exception {
        assertThat(launch(Map.of(), "run", "x")).isEqualTo("ok 2");
        assertThat(jsaFiles()).singleElement().asString().matches(".*/agentgate\\.jsa\\.tmp-[0-9]+");

        assertThat(launch(Map.of(), "run", "x")).isEqualTo("ok 2"); // adopts the finished archive, then maps it
        assertThat(jsaFiles()).containsExactly(target.resolve("agentgate.jsa"));

        Path log = home.resolve("classes.log");
        launch(Map.of("AGENTGATE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), "--version");
        assertThat(Files.readAllLines(log)).anyMatch(l -> l.contains(" Main source: shared objects file (top)"));
    }

    @Test
    void onlyRunTrainsAndAgentgateCdsOffTurnsItOff() throws Exception {
        launch(Map.of(), "--version");
        launch(Map.of("AGENTGATE_CDS", "off"), "run");
        assertThat(jsaFiles()).isEmpty();
    }

    @Test
    void anArchiveBeingWrittenIsLeftAloneAndOneOlderThanTheJarIsDropped() throws Exception {
        Path live = target.resolve("agentgate.jsa.tmp-" + ProcessHandle.current().pid()); // this JVM: alive
        Files.writeString(live, "partial");
        Path stale = target.resolve("agentgate.jsa.tmp-999999999");
        Files.writeString(stale, "old");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3600)));

        launch(Map.of("AGENTGATE_CDS", "off"), "--version");
        assertThat(live).exists();
        assertThat(stale).doesNotExist();
        assertThat(target.resolve("agentgate.jsa")).doesNotExist();
    }

    private List<Path> jsaFiles() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().startsWith("agentgate.jsa")).sorted().toList();
        }
    }

    private String launch(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(home.resolve("bin/agentgate").toString()), Stream.of(args)).toList())
                .redirectErrorStream(true);
        pb.environment().remove("AGENTGATE_JAVA_OPTS");
        pb.environment().remove("AGENTGATE_CDS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
