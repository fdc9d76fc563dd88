package io.jenkins.plugins.agentgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentgate}: the terminal front of Agent Gate. */
@Command(name = "agentgate",
        mixinStandardHelpOptions = true,
        versionProvider = AgentGateCli.Version.class,
        description = "Governed AI-agent runs: sandbox profiles, policy, approvals and signed evidence.",
        subcommands = {PolicyCommand.class, RunCommand.class, VerifyCommand.class, ApproveCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:ok (the agent succeeded, the bundle verified, the catalog is valid)",
                "1:the agent failed",
                "2:usage or configuration error",
                "3:policy denied",
                "4:approval missing or refused",
                "5:verification failed",
                "6:sandbox or runtime error"})
public final class AgentGateCli {

    public static void main(String[] args) {
        Warmup.startFor(args);
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given streams; tests call this instead of spawning a JVM. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** The full command tree: every subcommand of the {@code subcommands} list above. */
    static CommandLine commandLine() {
        return configure(new CommandLine(new AgentGateCli()));
    }

    /**
     * The command tree for these arguments. When the first argument names a subcommand, only that subcommand's
     * model is built (under a parent with the same name and options): picocli builds each model by reflection,
     * and building all of them is a measurable part of a short run's start-up. Parsing is the same, because the
     * arguments after a subcommand's name belong to it alone; anything else gets the full tree.
     */
    static CommandLine commandLine(String... args) {
        if (args.length > 0) {
            for (Class<?> sub : AgentGateCli.class.getAnnotation(Command.class).subcommands()) {
                Command c = sub.getAnnotation(Command.class);
                if (c != null && c.name().equals(args[0])) {
                    CommandLine cl = new CommandLine(new Parent());
                    cl.addSubcommand(sub);
                    return configure(cl);
                }
            }
        }
        return commandLine();
    }

    /** The top level as {@link #commandLine(String...)} uses it for a single subcommand: same name and options. */
    @Command(name = "agentgate", mixinStandardHelpOptions = true, versionProvider = AgentGateCli.Version.class)
    static final class Parent {
    }

    private static CommandLine configure(CommandLine cl) {
        // The agent's own options after COMMAND (e.g. `codex exec --json`) are its arguments, never ours.
        CommandLine run = cl.getSubcommands().get("run");
        if (run != null) {
            run.setStopAtPositional(true);
        }
        cl.setExitCodeExceptionMapper(t -> ExitCodes.RUNTIME_ERROR);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("agentgate: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("agentgate: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return ExitCodes.RUNTIME_ERROR;
        });
        return cl;
    }

    /** Reads the version Maven filtered into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"agentgate " + version()};
        }
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = AgentGateCli.class.getResourceAsStream("/agentgate-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
