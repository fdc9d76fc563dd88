package io.jenkins.plugins.agentgate.core.port;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A command to run.
 *
 * @param argv        executable and arguments; must never contain a secret value
 * @param environment variables added to the child's environment (this is where secret values travel)
 * @param workingDir  working directory, or null for the runner's default
 * @param stdin       bytes written to standard input, then closed; null for none
 */
public record Command(List<String> argv, Map<String, String> environment, Path workingDir, byte[] stdin) {
    public Command {
        argv = List.copyOf(argv);
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), Map.of(), null, null);
    }

    @Override
    public String toString() {
        // Environment values are deliberately left out: they may be secrets.
        return "Command" + argv + " env=" + environment.keySet();
    }
}
