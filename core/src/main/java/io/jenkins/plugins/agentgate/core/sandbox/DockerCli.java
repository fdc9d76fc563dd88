package io.jenkins.plugins.agentgate.core.sandbox;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs short docker client commands through the {@link CommandRunner} port and turns failures into one line. */
final class DockerCli {
    static final Duration SHORT = Duration.ofSeconds(60);

    final CommandRunner runner;
    final DockerArgs args;

    DockerCli(CommandRunner runner, DockerArgs args) {
        this.runner = runner;
        this.args = args;
    }

    record Output(int exitCode, boolean timedOut, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        String firstErrorLine() {
            String s = stderr.isBlank() ? stdout : stderr;
            String line = s.strip().lines().findFirst().orElse("");
            return line.isEmpty() ? "exit code " + exitCode + (timedOut ? " (timed out)" : "") : line;
        }
    }

    Output run(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout)
            throws SandboxUnavailableException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandResult r;
        try {
            r = runner.run(new Command(argv, env, null, stdin), out, err, timeout);
        } catch (IOException e) {
            throw new SandboxUnavailableException("cannot run the docker client '" + args.docker() + "' (" + e.getMessage()
                    + "); expected Docker to be installed, e.g. apt-get install docker.io", e);
        }
        Output o = new Output(r.exitCode(), r.timedOut(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        if (!o.ok() && daemonUnreachable(o.stderr)) {
            throw new SandboxUnavailableException("the Docker daemon is not reachable (" + o.firstErrorLine()
                    + "); expected a running daemon, e.g. start it with: sudo dockerd &");
        }
        return o;
    }

    Output run(List<String> argv) throws SandboxUnavailableException, InterruptedException {
        return run(argv, Map.of(), null, SHORT);
    }

    static boolean daemonUnreachable(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        return s.contains("cannot connect to the docker daemon") || s.contains("is the docker daemon running")
                || s.contains("error during connect") || (s.contains("docker.sock") && s.contains("connect:"));
    }
}
