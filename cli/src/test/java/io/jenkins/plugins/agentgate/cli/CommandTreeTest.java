package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single-subcommand tree that {@code agentgate SUB ...} builds behaves as the full tree does for SUB. */
class CommandTreeTest {
    private static List<String> names() {
        return Arrays.stream(AgentGateCli.class.getAnnotation(Command.class).subcommands())
                .map(c -> c.getAnnotation(Command.class).name()).toList();
    }

    @Test
    void aSubcommandNameBuildsOnlyThatSubcommandWithTheSameUsageAndSettings() {
        CommandLine full = AgentGateCli.commandLine();
        assertThat(full.getSubcommands().keySet()).containsExactlyElementsOf(names()).contains("run", "policy", "verify", "approve");
        for (String name : names()) {
            CommandLine lean = AgentGateCli.commandLine(name, "--help");
            assertThat(lean.getSubcommands().keySet()).as(name).containsExactly(name);
            CommandLine a = full.getSubcommands().get(name);
            CommandLine b = lean.getSubcommands().get(name);
            assertThat(b.getUsageMessage(CommandLine.Help.Ansi.OFF)).as(name).isEqualTo(a.getUsageMessage(CommandLine.Help.Ansi.OFF));
            assertThat(b.getCommandSpec().qualifiedName()).isEqualTo("agentgate " + name);
            assertThat(b.isStopAtPositional()).as(name).isEqualTo(a.isStopAtPositional());
            assertThat(b.getParameterExceptionHandler()).isNotNull();
        }
        assertThat(full.getSubcommands().get("run").isStopAtPositional()).isTrue();
    }

    @Test
    void anythingElseBuildsTheFullTree() {
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"--version"}, new String[] {"runn"},
                new String[] {"RUN"})) {
            assertThat(AgentGateCli.commandLine(args).getSubcommands().keySet()).as(Arrays.toString(args))
                    .containsExactlyElementsOf(names());
        }
    }

    @Test
    void topLevelHelpStillListsEverySubcommandAndUsageErrorsNameTheSubcommand() {
        CliResult help = CliResult.run("--help");
        assertThat(help.exitCode()).isZero();
        names().forEach(n -> assertThat(help.out()).contains(n));

        CliResult bad = CliResult.run("run", "--class", "draft", "--task", "t.md", "--no-such-option", "--", "true");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("agentgate: Unknown option: '--no-such-option'").contains("Try 'agentgate run --help' for usage.");

        CliResult version = CliResult.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("agentgate ");
    }

    @Test
    void warmupsDoTheirWorkAndTheStartUpOneRunsOnlyForDecidingSubcommands() {
        assertThat(Warmup.evidenceSerializers()).isTrue();
        assertThat(Warmup.decideOnce()).startsWith("sha256:");
        assertThat(Warmup.shouldStart(new String[] {"run", "--class", "draft"})).isTrue();
        assertThat(Warmup.shouldStart(new String[] {"policy"})).isTrue();
        assertThat(Warmup.shouldStart(new String[] {"verify", "x"})).isFalse();
        assertThat(Warmup.shouldStart(new String[0])).isFalse();
    }
}
