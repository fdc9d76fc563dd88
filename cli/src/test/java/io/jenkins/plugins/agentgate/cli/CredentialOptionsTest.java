package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class CredentialOptionsTest {
    @TempDir
    Path dir;

    @Command(name = "run")
    static final class RunLike implements Runnable {
        @Mixin
        CredentialOptions credentials;

        @Override
        public void run() {}
    }

    private static String value(SecretValue v) {
        try (v) {
            return new String(v.bytes(), StandardCharsets.UTF_8);
        }
    }

    private Path secretFile(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void parsesFileAndEnvSources() {
        assertThat(CredentialSpec.parse("github-token=env:GH_TOKEN"))
                .isEqualTo(new CredentialSpec("github-token", CredentialSpec.Kind.ENV, "GH_TOKEN"));
        assertThat(CredentialSpec.parse("deploy.key=file:/home/me/.keys/a=b:c"))
                .isEqualTo(new CredentialSpec("deploy.key", CredentialSpec.Kind.FILE, "/home/me/.keys/a=b:c"));
    }

    @Test
    void badSpecsAreClearErrorsThatNeverEchoAPastedValue() {
        assertThatThrownBy(() -> CredentialSpec.parse("noequals")).hasMessageContaining("'noequals'").hasMessageContaining("ID=file:PATH");
        assertThatThrownBy(() -> CredentialSpec.parse("=env:X")).hasMessageContaining("no ID");
        assertThatThrownBy(() -> CredentialSpec.parse("../x=env:X")).hasMessageContaining("credential id '../x'");
        assertThatThrownBy(() -> CredentialSpec.parse("t=env:1BAD")).hasMessageContaining("'1BAD'").hasMessageContaining("environment variable name");
        assertThatThrownBy(() -> CredentialSpec.parse("t=file:")).hasMessageContaining("file path is empty");
        assertThatThrownBy(() -> CredentialSpec.parse("tok=ghp_pastedTheSecretItself"))
                .hasMessageContaining("'tok=…'").hasMessageContaining("never accepted on a command line")
                .hasMessageNotContaining("ghp_pastedTheSecretItself");
    }

    @Test
    void picocliReportsBadSpecsAsUsageErrorsWithoutThePastedValue() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new RunLike()).setErr(new PrintWriter(err));
        int code = cl.execute("--credential", "tok=ghp_pastedTheSecretItself");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--credential").contains("file:PATH or ID=env:NAME")
                .doesNotContain("ghp_pastedTheSecretItself");
    }

    @Test
    void mixinGivesRequestsAndASourceThatReadsValuesLate() throws Exception {
        Path f = secretFile("deploy.key", "key-material-123\n");
        RunLike run = new RunLike();
        new CommandLine(run).parseArgs("--credential", "deploy.key=file:" + f, "--credential", "github-token=env:GH_TOKEN_TEST");
        assertThat(run.credentials.requests()).containsExactly(CredentialRequest.of("deploy.key"), CredentialRequest.of("github-token"));
        CliSecretSource source = new CliSecretSource(run.credentials.specs(), Map.of("GH_TOKEN_TEST", "ghp_from_env_456")::get);
        Files.writeString(f, "rotated-after-parse\n");
        assertThat(value(source.resolve("deploy.key"))).isEqualTo("rotated-after-parse");
        assertThat(value(source.resolve("github-token"))).isEqualTo("ghp_from_env_456");
        assertThat(source.ids()).containsExactlyInAnyOrder("deploy.key", "github-token");
        assertThat(source.toString()).doesNotContain("ghp_from_env_456");
    }

    @Test
    void fileValuesLoseExactlyOneTrailingLineEnding() throws Exception {
        CliSecretSource s = new CliSecretSource(List.of(
                CredentialSpec.parse("a=file:" + secretFile("a", "value-a\r\n")),
                CredentialSpec.parse("b=file:" + secretFile("b", "value-b\n\n")),
                CredentialSpec.parse("c=file:" + secretFile("c", " value-c "))), n -> null);
        assertThat(value(s.resolve("a"))).isEqualTo("value-a");
        assertThat(value(s.resolve("b"))).isEqualTo("value-b\n");
        assertThat(value(s.resolve("c"))).isEqualTo(" value-c ");
    }

    @Test
    void unusableSourcesAreReportedTogetherNamingIdSourceAndFix() throws Exception {
        Path open = dir.resolve("world-readable");
        Files.writeString(open, "value-open");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Path big = secretFile("big", "x".repeat(CliSecretSource.MAX_BYTES + 1));
        CliSecretSource s = new CliSecretSource(List.of(
                CredentialSpec.parse("missing=file:" + dir.resolve("nope")),
                CredentialSpec.parse("open=file:" + open),
                CredentialSpec.parse("big=file:" + big),
                CredentialSpec.parse("empty=file:" + secretFile("empty", "\n")),
                CredentialSpec.parse("unset=env:NOT_SET_ANYWHERE"),
                CredentialSpec.parse("dir=file:" + dir)), n -> null);
        assertThat(s.problems()).hasSize(6).satisfiesExactly(
                p -> assertThat(p).contains("'missing=file:").contains("does not exist"),
                p -> assertThat(p).contains("readable by every user").contains("chmod o-rwx"),
                p -> assertThat(p).contains("larger than 65536 bytes"),
                p -> assertThat(p).contains("is empty"),
                p -> assertThat(p).contains("NOT_SET_ANYWHERE is not set"),
                p -> assertThat(p).contains("not a regular file"));
        assertThatThrownBy(() -> s.resolve("other")).isInstanceOf(SecretSourceException.class)
                .hasMessageContaining("'other' has no source").hasMessageContaining("--credential other=file:PATH");
    }

    @Test
    void theDefaultSourceReadsTheRealProcessEnvironment() throws Exception {
        String path = System.getenv("PATH");
        assertThat(path).isNotEmpty();
        CliSecretSource s = new CliSecretSource(List.of(CredentialSpec.parse("p=env:PATH")));
        assertThat(value(s.resolve("p"))).isEqualTo(path);
    }

    @Test
    void anIdGivenTwiceIsAUsageError() {
        assertThatThrownBy(() -> new CliSecretSource(List.of(CredentialSpec.parse("a=env:X"), CredentialSpec.parse("a=env:Y"))))
                .hasMessageContaining("'a=env:Y'").hasMessageContaining("already given as 'a=env:X'");
    }
}
